// Package signal keeps the counterfeit signals reviewers work: the rules that raise them
// from scans (rules.go), consumers' reports from the verification page (report.go), and the
// workflow open → acknowledged → resolved with its trail (this file).
package signal

import (
	"context"
	"slices"
	"strings"
	"time"

	"gimark/model"
)

// Store is the storage the workflow needs.
type Store interface {
	ListSignalCases(ctx context.Context, f model.SignalFilter, page model.Page) ([]model.SignalCase, int64, error)
	SignalByID(ctx context.Context, id int64) (*model.SignalCase, error)
	SignalEvents(ctx context.Context, id int64) ([]model.SignalEvent, error)
	ConsumerReports(ctx context.Context, signalID int64) ([]model.ConsumerReport, error)
	ChangeSignal(ctx context.Context, ch model.SignalChange, check func(*model.SignalCase) error) (*model.SignalCase, error)
	CountSignals(ctx context.Context, enterpriseID int64) (map[string]int64, error)
	CountSignalsSince(ctx context.Context, enterpriseID int64, since *time.Time) (int64, error)
	SignalsSeenAt(ctx context.Context, userID int64) (*time.Time, error)
	MarkSignalsSeen(ctx context.Context, userID int64, at time.Time) error
}

// Service is the signal workflow. Reviewers see and work every signal; admins see every
// signal and may add notes; an enterprise sees the signals on its own labels, read-only,
// and may add notes. Another enterprise's signal is 404.
type Service struct {
	store Store
}

// New wires a Service.
func New(st Store) *Service { return &Service{store: st} }

// Filter checks a list filter and narrows it to what p may see.
func (s *Service) scope(p model.Principal, f *model.SignalFilter) error {
	var errs model.Fields
	if f.State != "" && !slices.Contains(model.SignalStates, f.State) {
		errs.Add("state", model.FieldSignalState, "must be one of %s", strings.Join(model.SignalStates, ", "))
	}
	if f.Rule != "" && !slices.Contains(model.SignalRules, f.Rule) {
		errs.Add("rule", model.FieldSignalKind, "must be one of %s", strings.Join(model.SignalRules, ", "))
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		errs.Add("to", model.FieldNotAfterFrom, "must be after from")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if p.Role == model.RoleEnterprise {
		if f.EnterpriseID != 0 && f.EnterpriseID != p.EnterpriseID {
			f.EnterpriseID = -1 // another enterprise's signals: none
		} else {
			f.EnterpriseID = p.EnterpriseID
		}
	}
	return nil
}

// List returns one page of the signals p may see, latest evidence first.
func (s *Service) List(ctx context.Context, p model.Principal, f model.SignalFilter, page model.Page) ([]model.SignalCase, int64, error) {
	if err := s.scope(p, &f); err != nil {
		return nil, 0, err
	}
	return s.store.ListSignalCases(ctx, f, page)
}

// Counts counts the signals p may see per state (the console's navigation shows them).
func (s *Service) Counts(ctx context.Context, p model.Principal) (map[string]int64, error) {
	ent := int64(0)
	if p.Role == model.RoleEnterprise {
		ent = p.EnterpriseID
	}
	return s.store.CountSignals(ctx, ent)
}

// Unseen counts the signals p may see that were raised after p last opened the signal
// list (every one when p never has): the console's "new since last visit".
func (s *Service) Unseen(ctx context.Context, p model.Principal) (int64, error) {
	since, err := s.SeenAt(ctx, p)
	if err != nil {
		return 0, err
	}
	ent := int64(0)
	if p.Role == model.RoleEnterprise {
		ent = p.EnterpriseID
	}
	return s.store.CountSignalsSince(ctx, ent, since)
}

// SeenAt is when p last opened the signal list (nil: never).
func (s *Service) SeenAt(ctx context.Context, p model.Principal) (*time.Time, error) {
	return s.store.SignalsSeenAt(ctx, p.UserID)
}

// MarkSeen records that p opened the signal list at at. Call it before reading the list:
// a signal raised while the list is read is then counted as new next time rather than lost.
func (s *Service) MarkSeen(ctx context.Context, p model.Principal, at time.Time) error {
	return s.store.MarkSignalsSeen(ctx, p.UserID, at)
}

// Detail is a signal with its trail and the consumer reports behind it.
type Detail struct {
	Signal  *model.SignalCase
	Events  []model.SignalEvent
	Reports []model.ConsumerReport
}

func visible(p model.Principal, sig *model.SignalCase) bool {
	if p.IsStaff() {
		return true
	}
	return sig.EnterpriseID != nil && p.OwnsEnterprise(*sig.EnterpriseID)
}

// Get returns a signal p may see, with its trail. An enterprise does not see reporters'
// phone numbers: only the bureau calls consumers back.
func (s *Service) Get(ctx context.Context, p model.Principal, id int64) (*Detail, error) {
	sig, err := s.store.SignalByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(p, sig) {
		return nil, model.NotFound("signal")
	}
	evs, err := s.store.SignalEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	reps, err := s.store.ConsumerReports(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() {
		for i := range reps {
			reps[i].Phone = ""
		}
	}
	return &Detail{Signal: sig, Events: evs, Reports: reps}, nil
}

// Change is a workflow request: a state to move to (with a resolution when resolving), or
// none for a note alone. The note is required either way.
type Change struct {
	To, Resolution, Note string
}

// Act applies c to signal id for p.
func (s *Service) Act(ctx context.Context, p model.Principal, id int64, c Change) (*model.SignalCase, error) {
	var f model.Fields
	note := model.RequireText(&f, "note", c.Note, 2000)
	switch c.To {
	case "":
		if c.Resolution != "" {
			f.Add("resolution", model.FieldResolution, "is only given when resolving")
		}
	case model.SignalAcknowledged:
		if c.Resolution != "" {
			f.Add("resolution", model.FieldResolution, "is only given when resolving")
		}
	case model.SignalResolved:
		if c.Resolution != model.ResolutionConfirmed && c.Resolution != model.ResolutionFalseAlarm {
			f.Add("resolution", model.FieldResolution, "must be confirmed_counterfeit or false_alarm")
		}
	default:
		f.Add("to", model.FieldSignalTo, "must be acknowledged or resolved (or empty for a note)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	check := func(sig *model.SignalCase) error {
		if !visible(p, sig) {
			return model.NotFound("signal")
		}
		if c.To != "" && p.Role != model.RoleReviewer {
			return model.CodeError(model.KindForbidden, "forbidden", "only a reviewer changes a signal's state; add a note instead")
		}
		return nil
	}
	return s.store.ChangeSignal(ctx, model.SignalChange{SignalID: id, ActorID: p.UserID, To: c.To, Resolution: c.Resolution, Note: note}, check)
}

// ParseTime reads a filter bound: a date (2026-03-01, China time) or an RFC 3339 time.
func ParseTime(v string) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, cst); err == nil {
		return &t, true
	}
	return nil, false
}

var cst = time.FixedZone("CST", 8*3600)
