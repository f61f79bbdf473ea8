package store

import (
	"context"
	"slices"

	"gimark/model"
)

// ListSignals returns counterfeit signals newest first: labels scanned more than threshold
// times, and unknown codes tried at least minTries times. kind "" means both.
func (s *Store) ListSignals(ctx context.Context, kind string, threshold, minTries int64, page model.Page) ([]model.Signal, int64, error) {
	db := s.rdb.WithContext(ctx)
	var out []model.Signal
	var total int64
	// Each source is read up to the end of the requested page, then merged by last_seen.
	limit := page.Offset() + page.PageSize
	if kind == "" || kind == "over_scanned" {
		var n int64
		// "scan_count > 1" lets SQLite use its partial index (a threshold is at least 1); MySQL,
		// which has no partial indexes, scans the labels.
		q := db.Model(&model.Label{}).Where("scan_count > 1 AND scan_count > ?", threshold)
		if err := q.Count(&n).Error; err != nil {
			return nil, 0, translate(err, "signal")
		}
		total += n
		var labels []model.Label
		if err := q.Order("last_scanned_at DESC").Limit(limit).Find(&labels).Error; err != nil {
			return nil, 0, translate(err, "signal")
		}
		for _, l := range labels {
			fid := l.FilingID
			sig := model.Signal{Kind: "over_scanned", Code: l.Code, Count: l.ScanCount, FilingID: &fid}
			if l.FirstScannedAt != nil {
				sig.FirstSeen = l.FirstScannedAt.UTC()
			}
			if l.LastScannedAt != nil {
				sig.LastSeen = l.LastScannedAt.UTC()
			}
			out = append(out, sig)
		}
	}
	if kind == "" || kind == "unknown_code" {
		var n int64
		q := db.Model(&model.UnknownCode{}).Where("count >= ?", minTries)
		if err := q.Count(&n).Error; err != nil {
			return nil, 0, translate(err, "signal")
		}
		total += n
		var codes []model.UnknownCode
		if err := q.Order("last_seen DESC").Limit(limit).Find(&codes).Error; err != nil {
			return nil, 0, translate(err, "signal")
		}
		for _, c := range codes {
			out = append(out, model.Signal{Kind: "unknown_code", Code: c.Code, Count: c.Count, FirstSeen: c.FirstSeen.UTC(), LastSeen: c.LastSeen.UTC()})
		}
	}
	sortSignals(out)
	from := min(page.Offset(), len(out))
	to := min(from+page.PageSize, len(out))
	return out[from:to], total, nil
}

func sortSignals(s []model.Signal) {
	slices.SortStableFunc(s, func(a, b model.Signal) int { return b.LastSeen.Compare(a.LastSeen) })
}

// CountScans counts recorded scans (for tests and the fault scripts).
func (s *Store) CountScans(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.Scan{}).Count(&n).Error
	return n, translate(err, "scan")
}
