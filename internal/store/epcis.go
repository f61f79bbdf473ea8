package store

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// EPCISSources lists, oldest first, the facts the EPCIS export writes as events: batches
// ordered and voided, single labels voided, and filing status changes (suspend, reinstate,
// revoke, cancel), within the filter. Labels are not read here.
func (s *Store) EPCISSources(ctx context.Context, f model.EPCISFilter) ([]model.EPCISSource, error) {
	db := s.rdb.WithContext(ctx)
	scope := func(q *gorm.DB) *gorm.DB {
		if f.EnterpriseID != 0 {
			q = q.Where("f.enterprise_id = ?", f.EnterpriseID)
		}
		if f.ProductID != 0 {
			q = q.Where("f.product_id = ?", f.ProductID)
		}
		return q
	}
	const batchCols = "b.id AS batch_id, b.filing_id, b.first_label_id, b.quantity, b.gtin, b.lot, COALESCE(f.authorization_number, '') AS auth_no"
	var out []model.EPCISSource
	var part []model.EPCISSource
	q := scope(db.Table("label_batches AS b").Joins("JOIN filings f ON f.id = b.filing_id")).
		Select("'"+model.EPCISBatchOrdered+"' AS kind, b.created_at AS at, "+batchCols).
		Where("b.created_at >= ? AND b.created_at < ?", f.From, f.To)
	if err := q.Scan(&part).Error; err != nil {
		return nil, translate(err, "label batch")
	}
	out = append(out, part...)
	part = nil
	q = scope(db.Table("label_batches AS b").Joins("JOIN filings f ON f.id = b.filing_id")).
		Select("'"+model.EPCISBatchVoided+"' AS kind, b.voided_at AS at, "+batchCols).
		Where("b.voided_at IS NOT NULL AND b.voided_at >= ? AND b.voided_at < ?", f.From, f.To)
	if err := q.Scan(&part).Error; err != nil {
		return nil, translate(err, "label batch")
	}
	out = append(out, part...)
	part = nil
	q = scope(db.Table("audit_events AS a").Joins("JOIN labels l ON l.id = a.object_id").
		Joins("JOIN label_batches b ON b.id = l.batch_id").Joins("JOIN filings f ON f.id = b.filing_id")).
		Select("'"+model.EPCISLabelVoided+"' AS kind, a.at, l.code, "+batchCols).
		Where("a.object_type = 'label' AND a.action = 'label.void' AND a.at >= ? AND a.at < ?", f.From, f.To)
	if err := q.Scan(&part).Error; err != nil {
		return nil, translate(err, "label")
	}
	out = append(out, part...)
	part = nil
	q = scope(db.Table("audit_events AS a").Joins("JOIN filings f ON f.id = a.object_id")).
		Select("'"+model.EPCISFilingStatus+"' AS kind, a.at, a.action, a.to_state, f.id AS filing_id, COALESCE(f.authorization_number, '') AS auth_no").
		Where("a.object_type = 'filing' AND a.action IN ? AND a.at >= ? AND a.at < ?",
			[]string{"filing.suspend", "filing.reinstate", "filing.revoke", "filing.cancel"}, f.From, f.To)
	if err := q.Scan(&part).Error; err != nil {
		return nil, translate(err, "filing")
	}
	out = append(out, part...)
	slices.SortStableFunc(out, func(a, b model.EPCISSource) int { return a.At.Compare(b.At) })
	return out, nil
}

// StreamBatchVoidLabels calls fn, in serial order, for each label of a batch that its void
// at voidedAt decommissioned: every label but those voided singly before. Keyset chunks keep
// memory flat.
func (s *Store) StreamBatchVoidLabels(ctx context.Context, b *model.EPCISSource, voidedAt time.Time, fn func(serial int, code string) error) error {
	return s.streamLabelRange(ctx, `SELECT l.id, l.serial, l.code FROM labels l WHERE l.id > ? AND l.id < ?
AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.object_type = 'label' AND a.object_id = l.id AND a.action = 'label.void' AND a.at <= ?)
ORDER BY l.id LIMIT ?`,
		b.FirstLabelID, b.Quantity, []any{voidedAt}, fn)
}

// LabelsByGTIN counts, per GTIN, the labels of a filing's batches with a GTIN that were
// issued at time at and not voided as a batch by then: the instances an authorization's
// status change concerns.
func (s *Store) LabelsByGTIN(ctx context.Context, filingID int64, at time.Time) (map[string]int64, error) {
	var rows []struct {
		GTIN string `gorm:"column:gtin"`
		N    int64  `gorm:"column:n"`
	}
	err := s.rdb.WithContext(ctx).Table("label_batches").Select("gtin, SUM(quantity) AS n").
		Where("filing_id = ? AND gtin <> '' AND created_at <= ? AND (voided_at IS NULL OR voided_at > ?)", filingID, at, at).
		Group("gtin").Order("gtin").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "label batch")
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.GTIN] = r.N
	}
	return out, nil
}
