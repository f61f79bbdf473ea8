package model

import "time"

// The read models of verification (internal/verify): what it reads of a label, its batch and
// its filing, and the batches of scans it writes back.

// LabelFacts is what verification shows about a label's filing, product and enterprise;
// it changes rarely and is cached.
type LabelFacts struct {
	FilingID            int64
	FilingStatus        FilingStatus
	AuthorizationNumber string
	ProductID           int64
	ProductName         string
	ProductKind         ProductKind
	ReferenceNumber     string
	RegistrationNumber  string
	Standard            string
	EnterpriseName      string
	EnterpriseUSCC      string
}

// BatchFacts is what verification shows about a label's batch.
type BatchFacts struct {
	ID           int64
	FilingID     int64
	FirstLabelID int64 // a label's serial is its id - FirstLabelID + 1
	CreatedAt    time.Time
	Status       string
	VoidReason   string
}

// VerifyRow is what verification reads of a label: one indexed lookup by code, of as few
// columns as will do (the filing and serial follow from the batch, which is cached).
type VerifyRow struct {
	ID             int64
	BatchID        int64
	Status         string
	VoidReason     string // read only for a voided label
	ScanCount      int64
	FirstScannedAt *time.Time
	FoldMark       int64 // the mark of the last fold that changed ScanCount: the label's scans with id up to it are in, later ones not yet (where counts are folded)
}

// ScanFlush is one batch of buffered verification events, written together.
type ScanFlush struct {
	Scans   []Scan
	Labels  map[int64]ScanTally  // label id → scans to add
	Unknown map[string]ScanTally // unknown code → tries to add
}

// ScanTally aggregates the scans of one label (or one unknown code) in a flush.
type ScanTally struct {
	Count       int64
	First, Last time.Time
}

// Add counts one scan at time at.
func (t *ScanTally) Add(at time.Time) {
	if t.Count == 0 || at.Before(t.First) {
		t.First = at
	}
	if at.After(t.Last) {
		t.Last = at
	}
	t.Count++
}
