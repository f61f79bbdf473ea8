package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

// HeldProducts returns the products an enterprise holds or once held an approved filing
// for: the products it may report sales of.
func (s *Store) HeldProducts(ctx context.Context, enterpriseID int64) (map[int64]bool, error) {
	var ids []int64
	err := s.rdb.WithContext(ctx).Model(&model.Filing{}).Distinct("product_id").
		Where("enterprise_id = ? AND approved_at IS NOT NULL", enterpriseID).Pluck("product_id", &ids).Error
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, translate(err, "filing")
}

// PutSales writes rows all or nothing. A row whose key (enterprise, product, period,
// channel, platform, country) exists replaces the figure and keeps the old one in
// sales_history. Concurrent puts of the same new key collide on the unique index; the loser
// retries and then replaces, so no figure is ever counted twice.
func (s *Store) PutSales(ctx context.Context, rows []model.SalesRecord, actorID int64) (created, replaced int, err error) {
	// One lock order for every writer, so two PUTs touching the same keys wait rather than
	// deadlock.
	slices.SortFunc(rows, func(a, b model.SalesRecord) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.ProductID, b.ProductID), cmp.Compare(a.Channel, b.Channel),
			cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Country, b.Country))
	})
	for attempt := 0; attempt < 5; attempt++ {
		created, replaced = 0, 0
		err = s.retry(ctx, func(tx *gorm.DB) error {
			now := s.Now()
			for i := range rows {
				r := &rows[i]
				var old model.SalesRecord
				q := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where(
					"enterprise_id = ? AND product_id = ? AND period = ? AND channel = ? AND platform = ? AND country = ?",
					r.EnterpriseID, r.ProductID, r.Period, r.Channel, r.Platform, r.Country).Limit(1).Find(&old)
				if q.Error != nil {
					return q.Error
				}
				if q.RowsAffected == 0 {
					r.ReportedBy, r.CreatedAt, r.UpdatedAt = actorID, now, now
					if err := tx.Create(r).Error; err != nil {
						return err
					}
					if err := s.addTotals(tx, r, r.AmountFen, r.QuantityG); err != nil {
						return err
					}
					created++
					continue
				}
				if err := s.addTotals(tx, r, r.AmountFen-old.AmountFen, r.QuantityG-old.QuantityG); err != nil {
					return err
				}
				if err := tx.Create(&model.SalesHistory{RecordID: old.ID, AmountFen: old.AmountFen, QuantityG: old.QuantityG,
					ReportedBy: old.ReportedBy, ReportedAt: old.UpdatedAt, ReplacedBy: actorID, ReplacedAt: now}).Error; err != nil {
					return err
				}
				if err := tx.Model(&model.SalesRecord{}).Where("id = ?", old.ID).Updates(map[string]any{
					"amount_fen": r.AmountFen, "quantity_g": r.QuantityG, "reported_by": actorID, "updated_at": now}).Error; err != nil {
					return err
				}
				r.ID = old.ID
				replaced++
			}
			return s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "sales.report", ObjectType: "enterprise",
				ObjectID: rows[0].EnterpriseID, Reason: fmt.Sprintf("%d created, %d replaced", created, replaced), At: now})
		})
		if err == nil || !isDuplicate(err) {
			break
		}
	}
	if errors.Is(err, context.Canceled) {
		return 0, 0, err
	}
	return created, replaced, translate(err, "sales record")
}

// addTotals adds a change of one record to the bureau-wide totals, atomically.
func (s *Store) addTotals(tx *gorm.DB, r *model.SalesRecord, amount, quantity int64) error {
	q := `INSERT INTO sales_totals (period, product_id, channel, platform, country, amount_fen, quantity_g) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (period, product_id, channel, platform, country) DO UPDATE SET
amount_fen = amount_fen + excluded.amount_fen, quantity_g = quantity_g + excluded.quantity_g`
	if s.dialect == "mysql" {
		q = `INSERT INTO sales_totals (period, product_id, channel, platform, country, amount_fen, quantity_g) VALUES (?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE amount_fen = amount_fen + VALUES(amount_fen), quantity_g = quantity_g + VALUES(quantity_g)`
	}
	return tx.Exec(q, r.Period, r.ProductID, r.Channel, r.Platform, r.Country, amount, quantity).Error
}

// ListSales returns one page of sales records, newest period first.
func (s *Store) ListSales(ctx context.Context, f model.SalesFilter, page model.Page) ([]model.SalesRecord, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.SalesRecord{})
	if f.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", f.EnterpriseID)
	}
	if f.ProductID != 0 {
		q = q.Where("product_id = ?", f.ProductID)
	}
	if f.PeriodFrom != 0 {
		q = q.Where("period >= ?", f.PeriodFrom)
	}
	if f.PeriodTo != 0 {
		q = q.Where("period <= ?", f.PeriodTo)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "sales record")
	}
	var out []model.SalesRecord
	err := q.Order("period DESC, id").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "sales record")
}

// SalesHistoryOf lists the replaced figures of one record, oldest first.
func (s *Store) SalesHistoryOf(ctx context.Context, recordID int64) ([]model.SalesHistory, error) {
	var out []model.SalesHistory
	err := s.rdb.WithContext(ctx).Where("record_id = ?", recordID).Order("id").Find(&out).Error
	return out, translate(err, "sales record")
}
