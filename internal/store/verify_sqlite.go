package store

import (
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"gimark/internal/jsonw"
	"gimark/model"
)

// sqliteScans writes verification's scans on SQLite. It defers labels' counts: a flush only
// appends, and a fold applies many flushes' counts in label order, so each label page is
// written once per fold instead of once per scan (random page writes were most of
// verification's cost there). SQLite runs one write transaction at a time, so a fold never
// meets a flush half-way and scan ids commit in order.
type sqliteScans struct{}

func (sqliteScans) defersCounts() bool { return true }

func (sqliteScans) recordScans(tx *gorm.DB, f model.ScanFlush, _ []int64, codes []string) (int64, error) {
	return recordScansSQLite(tx, f, codes)
}

func (sqliteScans) foldCounts(tx *gorm.DB) (int64, int64, error) {
	var mark struct{ From, To sql.NullInt64 }
	if err := tx.Raw(`SELECT (SELECT last_scan_id FROM scan_fold WHERE id = 1) AS "from", (SELECT MAX(id) FROM scans) AS "to"`).
		Scan(&mark).Error; err != nil {
		return 0, 0, err
	}
	if !mark.To.Valid || mark.To.Int64 <= mark.From.Int64 {
		return 0, mark.From.Int64, nil
	}
	// The aggregate comes out in label id order, so the update walks the labels table
	// forwards and writes each page once.
	res := tx.Exec(`UPDATE labels SET scan_count = scan_count + j.c, first_scanned_at = COALESCE(first_scanned_at, j.f),
last_scanned_at = CASE WHEN last_scanned_at IS NULL OR last_scanned_at < j.l THEN j.l ELSE last_scanned_at END, folded_to = ?
FROM (SELECT label_id AS id, COUNT(*) AS c, MIN(scanned_at) AS f, MAX(scanned_at) AS l FROM scans
      WHERE id > ? AND id <= ? AND label_id IS NOT NULL GROUP BY label_id) AS j
WHERE labels.id = j.id`, mark.To.Int64, mark.From.Int64, mark.To.Int64)
	if res.Error != nil {
		return 0, 0, res.Error
	}
	if err := tx.Exec(`INSERT INTO scan_fold (id, last_scan_id) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET last_scan_id = excluded.last_scan_id`, mark.To.Int64).Error; err != nil {
		return 0, 0, err
	}
	return res.RowsAffected, mark.To.Int64, nil
}

// recordScansSQLite passes each part of the flush as one JSON array and lets json_each turn
// it into rows inside SQLite. Label counts are left to FoldScanCounts. It returns the last
// scan's id.
func recordScansSQLite(tx *gorm.DB, f model.ScanFlush, codes []string) (int64, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return 0, errors.New("scan flush needs a database/sql transaction")
	}
	var last int64
	if len(f.Scans) > 0 {
		res, err := sqlTx.Exec(`INSERT INTO scans (label_id, code, result, client_hash, user_agent, scanned_at, network)
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 FROM json_each(?)`, string(scanRowsJSON(f.Scans)))
		if err != nil {
			return 0, err
		}
		if last, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	}
	if len(codes) > 0 {
		arg, err := tallyRowsJSON(codes, f.Unknown, sqliteTime)
		if err != nil {
			return 0, err
		}
		// "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT. No
		// context: on SQLite it costs a few percent per statement, and the statement is
		// bounded by the flush size.
		if _, err := sqlTx.Exec(`INSERT INTO unknown_codes (code, count, first_seen, last_seen)
SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?) WHERE true
ON CONFLICT (code) DO UPDATE SET count = count + excluded.count, last_seen = MAX(last_seen, excluded.last_seen)`, arg); err != nil {
			return 0, err
		}
	}
	return last, nil
}

// sqliteTime is a time as the SQLite driver writes it (_time_format=sqlite), so values
// passed through JSON compare and parse like bound ones.
func sqliteTime(t time.Time) string {
	return string(appendSQLiteTime(nil, t))
}

func appendSQLiteTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999999-07:00")
}

// scanRowsJSON encodes scans as [[label_id,code,result,client_hash,user_agent,scanned_at,network],…]
// by hand: a flush carries thousands of rows, and encoding/json's reflection over them cost
// more than SQLite's insert of them.
func scanRowsJSON(scans []model.Scan) []byte {
	b := make([]byte, 0, len(scans)*(156+len(scans[0].UserAgent)))
	b = append(b, '[')
	for i := range scans {
		sc := &scans[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		if sc.LabelID != nil {
			b = jsonw.Int(b, *sc.LabelID)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, ',')
		b = jsonw.String(b, sc.Code)
		b = append(b, ',')
		b = jsonw.String(b, sc.Result)
		b = append(b, ',')
		b = jsonw.String(b, sc.ClientHash)
		b = append(b, ',')
		b = jsonw.String(b, sc.UserAgent)
		b = append(b, ',', '"')
		b = appendSQLiteTime(b, sc.ScannedAt)
		b = append(b, '"', ',')
		b = jsonw.String(b, sc.Network)
		b = append(b, ']')
	}
	return append(b, ']')
}
