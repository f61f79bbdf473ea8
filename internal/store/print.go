package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

// RecordPrint writes one download of a batch's print files with its audit event. The batch
// row is locked first, so of two downloads of the same labels at once exactly one is the
// first print and the other is marked a reprint: a range is a reprint when it overlaps any
// range of the batch recorded before, in any format.
func (s *Store) RecordPrint(ctx context.Context, r *model.PrintRecord) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b model.LabelBatch
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&b, r.BatchID).Error; err != nil {
			return err
		}
		var overlaps int64
		if err := tx.Model(&model.PrintRecord{}).
			Where("batch_id = ? AND from_serial <= ? AND to_serial >= ?", r.BatchID, r.ToSerial, r.FromSerial).
			Count(&overlaps).Error; err != nil {
			return err
		}
		r.Reprint = overlaps > 0
		r.CreatedAt = s.Now()
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		what := "print"
		if r.Reprint {
			what = "reprint"
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &r.UserID, Action: "label_batch." + what, ObjectType: "label_batch",
			ObjectID: r.BatchID, At: r.CreatedAt,
			Reason: fmt.Sprintf("%s %s serials %d-%d sha256 %s", r.Format, r.Template, r.FromSerial, r.ToSerial, r.SHA256)})
	})
	return translate(err, "label batch")
}

// ListPrints lists print records newest first; zero filters do not apply.
func (s *Store) ListPrints(ctx context.Context, f model.PrintFilter, page model.Page) ([]model.PrintRecord, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.PrintRecord{})
	if f.BatchID != 0 {
		q = q.Where("batch_id = ?", f.BatchID)
	}
	if f.FilingID != 0 {
		q = q.Where("filing_id = ?", f.FilingID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", f.EnterpriseID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "print record")
	}
	var out []model.PrintRecord
	err := q.Order("id DESC").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "print record")
}

// LabelsPrinted counts the labels first printed in a scope's year (reprints apart), and those
// printed again, for the yearly report.
func (s *Store) LabelsPrinted(ctx context.Context, sc model.ReportScope) (first, again int64, err error) {
	start, end := yearBounds(sc.Year)
	q := s.rdb.WithContext(ctx).Table("print_records AS p").Where("p.created_at >= ? AND p.created_at < ?", start, end)
	if sc.ProductID != 0 {
		q = q.Joins("JOIN filings f ON f.id = p.filing_id").Where("f.product_id = ?", sc.ProductID)
	}
	if sc.EnterpriseID != 0 {
		q = q.Where("p.enterprise_id = ?", sc.EnterpriseID)
	}
	var out struct{ First, Again int64 }
	err = q.Select("COALESCE(SUM(CASE WHEN p.reprint THEN 0 ELSE p.labels END), 0) AS first, " +
		"COALESCE(SUM(CASE WHEN p.reprint THEN p.labels ELSE 0 END), 0) AS again").Scan(&out).Error
	return out.First, out.Again, translate(err, "report")
}

// StreamLabelRange calls fn for the labels of a batch with serials from..to, in serial
// order, with their status, reading in keyset chunks.
func (s *Store) StreamLabelRange(ctx context.Context, b *model.LabelBatch, from, to int, fn func(serial int, code, status string) error) error {
	const chunk = 5000
	db, _ := s.rdb.DB()
	stmt, err := db.PrepareContext(ctx, "SELECT id, serial, code, status FROM labels WHERE id > ? AND id <= ? ORDER BY id LIMIT ?")
	if err != nil {
		return err
	}
	defer stmt.Close()
	last, end := b.FirstLabelID+int64(from)-2, b.FirstLabelID+int64(to)-1
	for {
		rows, err := stmt.QueryContext(ctx, last, end, chunk)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var serial int
			var code, status string
			if err := rows.Scan(&last, &serial, &code, &status); err != nil {
				rows.Close()
				return err
			}
			n++
			if err := fn(serial, code, status); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < chunk {
			return nil
		}
	}
}

// CreateSpecialMark records an upload of the special mark's artwork, with its audit event.
func (s *Store) CreateSpecialMark(ctx context.Context, m *model.SpecialMark) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		m.CreatedAt = s.Now()
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &m.UploadedBy, Action: "special_mark.upload", ObjectType: "special_mark",
			ObjectID: m.ID, At: m.CreatedAt, Reason: m.ContentType + " " + m.SHA256})
	})
	return translate(err, "special mark")
}

// CurrentSpecialMark is the newest upload of the artwork (not found before the first).
func (s *Store) CurrentSpecialMark(ctx context.Context) (*model.SpecialMark, error) {
	var m model.SpecialMark
	if err := s.rdb.WithContext(ctx).Order("id DESC").Take(&m).Error; err != nil {
		return nil, translate(err, "special mark")
	}
	return &m, nil
}
