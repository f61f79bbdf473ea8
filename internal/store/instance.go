package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// instanceRow is one running gimark process's heartbeat (table instances).
type instanceRow struct {
	ID          string `gorm:"primaryKey"`
	Host        string
	SharedState bool
	StartedAt   time.Time
	SeenAt      time.Time
}

func (instanceRow) TableName() string { return "instances" }

// Heartbeat records that instance id (on host; sharedState: it uses Redis) is alive at `at`,
// forgets beats older than a day, and returns how many other instances beat since `since`.
func (s *Store) Heartbeat(ctx context.Context, id, host string, sharedState bool, started, at, since time.Time) (int64, error) {
	db := s.db.WithContext(ctx)
	row := instanceRow{ID: id, Host: host, SharedState: sharedState, StartedAt: started.UTC(), SeenAt: at.UTC()}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"seen_at", "shared_state"})}).Create(&row).Error; err != nil {
		return 0, translate(err, "instance")
	}
	if err := db.Where("seen_at < ?", at.UTC().Add(-24*time.Hour)).Delete(&instanceRow{}).Error; err != nil {
		return 0, translate(err, "instance")
	}
	var n int64
	err := db.Model(&instanceRow{}).Where("id <> ? AND seen_at >= ?", id, since.UTC()).Count(&n).Error
	return n, translate(err, "instance")
}
