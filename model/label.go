package model

import (
	"strings"
	"time"
)

// Label and batch states.
const (
	LabelActive = "active"
	LabelVoided = "voided"
)

// MaxBatchQuantity is the most labels one order may ask for.
const MaxBatchQuantity = 1_000_000

// LabelBatch is one order of labels for an approved filing.
type LabelBatch struct {
	ID       int64 `gorm:"column:id;primaryKey"`
	FilingID int64 `gorm:"column:filing_id"`
	Quantity int   `gorm:"column:quantity"`
	// FirstLabelID starts the batch's contiguous range of label ids.
	FirstLabelID int64      `gorm:"column:first_label_id"`
	Status       string     `gorm:"column:status"`
	VoidReason   string     `gorm:"column:void_reason"`
	CreatedBy    int64      `gorm:"column:created_by"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	VoidedAt     *time.Time `gorm:"column:voided_at"`

	// GTIN (14 digits) and Lot (GS1 AI 10) are set when the batch's labels carry GS1 Digital
	// Link URIs (see LabelURLPrefix); both "" otherwise.
	GTIN string `gorm:"column:gtin"`
	Lot  string `gorm:"column:lot"`

	// PublicBaseURL is GIMARK_PUBLIC_BASE_URL when the batch was ordered, so a later change
	// of domain never changes what the batch reprints. Nil for batches ordered before it was
	// recorded: they use the configured base URL.
	PublicBaseURL *string `gorm:"column:public_base_url"`
}

// TableName pins the table.
func (LabelBatch) TableName() string { return "label_batches" }

// BaseURL is the public base URL the batch's labels point at: the one recorded when it was
// ordered, or fallback (the configured one) for a batch ordered before it was recorded.
func (b *LabelBatch) BaseURL(fallback string) string {
	if b.PublicBaseURL != nil && *b.PublicBaseURL != "" {
		return *b.PublicBaseURL
	}
	return strings.TrimRight(fallback, "/")
}

// BatchCount is how many labels of an active batch are active: what a suspension,
// revocation or cancellation of its filing, or voiding the batch, would turn into warnings.
type BatchCount struct {
	BatchID      int64
	ActiveLabels int64
}

// Label is one printed label: a unique, unguessable code and its serial in the batch.
type Label struct {
	ID             int64      `gorm:"column:id;primaryKey"`
	BatchID        int64      `gorm:"column:batch_id"`
	FilingID       int64      `gorm:"column:filing_id"`
	Serial         int        `gorm:"column:serial"`
	Code           string     `gorm:"column:code"`
	Status         string     `gorm:"column:status"`
	VoidReason     string     `gorm:"column:void_reason"`
	ScanCount      int64      `gorm:"column:scan_count"`
	FirstScannedAt *time.Time `gorm:"column:first_scanned_at"`
	LastScannedAt  *time.Time `gorm:"column:last_scanned_at"`
}

// TableName pins the table.
func (Label) TableName() string { return "labels" }

// Scan results (DESIGN.md "Verification").
const (
	ResultGenuine  = "genuine"
	ResultWarning  = "warning"
	ResultNotFound = "not_found"
	ResultInvalid  = "invalid"
)

// Scan is one recorded verification.
type Scan struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	LabelID    *int64    `gorm:"column:label_id"`
	Code       string    `gorm:"column:code"`
	Result     string    `gorm:"column:result"`
	ClientHash string    `gorm:"column:client_hash"`
	UserAgent  string    `gorm:"column:user_agent"`
	ScannedAt  time.Time `gorm:"column:scanned_at"`
	Network    string    `gorm:"column:network"` // keyed hash of the client's /24 or /48
	Dead       bool      `gorm:"-"`              // the label was voided or its filing withdrawn when scanned
	BatchID    int64     `gorm:"-"`              // the label's batch, as verification read it
	Count      int64     `gorm:"-"`              // which scan of the label this was, as the consumer was told
}

// TableName pins the table.
func (Scan) TableName() string { return "scans" }

// UnknownCode aggregates verifications of a well-formed code that was never issued.
type UnknownCode struct {
	Code      string    `gorm:"column:code;primaryKey"`
	Count     int64     `gorm:"column:count"`
	FirstSeen time.Time `gorm:"column:first_seen"`
	LastSeen  time.Time `gorm:"column:last_seen"`
}

// TableName pins the table.
func (UnknownCode) TableName() string { return "unknown_codes" }
