package store

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// Every report figure is computed by the database with GROUP BY and SUM over index ranges;
// no sales row is loaded into Go.

func yearBounds(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
}

// salesScope is the sales rows of a scope's year, product and enterprise.
func (s *Store) salesScope(ctx context.Context, sc model.ReportScope) *gorm.DB {
	q := s.rdb.WithContext(ctx).Model(&model.SalesRecord{}).Where("period BETWEEN ? AND ?", sc.Year*100+1, sc.Year*100+12)
	if sc.ProductID != 0 {
		q = q.Where("product_id = ?", sc.ProductID)
	}
	if sc.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", sc.EnterpriseID)
	}
	return q
}

// filingScope is the filings of a scope's product and enterprise.
func filingScope(q *gorm.DB, sc model.ReportScope, alias string) *gorm.DB {
	if sc.ProductID != 0 {
		q = q.Where(alias+"product_id = ?", sc.ProductID)
	}
	if sc.EnterpriseID != 0 {
		q = q.Where(alias+"enterprise_id = ?", sc.EnterpriseID)
	}
	return q
}

// YearFigures computes a year's figures other than sales (SalesGroups gives those).
func (s *Store) YearFigures(ctx context.Context, sc model.ReportScope) (*model.YearFigures, error) {
	start, end := yearBounds(sc.Year)
	db := s.rdb.WithContext(ctx)
	out := &model.YearFigures{Year: sc.Year}

	// Authorized during the year: approved before its end and not revoked or cancelled
	// before its start.
	ended := db.Table("audit_events AS a").Select("1").
		Where("a.object_type = 'filing' AND a.object_id = f.id AND a.action IN ('filing.revoke', 'filing.cancel') AND a.at < ?", start)
	q := filingScope(db.Table("filings AS f"), sc, "f.").
		Where("f.approved_at IS NOT NULL AND f.approved_at < ?", end).Where("NOT EXISTS (?)", ended)
	if err := q.Select("COUNT(DISTINCT f.enterprise_id)").Scan(&out.AuthorizedEnterprises).Error; err != nil {
		return nil, translate(err, "report")
	}
	var approved struct{ Total, Switches int64 }
	if err := filingScope(db.Table("filings AS f"), sc, "f.").Where("f.approved_at >= ? AND f.approved_at < ?", start, end).
		Select("COUNT(*) AS total, COALESCE(SUM(CASE WHEN f.kind = 'switch' THEN 1 ELSE 0 END), 0) AS switches").
		Scan(&approved).Error; err != nil {
		return nil, translate(err, "report")
	}
	out.FilingsApproved, out.SwitchesApproved = approved.Total, approved.Switches

	batches := filingScope(db.Table("label_batches AS b").Joins("JOIN filings f ON f.id = b.filing_id"), sc, "f.").
		Where("b.status = ? AND b.created_at >= ? AND b.created_at < ?", model.LabelActive, start, end)
	if err := batches.Select("COALESCE(SUM(b.quantity), 0)").Scan(&out.LabelsIssued).Error; err != nil {
		return nil, translate(err, "report")
	}
	// The bureau-wide count needs no join: a range of the scanned_at index. Per product or
	// enterprise each scan is joined to its label and filing.
	scans := db.Table("scans AS s").Where("s.label_id IS NOT NULL")
	if sc.ProductID != 0 || sc.EnterpriseID != 0 {
		scans = filingScope(scans.Joins("JOIN labels l ON l.id = s.label_id").Joins("JOIN filings f ON f.id = l.filing_id"), sc, "f.")
	}
	scans = scans.Where("s.scanned_at >= ? AND s.scanned_at < ?", start, end)
	if err := scans.Select("COUNT(*)").Scan(&out.Scans).Error; err != nil {
		return nil, translate(err, "report")
	}
	// Coverage: of the labels issued this year, how many have been scanned at all. A batch's
	// labels are its id range, so this walks the primary key, batch by batch.
	covered := filingScope(db.Table("label_batches AS b").Joins("JOIN filings f ON f.id = b.filing_id").
		Joins("JOIN labels l ON l.id >= b.first_label_id AND l.id < b.first_label_id + b.quantity"), sc, "f.").
		Where("b.status = ? AND b.created_at >= ? AND b.created_at < ? AND l.scan_count > 0", model.LabelActive, start, end)
	if err := covered.Select("COUNT(*)").Scan(&out.LabelsScanned).Error; err != nil {
		return nil, translate(err, "report")
	}
	var err error
	if out.SignalsRaised, out.SignalsConfirmed, err = s.SignalFigures(ctx, sc); err != nil {
		return nil, err
	}

	return out, nil
}

// SalesGroups sums a year's sales by month, channel, platform and country. For the bureau it
// reads sales_totals (a few thousand rows whatever the number of enterprises); for one
// enterprise, its own records. Everything a report shows of sales derives from these groups.
func (s *Store) SalesGroups(ctx context.Context, sc model.ReportScope) ([]model.SalesGroup, error) {
	var out []model.SalesGroup
	q := s.salesScope(ctx, sc)
	if sc.EnterpriseID == 0 {
		// The bureau's view sums over enterprises: read the totals kept for exactly that.
		q = s.rdb.WithContext(ctx).Table("sales_totals").Where("period BETWEEN ? AND ?", sc.Year*100+1, sc.Year*100+12)
		if sc.ProductID != 0 {
			q = q.Where("product_id = ?", sc.ProductID)
		}
	}
	err := q.
		Select("period, channel, platform, country, SUM(amount_fen) AS amount_fen, SUM(quantity_g) AS quantity_g").
		Group("period, channel, platform, country").Scan(&out).Error
	return out, translate(err, "report")
}

// Producers counts enterprises that ever held an approved filing in the scope (the
// producers a brand-value evaluation asks for).
func (s *Store) Producers(ctx context.Context, sc model.ReportScope) (int64, error) {
	var n int64
	err := filingScope(s.rdb.WithContext(ctx).Table("filings AS f"), sc, "f.").Where("f.approved_at IS NOT NULL").
		Select("COUNT(DISTINCT f.enterprise_id)").Scan(&n).Error
	return n, translate(err, "report")
}

// ReportYears lists the years, newest first, in which the scope has activity: sales
// reported for one of its months, a filing approved, or a label batch ordered. The console
// opens its report on the newest and offers all of them.
func (s *Store) ReportYears(ctx context.Context, sc model.ReportScope) ([]int, error) {
	db := s.rdb.WithContext(ctx)
	seen := map[int]bool{}
	var periods []int
	q := db.Model(&model.SalesRecord{})
	if sc.ProductID != 0 {
		q = q.Where("product_id = ?", sc.ProductID)
	}
	if sc.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", sc.EnterpriseID)
	}
	if err := q.Distinct("period").Pluck("period", &periods).Error; err != nil {
		return nil, translate(err, "report")
	}
	for _, p := range periods {
		seen[p/100] = true
	}
	var times []time.Time
	if err := filingScope(db.Table("filings AS f"), sc, "f.").Where("f.approved_at IS NOT NULL").
		Pluck("f.approved_at", &times).Error; err != nil {
		return nil, translate(err, "report")
	}
	var batches []time.Time
	if err := filingScope(db.Table("label_batches AS b").Joins("JOIN filings f ON f.id = b.filing_id"), sc, "f.").
		Pluck("b.created_at", &batches).Error; err != nil {
		return nil, translate(err, "report")
	}
	for _, t := range append(times, batches...) {
		seen[t.UTC().Year()] = true
	}
	out := make([]int, 0, len(seen))
	for y := range seen {
		out = append(out, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out, nil
}
