package store

import (
	"context"

	"gimark/model"
)

// CountScans counts recorded scans (for tests and the fault scripts).
func (s *Store) CountScans(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.Scan{}).Count(&n).Error
	return n, translate(err, "scan")
}
