package model

import "time"

// Enterprise is a market entity (市场主体) identified by its unified social credit code.
type Enterprise struct {
	ID                  int64     `gorm:"column:id;primaryKey"`
	USCC                string    `gorm:"column:uscc"`
	Name                string    `gorm:"column:name"`
	LegalRepresentative string    `gorm:"column:legal_representative"`
	Address             string    `gorm:"column:address"`
	RegionCode          string    `gorm:"column:region_code"`
	ContactPhone        string    `gorm:"column:contact_phone"`
	CreatedAt           time.Time `gorm:"column:created_at"`
	UpdatedAt           time.Time `gorm:"column:updated_at"`
}

// TableName pins the table.
func (Enterprise) TableName() string { return "enterprises" }

// Page asks for one page of a list.
type Page struct {
	Page     int
	PageSize int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }

// Normalize applies API.md's defaults and bounds (page ≥ 1, 1 ≤ size ≤ 100, default 20).
func (p Page) Normalize() Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PageSize < 1 {
		p.PageSize = 20
	}
	if p.PageSize > 100 {
		p.PageSize = 100
	}
	return p
}
