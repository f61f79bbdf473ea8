package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// CreateWebhook stores an endpoint with its audit event.
func (s *Store) CreateWebhook(ctx context.Context, h *model.Webhook) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		h.CreatedAt = s.Now()
		if err := tx.Create(h).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &h.CreatedBy, Action: "webhook.create", ObjectType: "webhook", ObjectID: h.ID})
	})
	return translate(err, "webhook")
}

// WebhookByID finds an endpoint that is not deleted.
func (s *Store) WebhookByID(ctx context.Context, id int64) (*model.Webhook, error) {
	var h model.Webhook
	if err := s.db.WithContext(ctx).Where("deleted_at IS NULL").Take(&h, id).Error; err != nil {
		return nil, translate(err, "webhook")
	}
	return &h, nil
}

// ListWebhooks lists the live endpoints of one owner: the bureau (enterpriseID 0) or an
// enterprise.
func (s *Store) ListWebhooks(ctx context.Context, enterpriseID int64) ([]model.Webhook, error) {
	q := s.rdb.WithContext(ctx).Where("deleted_at IS NULL")
	if enterpriseID == 0 {
		q = q.Where("enterprise_id IS NULL")
	} else {
		q = q.Where("enterprise_id = ?", enterpriseID)
	}
	var out []model.Webhook
	err := q.Order("id").Find(&out).Error
	return out, translate(err, "webhook")
}

// DeleteWebhook marks an endpoint deleted (its delivery log stays) and abandons its pending
// events.
func (s *Store) DeleteWebhook(ctx context.Context, id, actorID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Model(&model.Webhook{}).Where("id = ? AND deleted_at IS NULL", id).Update("deleted_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return model.NotFound("webhook")
		}
		if err := tx.Model(&model.WebhookEvent{}).Where("webhook_id = ? AND state = ?", id, model.OutboxPending).
			Update("state", model.OutboxAbandoned).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "webhook.delete", ObjectType: "webhook", ObjectID: id, At: now})
	})
	return translate(err, "webhook")
}

// WebhookDeliveries lists one page of an endpoint's delivery attempts, newest first.
func (s *Store) WebhookDeliveries(ctx context.Context, id int64, page model.Page) ([]model.WebhookDelivery, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.WebhookDelivery{}).Where("webhook_id = ?", id)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "webhook")
	}
	var out []model.WebhookDelivery
	err := q.Order("id DESC").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "webhook")
}

// ClaimWebhookEvents claims up to limit due events: each is pushed lease into the future
// by a conditional update, so another instance's worker skips it, and a worker that dies
// mid-delivery leaves it to be tried again when the lease ends (at-least-once).
func (s *Store) ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]model.DueWebhookEvent, error) {
	var due []model.DueWebhookEvent
	err := s.db.WithContext(ctx).Table("webhook_events AS e").
		Select("e.*, h.url, h.secret").
		Joins("JOIN webhooks h ON h.id = e.webhook_id").
		Where("e.state = ? AND e.next_attempt_at <= ? AND h.deleted_at IS NULL AND h.disabled_at IS NULL", model.OutboxPending, now.UTC()).
		Order("e.next_attempt_at, e.id").Limit(limit).Scan(&due).Error
	if err != nil {
		return nil, translate(err, "webhook")
	}
	out := due[:0]
	for _, d := range due {
		res := s.db.WithContext(ctx).Model(&model.WebhookEvent{}).
			Where("id = ? AND state = ? AND next_attempt_at = ?", d.ID, model.OutboxPending, d.NextAttemptAt).
			Update("next_attempt_at", now.Add(lease).UTC())
		if res.Error != nil {
			return nil, translate(res.Error, "webhook")
		}
		if res.RowsAffected == 1 {
			out = append(out, d)
		}
	}
	return out, nil
}

// FinishWebhookAttempt logs an attempt and moves its event on: delivered, scheduled again,
// or failed for good. The endpoint's failing_since follows the outcome; an endpoint failing
// for DisableFor is disabled (with its pending events abandoned), which its owner sees.
func (s *Store) FinishWebhookAttempt(ctx context.Context, a model.WebhookAttempt) (disabled bool, err error) {
	err = s.retry(ctx, func(tx *gorm.DB) error {
		e := a.Event
		if err := tx.Create(&model.WebhookDelivery{WebhookID: e.WebhookID, WebhookEventID: e.ID, EventID: e.EventID,
			Attempt: e.Attempts + 1, StatusCode: a.StatusCode, Error: truncateRunes(a.Err, 500),
			DurationMS: a.Duration.Milliseconds(), At: a.At.UTC()}).Error; err != nil {
			return err
		}
		set := map[string]any{"attempts": gorm.Expr("attempts + 1")}
		switch {
		case a.OK:
			set["state"], set["delivered_at"] = model.OutboxDelivered, a.At.UTC()
		case a.GiveUp:
			set["state"] = model.OutboxFailed
		default:
			set["next_attempt_at"] = a.Next.UTC()
		}
		if err := tx.Model(&model.WebhookEvent{}).Where("id = ?", e.ID).Updates(set).Error; err != nil {
			return err
		}
		if a.OK {
			return tx.Model(&model.Webhook{}).Where("id = ?", e.WebhookID).Update("failing_since", nil).Error
		}
		if err := tx.Model(&model.Webhook{}).Where("id = ? AND failing_since IS NULL", e.WebhookID).
			Update("failing_since", a.At.UTC()).Error; err != nil {
			return err
		}
		res := tx.Model(&model.Webhook{}).
			Where("id = ? AND disabled_at IS NULL AND failing_since <= ?", e.WebhookID, a.At.Add(-a.DisableFor).UTC()).
			Updates(map[string]any{"disabled_at": a.At.UTC(), "disabled_reason": "deliveries failed for 24 hours; last: " + truncateRunes(a.Err, 200)})
		if res.Error != nil {
			return res.Error
		}
		disabled = res.RowsAffected == 1
		if disabled {
			return tx.Model(&model.WebhookEvent{}).Where("webhook_id = ? AND state = ?", e.WebhookID, model.OutboxPending).
				Update("state", model.OutboxAbandoned).Error
		}
		return nil
	})
	return disabled, translate(err, "webhook")
}

// WebhookEventsOf lists the outbox rows of a signal (tests and the console's signal page).
func (s *Store) WebhookEventsOf(ctx context.Context, signalID int64) ([]model.WebhookEvent, error) {
	var out []model.WebhookEvent
	err := s.rdb.WithContext(ctx).Where("signal_id = ?", signalID).Order("id").Find(&out).Error
	return out, translate(err, "webhook")
}
