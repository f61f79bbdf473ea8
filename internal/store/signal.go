package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

func init() {
	registerUnique(uniqueIndex{"ux_consumer_reports_token", "consumer_reports.token_hash", "token",
		"this report form was already sent; open the label's page again to send another", model.FieldTaken})
}

// RaiseSignals applies a flush's worth of rule evidence in one transaction: each piece
// raises a signal (with its "raise" trail event and its webhook events in the outbox) or
// updates the unresolved signal with the same key.
func (s *Store) RaiseSignals(ctx context.Context, raises []model.SignalRaise) error {
	if len(raises) == 0 {
		return nil
	}
	// A fixed order: two instances raising the same keys lock them in the same order.
	raises = slices.Clone(raises)
	slices.SortFunc(raises, func(a, b model.SignalRaise) int { return strings.Compare(a.Key, b.Key) })
	return translate(s.raiseRetry(ctx, func(tx *gorm.DB) error {
		for i := range raises {
			if _, _, err := s.raiseTx(tx, &raises[i]); err != nil {
				return err
			}
		}
		return nil
	}), "signal")
}

// raiseRetry runs fn in a transaction, again when a concurrent instance inserted the same
// open key first (the second attempt then updates its signal).
func (s *Store) raiseRetry(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.retry(ctx, fn); err == nil || !isDuplicate(err) || strings.Contains(err.Error(), "token") {
			return err
		}
	}
	return err
}

// raiseTx raises or updates one signal inside tx; created says which.
func (s *Store) raiseTx(tx *gorm.DB, r *model.SignalRaise) (*model.SignalCase, bool, error) {
	now := s.Now()
	var cur model.SignalCase
	q := tx.Where("open_key = ?", r.Key)
	if s.dialect == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&cur).Error
	switch {
	case err == gorm.ErrRecordNotFound:
		key := r.Key
		sig := model.SignalCase{Rule: r.Rule, OpenKey: &key, State: model.SignalOpen, Code: r.Code, LabelID: r.LabelID,
			BatchID: r.BatchID, FilingID: r.FilingID, EnterpriseID: r.EnterpriseID, ProductID: r.ProductID, Network: r.Network,
			Count: r.Count, Detail: r.Detail, FirstSeen: r.First.UTC(), LastSeen: r.Last.UTC(), CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&sig).Error; err != nil {
			return nil, false, err
		}
		if err := tx.Create(&model.SignalEvent{SignalID: sig.ID, Action: "raise", ToState: model.SignalOpen, Note: r.Detail, At: now}).Error; err != nil {
			return nil, false, err
		}
		if err := s.enqueue(tx, &sig, model.EventSignalRaised, now); err != nil {
			return nil, false, err
		}
		return &sig, true, nil
	case err != nil:
		return nil, false, err
	}
	set := map[string]any{"updated_at": now}
	if r.Absolute {
		set["count"] = r.Count
	} else {
		set["count"] = gorm.Expr("count + ?", r.Count)
	}
	if r.Last.After(cur.LastSeen) {
		set["last_seen"] = r.Last.UTC()
	}
	if r.First.Before(cur.FirstSeen) {
		set["first_seen"] = r.First.UTC()
	}
	if r.Detail != "" {
		set["detail"] = r.Detail
	}
	if err := tx.Model(&model.SignalCase{}).Where("id = ?", cur.ID).Updates(set).Error; err != nil {
		return nil, false, err
	}
	if err := tx.Take(&cur, cur.ID).Error; err != nil {
		return nil, false, err
	}
	return &cur, false, nil
}

