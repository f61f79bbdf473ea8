package model

import (
	"fmt"
	"time"
)

// FilingKind says whether an enterprise starts using the mark or moves from the old one.
type FilingKind string

// Filing kinds.
const (
	FilingNew    FilingKind = "new"
	FilingSwitch FilingKind = "switch" // 换标: from the old mark to the new one
)

// Valid reports whether k is a known kind.
func (k FilingKind) Valid() bool { return k == FilingNew || k == FilingSwitch }

// FilingStatus is a state of DESIGN.md "The filing's life".
type FilingStatus string

// The states.
const (
	StatusDraft     FilingStatus = "draft"
	StatusSubmitted FilingStatus = "submitted"
	StatusReturned  FilingStatus = "returned"
	StatusApproved  FilingStatus = "approved"
	StatusRejected  FilingStatus = "rejected"
	StatusSuspended FilingStatus = "suspended"
	StatusRevoked   FilingStatus = "revoked"
	StatusCancelled FilingStatus = "cancelled"
	StatusWithdrawn FilingStatus = "withdrawn"
)

// AllStatuses lists every state.
var AllStatuses = []FilingStatus{StatusDraft, StatusSubmitted, StatusReturned, StatusApproved, StatusRejected,
	StatusSuspended, StatusRevoked, StatusCancelled, StatusWithdrawn}

// Valid reports whether s is a known state.
func (s FilingStatus) Valid() bool {
	for _, v := range AllStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s FilingStatus) Terminal() bool {
	return s == StatusRejected || s == StatusRevoked || s == StatusCancelled || s == StatusWithdrawn
}

// Editable reports whether the enterprise may change the filing and its documents.
func (s FilingStatus) Editable() bool { return s == StatusDraft || s == StatusReturned }

// Action is a transition's name, as in the API path.
type Action string

// The actions.
const (
	ActSubmit    Action = "submit"
	ActWithdraw  Action = "withdraw"
	ActApprove   Action = "approve"
	ActReject    Action = "reject"
	ActReturn    Action = "return"
	ActSuspend   Action = "suspend"
	ActReinstate Action = "reinstate"
	ActRevoke    Action = "revoke"
	ActCancel    Action = "cancel"
)

// Transition is one arrow of the state machine.
type Transition struct {
	From         []FilingStatus
	To           FilingStatus
	By           Role // who may take it: the owner (enterprise) or a reviewer
	NeedsReason  bool
	IntoRegister bool
}

// Transitions is the state machine exactly as drawn in DESIGN.md.
var Transitions = map[Action]Transition{
	ActSubmit:    {From: []FilingStatus{StatusDraft, StatusReturned}, To: StatusSubmitted, By: RoleEnterprise},
	ActWithdraw:  {From: []FilingStatus{StatusDraft, StatusSubmitted, StatusReturned}, To: StatusWithdrawn, By: RoleEnterprise},
	ActApprove:   {From: []FilingStatus{StatusSubmitted}, To: StatusApproved, By: RoleReviewer},
	ActReject:    {From: []FilingStatus{StatusSubmitted}, To: StatusRejected, By: RoleReviewer, NeedsReason: true},
	ActReturn:    {From: []FilingStatus{StatusSubmitted}, To: StatusReturned, By: RoleReviewer, NeedsReason: true},
	ActSuspend:   {From: []FilingStatus{StatusApproved}, To: StatusSuspended, By: RoleReviewer, NeedsReason: true},
	ActReinstate: {From: []FilingStatus{StatusSuspended}, To: StatusApproved, By: RoleReviewer},
	ActRevoke:    {From: []FilingStatus{StatusApproved, StatusSuspended}, To: StatusRevoked, By: RoleReviewer, NeedsReason: true},
	// Cancelling turns every printed label into a warning and cannot be undone: like a
	// revocation it states why.
	ActCancel: {From: []FilingStatus{StatusApproved}, To: StatusCancelled, By: RoleEnterprise, NeedsReason: true},
}

// Allows reports whether t may start from s.
func (t Transition) Allows(s FilingStatus) bool {
	for _, f := range t.From {
		if f == s {
			return true
		}
	}
	return false
}

