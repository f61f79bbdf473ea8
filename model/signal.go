package model

import (
	"encoding/json"
	"time"
)

// Signal rules (internal/signal's rule table names each) and the consumer's report.
const (
	RuleOverScanned    = "over_scanned"
	RuleSpread         = "spread"
	RuleBurst          = "burst"
	RuleCodeGuessing   = "code_guessing"
	RuleDeadLabel      = "dead_label"
	RuleUnknownCode    = "unknown_code"
	RuleConsumerReport = "consumer_report"
)

// SignalRules lists every rule name a signal may carry, in the order the console shows them.
var SignalRules = []string{RuleOverScanned, RuleSpread, RuleBurst, RuleCodeGuessing, RuleDeadLabel, RuleUnknownCode, RuleConsumerReport}

// Signal states and resolutions (open → acknowledged → resolved).
const (
	SignalOpen         = "open"
	SignalAcknowledged = "acknowledged"
	SignalResolved     = "resolved"

	ResolutionConfirmed  = "confirmed_counterfeit"
	ResolutionFalseAlarm = "false_alarm"
)

// SignalStates lists the states in workflow order.
var SignalStates = []string{SignalOpen, SignalAcknowledged, SignalResolved}

// SignalCanMove reports whether a signal in state from may move to state to.
func SignalCanMove(from, to string) bool {
	switch to {
	case SignalAcknowledged:
		return from == SignalOpen
	case SignalResolved:
		return from == SignalOpen || from == SignalAcknowledged
	}
	return false
}

// SignalCase is a counterfeit signal with a state: raised once by a rule or a consumer
// report, then updated (count, last evidence) while it is not resolved.
type SignalCase struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	Rule         string    `gorm:"column:rule"`
	OpenKey      *string   `gorm:"column:open_key"`
	State        string    `gorm:"column:state"`
	Resolution   string    `gorm:"column:resolution"`
	Code         string    `gorm:"column:code"`
	LabelID      *int64    `gorm:"column:label_id"`
	BatchID      *int64    `gorm:"column:batch_id"`
	FilingID     *int64    `gorm:"column:filing_id"`
	EnterpriseID *int64    `gorm:"column:enterprise_id"`
	ProductID    *int64    `gorm:"column:product_id"`
	Network      string    `gorm:"column:network"` // keyed hash of a client network, for network rules
	Count        int64     `gorm:"column:count"`
	Detail       string    `gorm:"column:detail"`
	FirstSeen    time.Time `gorm:"column:first_seen"`
	LastSeen     time.Time `gorm:"column:last_seen"`
	CreatedAt    time.Time `gorm:"column:created_at"`
	UpdatedAt    time.Time `gorm:"column:updated_at"`
}

// TableName pins the table.
func (SignalCase) TableName() string { return "signals" }

// SignalRaise is evidence for a signal: a rule fired (or a consumer reported). Key names what
// it is about; evidence with the key of an unresolved signal updates that signal.
type SignalRaise struct {
	Rule, Key, Code string
	LabelID         *int64
	BatchID         *int64
	FilingID        *int64
	EnterpriseID    *int64
	ProductID       *int64
	Network         string
	// Count is added to the signal's count; when Absolute, it replaces it (a rule that
	// measures a total, such as a label's scans).
	Count       int64
	Absolute    bool
	First, Last time.Time
	Detail      string
}

// SignalEvent is one step of a signal's trail.
type SignalEvent struct {
	ID            int64     `gorm:"column:id;primaryKey"`
	SignalID      int64     `gorm:"column:signal_id"`
	ActorID       *int64    `gorm:"column:actor_id"`
	Action        string    `gorm:"column:action"` // raise | acknowledge | resolve | note
	FromState     string    `gorm:"column:from_state"`
	ToState       string    `gorm:"column:to_state"`
	Resolution    string    `gorm:"column:resolution"`
	Note          string    `gorm:"column:note"`
	At            time.Time `gorm:"column:at"`
	ActorUsername string    `gorm:"->;column:actor_username"`
	ActorRole     string    `gorm:"->;column:actor_role"`
}

