package store

import (
	"context"

	"gorm.io/gorm"

	"gimark/model"
)

// scanDay is the China-time day of s.scanned_at (stored in UTC) as YYYY-MM-DD.
func (s *Store) scanDay() string {
	if s.dialect == "mysql" {
		return "DATE_FORMAT(s.scanned_at + INTERVAL 8 HOUR, '%Y-%m-%d')"
	}
	// The SQLite driver writes "2006-01-02 15:04:05.999999999+00:00": the first 19
	// characters are a time SQLite's date functions read.
	return "date(substr(s.scanned_at, 1, 19), '+8 hours')"
}

// scanScope selects the scans of sc's labels in its period.
func (s *Store) scanScope(ctx context.Context, sc model.ScanScope) (*gorm.DB, error) {
	q := s.rdb.WithContext(ctx).Table("scans AS s").Where("s.scanned_at >= ? AND s.scanned_at < ?", sc.From.UTC(), sc.To.UTC())
	if sc.BatchID != 0 {
		b, err := s.LabelBatchByID(ctx, sc.BatchID)
		if err != nil {
			return nil, err
		}
		// A batch's labels are a contiguous range of ids.
		return q.Where("s.label_id >= ? AND s.label_id < ?", b.FirstLabelID, b.FirstLabelID+int64(b.Quantity)), nil
	}
	q = q.Joins("JOIN labels l ON l.id = s.label_id").Joins("JOIN filings f ON f.id = l.filing_id").Where("f.product_id = ?", sc.ProductID)
	if sc.EnterpriseID != 0 {
		q = q.Where("f.enterprise_id = ?", sc.EnterpriseID)
	}
	return q, nil
}

// ScanStats counts a batch's or a product's scans per day, distinct networks, labels
// scanned at least once and signals raised, for sc's period. Label counts come from folded
// scans, so on SQLite they may lag the last minute.
func (s *Store) ScanStats(ctx context.Context, sc model.ScanScope) (*model.ScanStats, error) {
	out := &model.ScanStats{From: sc.From, To: sc.To, Days: []model.DayScans{}, SignalsByRule: map[string]int64{}}
	q, err := s.scanScope(ctx, sc)
	if err != nil {
		return nil, err
	}
	day := s.scanDay()
	if err := q.Session(&gorm.Session{}).Select(day + " AS day, COUNT(*) AS scans, COUNT(DISTINCT NULLIF(s.network, '')) AS networks").
		Group(day).Order("day").Scan(&out.Days).Error; err != nil {
		return nil, translate(err, "scan")
	}
	for i := range out.Days {
		// The SQLite driver reads date()'s text back as a time ("2026-03-01T00:00:00Z"): the
		// day is its first ten characters, as MySQL's DATE_FORMAT gives it.
		out.Days[i].Date = out.Days[i].Date[:min(10, len(out.Days[i].Date))]
	}
	var tot struct{ Scans, Networks int64 }
	if err := q.Session(&gorm.Session{}).Select("COUNT(*) AS scans, COUNT(DISTINCT NULLIF(s.network, '')) AS networks").
		Scan(&tot).Error; err != nil {
		return nil, translate(err, "scan")
	}
	out.Scans, out.Networks = tot.Scans, tot.Networks

	labels := s.rdb.WithContext(ctx).Table("labels AS l")
	if sc.BatchID != 0 {
		labels = labels.Where("l.batch_id = ?", sc.BatchID)
	} else {
		labels = labels.Joins("JOIN filings f ON f.id = l.filing_id").Where("f.product_id = ?", sc.ProductID)
		if sc.EnterpriseID != 0 {
			labels = labels.Where("f.enterprise_id = ?", sc.EnterpriseID)
		}
	}
	var lab struct{ Issued, Scanned int64 }
	if err := labels.Select("COUNT(*) AS issued, COUNT(l.first_scanned_at) AS scanned").Scan(&lab).Error; err != nil {
		return nil, translate(err, "label")
	}
	out.LabelsIssued, out.LabelsScanned = lab.Issued, lab.Scanned

	sig := s.rdb.WithContext(ctx).Model(&model.SignalCase{}).Where("created_at >= ? AND created_at < ?", sc.From.UTC(), sc.To.UTC())
	if sc.BatchID != 0 {
		sig = sig.Where("batch_id = ?", sc.BatchID)
	} else {
		sig = sig.Where("product_id = ?", sc.ProductID)
		if sc.EnterpriseID != 0 {
			sig = sig.Where("enterprise_id = ?", sc.EnterpriseID)
		}
	}
	var rules []struct {
		Rule string
		N    int64
	}
	if err := sig.Select("rule, COUNT(*) AS n").Group("rule").Scan(&rules).Error; err != nil {
		return nil, translate(err, "signal")
	}
	for _, r := range rules {
		out.SignalsByRule[r.Rule] = r.N
		out.Signals += r.N
	}
	return out, nil
}

// SignalFigures counts, per product, signals raised in [from, to) and those of them resolved
// as confirmed counterfeits (the yearly report).
func (s *Store) SignalFigures(ctx context.Context, sc model.ReportScope) (raised, confirmed int64, err error) {
	from, to := yearBounds(sc.Year)
	q := s.rdb.WithContext(ctx).Model(&model.SignalCase{}).Where("created_at >= ? AND created_at < ?", from, to)
	if sc.ProductID != 0 {
		q = q.Where("product_id = ?", sc.ProductID)
	}
	if sc.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", sc.EnterpriseID)
	}
	var r struct{ Raised, Confirmed int64 }
	err = q.Select("COUNT(*) AS raised, COALESCE(SUM(CASE WHEN resolution = ? THEN 1 ELSE 0 END), 0) AS confirmed", model.ResolutionConfirmed).
		Scan(&r).Error
	return r.Raised, r.Confirmed, translate(err, "signal")
}