// Filing is an enterprise's application to use the GI special mark for one product.
type Filing struct {
	ID                  int64        `gorm:"column:id;primaryKey"`
	EnterpriseID        int64        `gorm:"column:enterprise_id"`
	ProductID           int64        `gorm:"column:product_id"`
	Kind                FilingKind   `gorm:"column:kind"`
	Status              FilingStatus `gorm:"column:status"`
	ProductionAddress   string       `gorm:"column:production_address"`
	AnnualOutputGrams   int64        `gorm:"column:annual_output_grams"`
	AuthorizationNumber *string      `gorm:"column:authorization_number"`
	LabelQuota          *int64       `gorm:"column:label_quota"` // labels per calendar year; nil = no quota
	DecisionReason      string       `gorm:"column:decision_reason"`
	// LiveProductID equals ProductID while the filing is not terminal and is NULL after: a
	// unique index on (enterprise_id, live_product_id) lets the database itself refuse a
	// second live filing for one product (NULLs never collide, on SQLite and MySQL alike).
	LiveProductID *int64     `gorm:"column:live_product_id"`
	SubmittedAt   *time.Time `gorm:"column:submitted_at"`
	ApprovedAt    *time.Time `gorm:"column:approved_at"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	UpdatedAt     time.Time  `gorm:"column:updated_at"`
}

// TableName pins the table.
func (Filing) TableName() string { return "filings" }

// DocumentKind names what a filing's document proves.
type DocumentKind string

// Document kinds.
const (
	DocBusinessLicense DocumentKind = "business_license"  // 营业执照
	DocOriginProof     DocumentKind = "origin_proof"      // 产地证明
	DocQualityReport   DocumentKind = "inspection_report" // 质量检验报告
	DocOther           DocumentKind = "other"
)

// Valid reports whether k is a known kind.
func (k DocumentKind) Valid() bool {
	return k == DocBusinessLicense || k == DocOriginProof || k == DocQualityReport || k == DocOther
}

// RequiredDocuments are the kinds a filing must carry before it is submitted: who the
// enterprise is, and that it produces inside the protected area.
var RequiredDocuments = []DocumentKind{DocBusinessLicense, DocOriginProof}

// MissingDocuments returns the required kinds that docs lack, in RequiredDocuments order.
func MissingDocuments(docs []Document) []DocumentKind {
	var missing []DocumentKind
	for _, k := range RequiredDocuments {
		found := false
		for _, d := range docs {
			if d.Kind == k {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, k)
		}
	}
	return missing
}

// Document is a file attached to a filing; the bytes live on disk under their SHA-256.
type Document struct {
	ID          int64        `gorm:"column:id;primaryKey"`
	FilingID    int64        `gorm:"column:filing_id"`
	Kind        DocumentKind `gorm:"column:kind"`
	Filename    string       `gorm:"column:filename"`
	ContentType string       `gorm:"column:content_type"`
	Size        int64        `gorm:"column:size"`
	SHA256      string       `gorm:"column:sha256"`
	UploadedBy  int64        `gorm:"column:uploaded_by"`
	CreatedAt   time.Time    `gorm:"column:created_at"`
}

// TableName pins the table.
func (Document) TableName() string { return "documents" }

// FormatAuthorizationNumber writes an authorization number: "GI-", the region code, the
// year and a five-digit serial, e.g. GI-620421-2026-00017. Readable aloud, sortable, unique.
func FormatAuthorizationNumber(region string, year int, serial int64) string {
	return fmt.Sprintf("GI-%s-%d-%05d", region, year, serial)
}

// FilingFilter narrows a list of filings. Zero fields do not filter.
type FilingFilter struct {
	EnterpriseID int64
	ProductID    int64
	Status       FilingStatus
}

// FilingTransition is one state change of a filing.
type FilingTransition struct {
	ID      int64
	Action  Action
	From    FilingStatus // the state the caller saw; the update applies only if it still holds
	To      FilingStatus
	Reason  string
	ActorID int64
	// For approval: the yearly label quota and the region code that starts the number.
	LabelQuota *int64
	RegionCode string
}

// FilingEvent is an audit event of a filing with its actor's name.
type FilingEvent struct {
	AuditEvent
	ActorUsername string `gorm:"column:actor_username"`
	ActorRole     Role   `gorm:"column:actor_role"`
}

// RegistryEntry is one line of the public register of authorized users.
type RegistryEntry struct {
	FilingID            int64     `gorm:"column:filing_id"`
	EnterpriseName      string    `gorm:"column:enterprise_name"`
	USCC                string    `gorm:"column:uscc"`
	ProductID           int64     `gorm:"column:product_id"`
	ProductName         string    `gorm:"column:product_name"`
	AuthorizationNumber string    `gorm:"column:authorization_number"`
	ApprovedAt          time.Time `gorm:"column:approved_at"`
}