// newEventID is an outbox event's identity, the X-Gimark-Event-Id a receiver dedupes on.
func newEventID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// enqueue writes one outbox row per live endpoint that wants this signal: the bureau's, and
// the concerned enterprise's own. It runs in the transaction of the change it announces.
func (s *Store) enqueue(tx *gorm.DB, sig *model.SignalCase, typ string, at time.Time) error {
	var hooks []model.Webhook
	q := tx.Where("deleted_at IS NULL AND disabled_at IS NULL")
	if sig.EnterpriseID != nil {
		q = q.Where("enterprise_id IS NULL OR enterprise_id = ?", *sig.EnterpriseID)
	} else {
		q = q.Where("enterprise_id IS NULL")
	}
	if err := q.Order("id").Find(&hooks).Error; err != nil {
		return err
	}
	var rows []model.WebhookEvent
	var id string
	var payload []byte
	for _, h := range hooks {
		if h.Kinds != "" && !slices.Contains(strings.Split(h.Kinds, ","), sig.Rule) {
			continue
		}
		if id == "" {
			var err error
			if id, err = newEventID(); err != nil {
				return err
			}
			if payload, err = model.SignalPayload(id, typ, at, sig); err != nil {
				return err
			}
		}
		rows = append(rows, model.WebhookEvent{EventID: id, WebhookID: h.ID, SignalID: sig.ID, Type: typ, Payload: string(payload),
			State: model.OutboxPending, NextAttemptAt: at, CreatedAt: at})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// CreateConsumerReport stores a consumer's report and raises (or updates) its signal, in one
// transaction. A spent token collides with ux_consumer_reports_token: 409.
func (s *Store) CreateConsumerReport(ctx context.Context, rep *model.ConsumerReport, raise model.SignalRaise) (*model.SignalCase, error) {
	var sig *model.SignalCase
	err := s.raiseRetry(ctx, func(tx *gorm.DB) error {
		var err error
		if sig, _, err = s.raiseTx(tx, &raise); err != nil {
			return err
		}
		rep.ID = 0
		rep.SignalID = sig.ID
		rep.CreatedAt = s.Now()
		return tx.Create(rep).Error
	})
	if err != nil {
		return nil, translate(err, "report")
	}
	return sig, nil
}

// SignalByID finds a signal.
func (s *Store) SignalByID(ctx context.Context, id int64) (*model.SignalCase, error) {
	var sig model.SignalCase
	if err := s.db.WithContext(ctx).Take(&sig, id).Error; err != nil {
		return nil, translate(err, "signal")
	}
	return &sig, nil
}

func signalScope(q *gorm.DB, f model.SignalFilter) *gorm.DB {
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Rule != "" {
		q = q.Where("rule = ?", f.Rule)
	}
	if f.ProductID != 0 {
		q = q.Where("product_id = ?", f.ProductID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", f.EnterpriseID)
	}
	if f.From != nil {
		q = q.Where("last_seen >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("last_seen < ?", f.To.UTC())
	}
	if f.MinTries > 0 {
		q = q.Where("(rule <> ? OR count >= ?)", model.RuleUnknownCode, f.MinTries)
	}
	return q
}

// ListSignalCases returns one page of signals, latest evidence first, and the total.
func (s *Store) ListSignalCases(ctx context.Context, f model.SignalFilter, page model.Page) ([]model.SignalCase, int64, error) {
	q := signalScope(s.rdb.WithContext(ctx).Model(&model.SignalCase{}), f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "signal")
	}
	var out []model.SignalCase
	err := q.Order("last_seen DESC, id DESC").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "signal")
}

// CountSignals counts signals per state (of one enterprise when enterpriseID is not 0).
func (s *Store) CountSignals(ctx context.Context, enterpriseID int64) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	q := s.rdb.WithContext(ctx).Model(&model.SignalCase{}).Select("state, COUNT(*) AS n")
	if enterpriseID != 0 {
		q = q.Where("enterprise_id = ?", enterpriseID)
	}
	if err := q.Group("state").Scan(&rows).Error; err != nil {
		return nil, translate(err, "signal")
	}
	out := map[string]int64{}
	for _, st := range model.SignalStates {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// CountSignalsSince counts the signals raised after since (every signal when since is nil),
// of one enterprise when enterpriseID is not 0.
func (s *Store) CountSignalsSince(ctx context.Context, enterpriseID int64, since *time.Time) (int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.SignalCase{})
	if enterpriseID != 0 {
		q = q.Where("enterprise_id = ?", enterpriseID)
	}
	if since != nil {
		q = q.Where("created_at > ?", since.UTC())
	}
	var n int64
	err := q.Count(&n).Error
	return n, translate(err, "signal")
}

// SignalsSeenAt is when the user last opened the signal list (nil: never).
func (s *Store) SignalsSeenAt(ctx context.Context, userID int64) (*time.Time, error) {
	var row struct{ SignalsSeenAt *time.Time }
	err := s.db.WithContext(ctx).Table("users").Select("signals_seen_at").Where("id = ?", userID).Take(&row).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	if row.SignalsSeenAt != nil {
		t := row.SignalsSeenAt.UTC()
		return &t, nil
	}
	return nil, nil
}

// MarkSignalsSeen records that the user opened the signal list at at. It never moves the
// time back (two tabs opened out of order keep the later visit).
func (s *Store) MarkSignalsSeen(ctx context.Context, userID int64, at time.Time) error {
	err := s.db.WithContext(ctx).Table("users").Where("id = ? AND (signals_seen_at IS NULL OR signals_seen_at < ?)", userID, at.UTC()).
		Update("signals_seen_at", at.UTC()).Error
	return translate(err, "user")
}

// SignalEvents lists a signal's trail, oldest first.
func (s *Store) SignalEvents(ctx context.Context, id int64) ([]model.SignalEvent, error) {
	var out []model.SignalEvent
	err := s.rdb.WithContext(ctx).Table("signal_events AS e").
		Select("e.*, u.username AS actor_username, u.role AS actor_role").
		Joins("LEFT JOIN users u ON u.id = e.actor_id").
		Where("e.signal_id = ?", id).Order("e.id").Scan(&out).Error
	return out, translate(err, "signal")
}

// ConsumerReports lists the reports behind a signal, oldest first.
func (s *Store) ConsumerReports(ctx context.Context, signalID int64) ([]model.ConsumerReport, error) {
	var out []model.ConsumerReport
	err := s.rdb.WithContext(ctx).Where("signal_id = ?", signalID).Order("id").Find(&out).Error
	return out, translate(err, "report")
}

// ChangeSignal applies one workflow step (or adds a note) with its trail event, its audit
// event and, for a state change, its webhook events, in one transaction. The update is
// conditional on the state read, so of two reviewers acting at once one gets 409.
func (s *Store) ChangeSignal(ctx context.Context, ch model.SignalChange, check func(*model.SignalCase) error) (*model.SignalCase, error) {
	var sig model.SignalCase
	err := s.retry(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		if err := tx.Take(&sig, ch.SignalID).Error; err != nil {
			return err
		}
		if err := check(&sig); err != nil {
			return err
		}
		ev := model.SignalEvent{SignalID: sig.ID, ActorID: &ch.ActorID, Action: "note", FromState: sig.State, ToState: sig.State,
			Note: ch.Note, At: now}
		if ch.To != "" {
			if !model.SignalCanMove(sig.State, ch.To) {
				return &model.Error{Kind: model.KindConflict, Code: "invalid_transition",
					Msg: fmt.Sprintf("a %s signal cannot become %s", sig.State, ch.To)}
			}
			set := map[string]any{"state": ch.To, "updated_at": now}
			ev.Action, ev.ToState = "acknowledge", ch.To
			if ch.To == model.SignalResolved {
				set["resolution"], set["open_key"] = ch.Resolution, nil
				ev.Action, ev.Resolution = "resolve", ch.Resolution
			}
			res := tx.Model(&model.SignalCase{}).Where("id = ? AND state = ?", sig.ID, sig.State).Updates(set)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return &model.Error{Kind: model.KindConflict, Code: "invalid_transition", Msg: "the signal changed meanwhile; reload it"}
			}
			if err := tx.Take(&sig, sig.ID).Error; err != nil {
				return err
			}
			typ := model.EventSignalAcked
			if ch.To == model.SignalResolved {
				typ = model.EventSignalResolved
			}
			if err := s.enqueue(tx, &sig, typ, now); err != nil {
				return err
			}
		}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &ch.ActorID, Action: "signal." + ev.Action, ObjectType: "signal",
			ObjectID: sig.ID, FromState: ev.FromState, ToState: ev.ToState, Reason: truncateRunes(ch.Note, 1000), At: now})
	})
	if err != nil {
		return nil, translate(err, "signal")
	}
	return &sig, nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// LabelOwners reads, for the given labels, their batch, filing, enterprise and product and
