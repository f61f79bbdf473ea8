package model

import "time"

// ProductKind is how a GI product is protected.
type ProductKind string

// The kinds of DESIGN.md "GI product".
const (
	ProtectedProduct  ProductKind = "protected_product"  // 地理标志保护产品: announcement number 公告号
	CertificationMark ProductKind = "certification_mark" // 证明商标: registration number 注册号
	CollectiveMark    ProductKind = "collective_mark"    // 集体商标: registration number 注册号
)

// Valid reports whether k is a known kind.
func (k ProductKind) Valid() bool {
	return k == ProtectedProduct || k == CertificationMark || k == CollectiveMark
}

// Product is an entry of the GI catalog.
type Product struct {
	ID              int64       `gorm:"column:id;primaryKey"`
	Name            string      `gorm:"column:name"`
	Kind            ProductKind `gorm:"column:kind"`
	ReferenceNumber string      `gorm:"column:reference_number"` // 公告号 or 注册号, kept as text
	// RegistrationNumber is a trademark registration number held besides the announcement
	// number (one product may be protected both ways); empty otherwise.
	RegistrationNumber string    `gorm:"column:registration_number"`
	ProtectedArea      string    `gorm:"column:protected_area"`
	Standard           string    `gorm:"column:standard"`
	RegionCode         string    `gorm:"column:region_code"`
	Active             bool      `gorm:"column:active"`
	CreatedAt          time.Time `gorm:"column:created_at"`
	UpdatedAt          time.Time `gorm:"column:updated_at"`
}

// TableName pins the table.
func (Product) TableName() string { return "products" }
