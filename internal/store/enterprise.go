package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"gimark/model"
)

// EnterpriseByID finds an enterprise.
func (s *Store) EnterpriseByID(ctx context.Context, id int64) (*model.Enterprise, error) {
	var e model.Enterprise
	if err := s.rdb.WithContext(ctx).Take(&e, id).Error; err != nil {
		return nil, translate(err, "enterprise")
	}
	return &e, nil
}

// ListEnterprises returns one page of enterprises, newest first, and the total.
// q matches part of the name or a USCC prefix.
func (s *Store) ListEnterprises(ctx context.Context, text string, f model.Page) ([]model.Enterprise, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.Enterprise{})
	if text != "" {
		q = q.Where("name LIKE ? ESCAPE '!' OR uscc LIKE ? ESCAPE '!'",
			"%"+escapeLike(text)+"%", strings.ToUpper(escapeLike(text))+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "enterprise")
	}
	var items []model.Enterprise
	err := q.Order("id DESC").Offset(f.Offset()).Limit(f.PageSize).Find(&items).Error
	return items, total, translate(err, "enterprise")
}

// UpdateEnterprise changes the given columns of enterprise id and records who did it.
func (s *Store) UpdateEnterprise(ctx context.Context, id int64, changes map[string]any, actorID int64) (*model.Enterprise, error) {
	var e model.Enterprise
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if len(changes) > 0 {
			changes["updated_at"] = s.Now()
			res := tx.Model(&model.Enterprise{}).Where("id = ?", id).Updates(changes)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return gorm.ErrRecordNotFound
			}
			if err := s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "enterprise.update", ObjectType: "enterprise", ObjectID: id}); err != nil {
				return err
			}
		}
		return tx.Take(&e, id).Error
	})
	if err != nil {
		return nil, translate(err, "enterprise")
	}
	return &e, nil
}

// AuditEventsOf lists the audit trail of one object, oldest first.
func (s *Store) AuditEventsOf(ctx context.Context, objectType string, id int64) ([]model.AuditEvent, error) {
	var out []model.AuditEvent
	err := s.rdb.WithContext(ctx).Where("object_type = ? AND object_id = ?", objectType, id).Order("id").Find(&out).Error
	return out, translate(err, "audit event")
}

// escapeLike escapes LIKE wildcards with '!' (the same ESCAPE works on both engines).
func escapeLike(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}