// TableName pins the table.
func (SignalEvent) TableName() string { return "signal_events" }

// SignalFilter narrows a signal list; zero values match everything.
type SignalFilter struct {
	State, Rule  string
	ProductID    int64
	EnterpriseID int64
	From, To     *time.Time // last evidence within [From, To)
	MinTries     int64      // unknown_code signals with fewer tries are left out
}

// SignalChange is one workflow step asked for by a person.
type SignalChange struct {
	SignalID   int64
	ActorID    int64
	To         string // "" for a note alone
	Resolution string
	Note       string
}

// ConsumerReport is a consumer's report of a suspected fake (举报), from the /v/ page.
type ConsumerReport struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	SignalID    int64     `gorm:"column:signal_id"`
	Code        string    `gorm:"column:code"`
	LabelID     *int64    `gorm:"column:label_id"`
	WhereBought string    `gorm:"column:where_bought"`
	City        string    `gorm:"column:city"`
	Problem     string    `gorm:"column:problem"`
	Phone       string    `gorm:"column:phone"`
	PhotoSHA256 string    `gorm:"column:photo_sha256"`
	PhotoType   string    `gorm:"column:photo_type"`
	Network     string    `gorm:"column:network"`
	TokenHash   string    `gorm:"column:token_hash"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName pins the table.
func (ConsumerReport) TableName() string { return "consumer_reports" }

// LabelOwner is what a signal needs to know of a label: where it belongs, whether it or its
// filing is dead, and its folded scan count.
type LabelOwner struct {
	LabelID      int64
	Code         string
	LabelStatus  string
	ScanCount    int64
	BatchID      int64
	FilingID     int64
	FilingStatus FilingStatus
	EnterpriseID int64
	ProductID    int64
}

// Webhook is an endpoint that receives signals: the bureau's (EnterpriseID nil) or one
// enterprise's, for the signals on its labels.
type Webhook struct {
	ID             int64      `gorm:"column:id;primaryKey"`
	EnterpriseID   *int64     `gorm:"column:enterprise_id"`
	URL            string     `gorm:"column:url"`
	Secret         string     `gorm:"column:secret"`
	Kinds          string     `gorm:"column:kinds"` // comma-separated rules; empty: all
	CreatedBy      int64      `gorm:"column:created_by"`
	CreatedAt      time.Time  `gorm:"column:created_at"`
	FailingSince   *time.Time `gorm:"column:failing_since"`
	DisabledAt     *time.Time `gorm:"column:disabled_at"`
	DisabledReason string     `gorm:"column:disabled_reason"`
	DeletedAt      *time.Time `gorm:"column:deleted_at"`
}

// TableName pins the table.
func (Webhook) TableName() string { return "webhooks" }

// Webhook event states.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxFailed    = "failed"    // retried for 24 h without success
	OutboxAbandoned = "abandoned" // the endpoint was disabled or deleted
)

// WebhookEvent is one outbox row: an event for one endpoint.
type WebhookEvent struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	EventID       string     `gorm:"column:event_id"`
	WebhookID     int64      `gorm:"column:webhook_id"`
	SignalID      int64      `gorm:"column:signal_id"`
	Type          string     `gorm:"column:type"`
	Payload       string     `gorm:"column:payload"`
	State         string     `gorm:"column:state"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	DeliveredAt   *time.Time `gorm:"column:delivered_at"`
}

// TableName pins the table.
func (WebhookEvent) TableName() string { return "webhook_events" }

// WebhookDelivery is one attempt to deliver an event.
type WebhookDelivery struct {
	ID             int64     `gorm:"column:id;primaryKey"`
	WebhookID      int64     `gorm:"column:webhook_id"`
	WebhookEventID int64     `gorm:"column:webhook_event_id"`
	EventID        string    `gorm:"column:event_id"`
	Attempt        int       `gorm:"column:attempt"`
	StatusCode     int       `gorm:"column:status_code"`
	Error          string    `gorm:"column:error"`
	DurationMS     int64     `gorm:"column:duration_ms"`
	At             time.Time `gorm:"column:at"`
}

