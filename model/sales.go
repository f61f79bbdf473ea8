package model

import "time"

// Sales channels and the online platforms of DESIGN.md "Sales record".
const (
	ChannelOnline  = "online"
	ChannelExport  = "export"
	ChannelOffline = "offline"
)

// Platforms are the online platforms a sale may be reported for.
var Platforms = []string{"tmall", "jd", "pinduoduo", "douyin", "wechat", "other"}

// SalesRecord is an enterprise's figure for one product, month and channel. Money is in fen
// and quantity in grams: integers, never floats.
type SalesRecord struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	EnterpriseID int64     `gorm:"column:enterprise_id"`
	ProductID    int64     `gorm:"column:product_id"`
	Period       int       `gorm:"column:period"` // yyyymm, e.g. 202106
	Channel      string    `gorm:"column:channel"`
	Platform     string    `gorm:"column:platform"` // online only
	Country      string    `gorm:"column:country"`  // export only, ISO 3166-1 alpha-2
	AmountFen    int64     `gorm:"column:amount_fen"`
	QuantityG    int64     `gorm:"column:quantity_g"`
	ReportedBy   int64     `gorm:"column:reported_by"`
	CreatedAt    time.Time `gorm:"column:created_at"`
	UpdatedAt    time.Time `gorm:"column:updated_at"`
}

// TableName pins the table.
func (SalesRecord) TableName() string { return "sales_records" }

// SalesHistory keeps a figure that a later report replaced: who reported it, who replaced it.
type SalesHistory struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	RecordID   int64     `gorm:"column:record_id"`
	AmountFen  int64     `gorm:"column:amount_fen"`
	QuantityG  int64     `gorm:"column:quantity_g"`
	ReportedBy int64     `gorm:"column:reported_by"`
	ReportedAt time.Time `gorm:"column:reported_at"`
	ReplacedBy int64     `gorm:"column:replaced_by"`
	ReplacedAt time.Time `gorm:"column:replaced_at"`
}

// TableName pins the table.
func (SalesHistory) TableName() string { return "sales_history" }

// SalesFilter narrows a list of sales records; zero fields do not filter.
type SalesFilter struct {
	EnterpriseID int64
	ProductID    int64
	PeriodFrom   int
	PeriodTo     int
	Channel      string
}

// ReportScope is what a report covers: a year, one product or all (0), one enterprise or all (0).
type ReportScope struct {
	Year         int
	ProductID    int64
	EnterpriseID int64
}

// YearFigures are the headline figures of one year.
type YearFigures struct {
	Year                  int
	AuthorizedEnterprises int64
	FilingsApproved       int64
	SwitchesApproved      int64
	LabelsIssued          int64
	Scans                 int64
	LabelsScanned         int64 // labels issued this year that have been scanned at least once
	SignalsRaised         int64 // counterfeit signals raised during the year
	SignalsConfirmed      int64 // of those, resolved as confirmed counterfeits
	ChannelTotals
}

// ChannelTotals are sales summed by channel.
type ChannelTotals struct {
	OnlineFen  int64
	ExportFen  int64
	ExportG    int64
	OfflineFen int64
	QuantityG  int64 // all channels
}

// Add adds one group of sales to the totals of its channel.
func (t *ChannelTotals) Add(g SalesGroup) {
	t.QuantityG += g.QuantityG
	switch g.Channel {
	case ChannelOnline:
		t.OnlineFen += g.AmountFen
	case ChannelExport:
		t.ExportFen += g.AmountFen
		t.ExportG += g.QuantityG
	case ChannelOffline:
		t.OfflineFen += g.AmountFen
	}
}

// MonthFigures are one month's sales.
type MonthFigures struct {
	Period int
	ChannelTotals
}

// KeyFigures are sales summed by a platform or a country.
type KeyFigures struct {
	Key       string
	AmountFen int64
	QuantityG int64
}

// SalesGroup is the sum of one month's sales for one channel, platform and country.
type SalesGroup struct {
	Period    int
	Channel   string
	Platform  string
	Country   string
	AmountFen int64
	QuantityG int64
}