// whether the label or its filing is dead.
func (s *Store) LabelOwners(ctx context.Context, ids []int64) (map[int64]model.LabelOwner, error) {
	out := make(map[int64]model.LabelOwner, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		var rows []model.LabelOwner
		err := s.rdb.WithContext(ctx).Table("labels AS l").
			Select(`l.id AS label_id, l.code, l.status AS label_status, l.scan_count, l.batch_id, l.filing_id, f.status AS filing_status,
f.enterprise_id, f.product_id`).
			Joins("JOIN filings f ON f.id = l.filing_id").
			Where("l.id IN ?", part).Scan(&rows).Error
		if err != nil {
			return nil, translate(err, "label")
		}
		for _, r := range rows {
			out[r.LabelID] = r
		}
	}
	return out, nil
}

// LabelOwnerByCode is LabelOwners for one code (a consumer's report).
func (s *Store) LabelOwnerByCode(ctx context.Context, code string) (*model.LabelOwner, error) {
	var l model.Label
	if err := s.rdb.WithContext(ctx).Select("id").Where("code = ?", code).Take(&l).Error; err != nil {
		return nil, translate(err, "label")
	}
	m, err := s.LabelOwners(ctx, []int64{l.ID})
	if err != nil {
		return nil, err
	}
	o, ok := m[l.ID]
	if !ok {
		return nil, model.NotFound("label")
	}
	return &o, nil
}

// UnknownCodeTries reads the tries so far of the given never-issued codes that were tried
// at least atLeast times.
func (s *Store) UnknownCodeTries(ctx context.Context, codes []string, atLeast int64) ([]model.UnknownCode, error) {
	var out []model.UnknownCode
	for start := 0; start < len(codes); start += 500 {
		var part []model.UnknownCode
		err := s.rdb.WithContext(ctx).Where("code IN ? AND count >= ?", codes[start:min(start+500, len(codes))], atLeast).Find(&part).Error
		if err != nil {
			return nil, translate(err, "signal")
		}
		out = append(out, part...)
	}
	return out, nil
}