// TableName pins the table.
func (WebhookDelivery) TableName() string { return "webhook_deliveries" }

// Webhook event types.
const (
	EventSignalRaised   = "signal.raised"
	EventSignalAcked    = "signal.acknowledged"
	EventSignalResolved = "signal.resolved"
)

// SignalPayload is the JSON body a webhook receives.
func SignalPayload(eventID, typ string, at time.Time, s *SignalCase) ([]byte, error) {
	type sig struct {
		ID           int64     `json:"id"`
		Rule         string    `json:"rule"`
		State        string    `json:"state"`
		Resolution   string    `json:"resolution,omitempty"`
		Code         string    `json:"code,omitempty"`
		BatchID      *int64    `json:"batch_id,omitempty"`
		FilingID     *int64    `json:"filing_id,omitempty"`
		EnterpriseID *int64    `json:"enterprise_id,omitempty"`
		ProductID    *int64    `json:"product_id,omitempty"`
		Count        int64     `json:"count"`
		FirstSeen    time.Time `json:"first_seen"`
		LastSeen     time.Time `json:"last_seen"`
	}
	return json.Marshal(struct {
		ID     string    `json:"id"`
		Type   string    `json:"type"`
		At     time.Time `json:"created_at"`
		Signal sig       `json:"signal"`
	}{eventID, typ, at.UTC(), sig{s.ID, s.Rule, s.State, s.Resolution, s.Code, s.BatchID, s.FilingID, s.EnterpriseID,
		s.ProductID, s.Count, s.FirstSeen.UTC(), s.LastSeen.UTC()}})
}

// DueWebhookEvent is a claimed outbox row with what delivering it needs.
type DueWebhookEvent struct {
	WebhookEvent
	URL    string `gorm:"column:url"`
	Secret string `gorm:"column:secret"`
}

// WebhookAttempt is the outcome of one delivery attempt.
type WebhookAttempt struct {
	Event      DueWebhookEvent
	At         time.Time
	StatusCode int
	Err        string
	Duration   time.Duration
	OK         bool
	Next       time.Time     // when to try again after a failure
	GiveUp     bool          // the event has been retried long enough
	DisableFor time.Duration // an endpoint failing this long is disabled
}

// ObservedScan is a scan as the signal rules see it, after its flush is written: the client
// only as its network's keyed hash (Network) and, for the hour a network's verification
// limit may be tightened, its prefix (Prefix, kept in memory only, never stored).
type ObservedScan struct {
	LabelID *int64
	Code    string
	Result  string
	Network string
	Prefix  string
	At      time.Time
	Dead    bool  // the label was voided or its filing suspended, revoked or cancelled at the scan
	BatchID int64 // the label's batch (0: unknown, read from the database)
	Count   int64 // which scan of the label this was (0: unknown, counted from the database)
}

// ScanScope says whose scans an analytics query counts: a batch's labels, or a product's
// (of one enterprise when EnterpriseID is set), scanned in [From, To).
type ScanScope struct {
	BatchID      int64
	ProductID    int64
	EnterpriseID int64
	From, To     time.Time
}

// ScanStats are a batch's or a product's scan figures for a period.
type ScanStats struct {
	From, To      time.Time
	Days          []DayScans
	Scans         int64
	Networks      int64 // distinct client networks (scans recorded before networks were kept count as none)
	LabelsIssued  int64
	LabelsScanned int64 // labels scanned at least once, ever (activation)
	Signals       int64 // signals raised in the period
	SignalsByRule map[string]int64
}

// DayScans is one day (China time) of scans.
type DayScans struct {
	Date     string `gorm:"column:day"`
	Scans    int64  `gorm:"column:scans"`
	Networks int64  `gorm:"column:networks"`
}
