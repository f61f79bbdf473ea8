package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// mysqlScans writes verification's scans on MySQL. A flush appends scans; a fold applies
// many flushes' counts at once, in label order, and moves the fold mark in the same
// transaction. Several instances may share the database: any instance's fold applies every
// instance's scans, and each instance counts its own scans past the mark it reads with the
// label (verify.Recorder), so its answers stay exact.
//
// The mark must never pass a scan whose flush has not committed: auto-increment ids are
// handed out when a row is inserted, not when it commits, so a flush may hold id 10 while a
// faster one has committed id 11. A flush therefore holds a shared lock on the mark's row
// from before its first insert to its commit, and a fold takes that row FOR UPDATE before it
// reads MAX(id): every id below the max it reads is then committed (or rolled back), and a
// flush that waits for the fold allocates ids above the new mark. Folds run one at a time.
//
// On a Galera cluster row locks do not span nodes, so that guard does not hold there, and
// each flush applies its labels' counts at once instead (shared false).
type mysqlScans struct {
	shared bool // counts are folded (false on Galera: each flush applies its counts)
}

func (m mysqlScans) defersCounts() bool { return m.shared }

func (m mysqlScans) recordScans(tx *gorm.DB, f model.ScanFlush, ids []int64, codes []string) (int64, error) {
	if m.shared {
		var mark int64
		if err := tx.Raw(`SELECT last_scan_id FROM scan_fold WHERE id = 1 LOCK IN SHARE MODE`).Scan(&mark).Error; err != nil {
			return 0, err
		}
		ids = nil // counts wait for a fold
	}
	return recordScansMySQL(tx, f, ids, codes)
}

// foldChunk bounds the labels one statement of a fold updates.
const foldChunk = 5000

func (mysqlScans) foldCounts(tx *gorm.DB) (int64, int64, error) {
	var from int64
	if err := tx.Raw(`SELECT last_scan_id FROM scan_fold WHERE id = 1 FOR UPDATE`).Scan(&from).Error; err != nil {
		return 0, 0, err
	}
	var to sql.NullInt64
	if err := tx.Raw(`SELECT MAX(id) FROM scans`).Scan(&to).Error; err != nil {
		return 0, 0, err
	}
	if !to.Valid || to.Int64 <= from {
		return 0, from, nil
	}
	ids, tallies, err := scanTallies(tx, from, to.Int64)
	if err != nil {
		return 0, 0, err
	}
	for start := 0; start < len(ids); start += foldChunk {
		if err := addLabelCountsMySQL(tx, ids[start:min(start+foldChunk, len(ids))], tallies, to.Int64); err != nil {
			return 0, 0, err
		}
	}
	if err := tx.Exec(`INSERT INTO scan_fold (id, last_scan_id) VALUES (1, ?)
ON DUPLICATE KEY UPDATE last_scan_id = VALUES(last_scan_id)`, to.Int64).Error; err != nil {
		return 0, 0, err
	}
	return int64(len(ids)), to.Int64, nil
}

// scanTallies sums scans with id in (from, to] per label, in label order.
func scanTallies(tx *gorm.DB, from, to int64) ([]int64, map[int64]model.ScanTally, error) {
	rows, err := tx.Raw(`SELECT label_id, COUNT(*), MIN(scanned_at), MAX(scanned_at) FROM scans
WHERE id > ? AND id <= ? AND label_id IS NOT NULL GROUP BY label_id ORDER BY label_id`, from, to).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	tallies := map[int64]model.ScanTally{}
	for rows.Next() {
		var id int64
		var t model.ScanTally
		if err := rows.Scan(&id, &t.Count, &t.First, &t.Last); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		tallies[id] = t
	}
	return ids, tallies, rows.Err()
}

// mysqlTime is a time as MySQL reads a DATETIME(6) literal.
func mysqlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// recordScansMySQL writes the scans in multi-row INSERTs, the counts of the labels ids names
// (none where counts are folded) in one multi-table UPDATE, and the unknown codes in
// multi-row upserts: a handful of round trips per flush. It returns the first scan's id.
func recordScansMySQL(tx *gorm.DB, f model.ScanFlush, ids []int64, codes []string) (int64, error) {
	const chunk = 500
	var first int64
	if len(f.Scans) > 0 {
		// A retried transaction must not insert the ids its rolled-back attempt was given: a
		// fold may have moved the mark past them since.
		for i := range f.Scans {
			f.Scans[i].ID = 0
		}
		if err := tx.CreateInBatches(f.Scans, chunk).Error; err != nil {
			return 0, err
		}
		if first = f.Scans[0].ID; first == 0 {
			return 0, errors.New("scan flush: no id for the first scan")
		}
	}
	if err := addLabelCountsMySQL(tx, ids, f.Labels, 0); err != nil {
		return 0, err
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
			return 0, err
		}
	}
	return first, nil
}

// addLabelCountsMySQL adds the tallies of the labels ids names to their counts and first and
// last scan times, and (a fold) sets their fold mark to foldedTo, in one statement. One parameter: JSON_TABLE (MySQL 8.0, MariaDB 10.6)
// turns the tallies into rows; measured well below a derived table of 500 UNION ALL SELECTs.
func addLabelCountsMySQL(tx *gorm.DB, ids []int64, tallies map[int64]model.ScanTally, foldedTo int64) error {
	if len(ids) == 0 {
		return nil
	}
	arg, err := tallyRowsJSON(ids, tallies, mysqlTime)
	if err != nil {
		return err
	}
	return tx.Exec(`UPDATE labels JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]', c BIGINT PATH '$[1]',
  f DATETIME(6) PATH '$[2]', l DATETIME(6) PATH '$[3]')) AS j ON labels.id = j.id
SET labels.scan_count = labels.scan_count + j.c, labels.first_scanned_at = COALESCE(labels.first_scanned_at, j.f),
labels.last_scanned_at = CASE WHEN labels.last_scanned_at IS NULL OR labels.last_scanned_at < j.l THEN j.l ELSE labels.last_scanned_at END,
labels.folded_to = GREATEST(labels.folded_to, ?)`,
		arg, foldedTo).Error
}
