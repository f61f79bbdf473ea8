package model

import "time"

// Print file formats: what a download of a batch's print files produced.
const (
	PrintPDF = "pdf" // labels.pdf: sheets of labels on a template
	PrintZIP = "zip" // labels.zip: one QR PNG per label
	PrintCSV = "csv" // codes.csv: serial, code, url for variable-data printing
)

// MaxPrintLabels is the most labels one labels.pdf may hold.
const MaxPrintLabels = 10_000

// PrintRecord is one download of a batch's print files: who, when, what and which labels,
// and the SHA-256 of the exact file sent. A download whose serial range overlaps one printed
// before is a reprint.
type PrintRecord struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	BatchID      int64     `gorm:"column:batch_id"`
	FilingID     int64     `gorm:"column:filing_id"`
	EnterpriseID int64     `gorm:"column:enterprise_id"`
	UserID       int64     `gorm:"column:user_id"`
	Format       string    `gorm:"column:format"`
	Template     string    `gorm:"column:template"` // labels.pdf only
	FromSerial   int       `gorm:"column:from_serial"`
	ToSerial     int       `gorm:"column:to_serial"`
	Labels       int       `gorm:"column:labels"`
	SHA256       string    `gorm:"column:sha256"`
	Size         int64     `gorm:"column:size"`
	Reprint      bool      `gorm:"column:reprint"`
	CreatedAt    time.Time `gorm:"column:created_at"`
}

// TableName pins the table.
func (PrintRecord) TableName() string { return "print_records" }

// PrintFilter selects print records; zero fields do not filter.
type PrintFilter struct {
	BatchID      int64
	FilingID     int64
	EnterpriseID int64
}

// SpecialMark is an upload of the special mark's official artwork (the newest is in use) and
// where the user's code goes on it, as fractions of the artwork's width and height.
type SpecialMark struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	SHA256      string    `gorm:"column:sha256"`
	ContentType string    `gorm:"column:content_type"`
	Size        int64     `gorm:"column:size"`
	Width       int       `gorm:"column:width"`  // pixels (of an SVG: of the PNG it prints as)
	Height      int       `gorm:"column:height"` //
	SlotX       float64   `gorm:"column:slot_x"`
	SlotY       float64   `gorm:"column:slot_y"`
	SlotW       float64   `gorm:"column:slot_w"`
	SlotH       float64   `gorm:"column:slot_h"`
	UploadedBy  int64     `gorm:"column:uploaded_by"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName pins the table.
func (SpecialMark) TableName() string { return "special_marks" }
