package store

import (
	"strings"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// mysqlScans writes verification's scans on MySQL. A MySQL database may be shared by several
// instances, so each flush applies its labels' counts at once and there is nothing to fold.
type mysqlScans struct{}

func (mysqlScans) defersCounts() bool { return false }

func (mysqlScans) recordScans(tx *gorm.DB, f model.ScanFlush, ids []int64, codes []string) error {
	return recordScansMySQL(tx, f, ids, codes)
}

func (mysqlScans) foldCounts(*gorm.DB) (int64, error) { return 0, nil }

// mysqlTime is a time as MySQL reads a DATETIME(6) literal.
func mysqlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// recordScansMySQL writes the scans in multi-row INSERTs, the counts in one multi-table
// UPDATE, and the unknown codes in multi-row upserts: a handful of round trips per flush.
func recordScansMySQL(tx *gorm.DB, f model.ScanFlush, ids []int64, codes []string) error {
	const chunk = 500
	if len(f.Scans) > 0 {
		if err := tx.CreateInBatches(f.Scans, chunk).Error; err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		// One parameter, one statement: JSON_TABLE (MySQL 8.0, MariaDB 10.6) turns the counts
		// into rows; measured well below a derived table of 500 UNION ALL SELECTs.
		arg, err := tallyRowsJSON(ids, f.Labels, mysqlTime)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE labels JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]', c BIGINT PATH '$[1]',
  f DATETIME(6) PATH '$[2]', l DATETIME(6) PATH '$[3]')) AS j ON labels.id = j.id
SET labels.scan_count = labels.scan_count + j.c, labels.first_scanned_at = COALESCE(labels.first_scanned_at, j.f),
labels.last_scanned_at = CASE WHEN labels.last_scanned_at IS NULL OR labels.last_scanned_at < j.l THEN j.l ELSE labels.last_scanned_at END`,
			arg).Error; err != nil {
			return err
		}
	}
	var sb strings.Builder
	for start := 0; start < len(codes); start += chunk {
		part := codes[start:min(start+chunk, len(codes))]
		sb.Reset()
		args := make([]any, 0, 4*len(part))
		sb.WriteString("INSERT INTO unknown_codes (code, count, first_seen, last_seen) VALUES ")
		for i, code := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?)")
			c := f.Unknown[code]
			args = append(args, code, c.Count, c.First, c.Last)
		}
		sb.WriteString(" ON DUPLICATE KEY UPDATE count = count + VALUES(count), last_seen = GREATEST(last_seen, VALUES(last_seen))")
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}
