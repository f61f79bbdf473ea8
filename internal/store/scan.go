package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"gimark/internal/jsonw"
	"gimark/model"
)

// verifySQL is verification's one read, on either engine.
const verifySQL = `SELECT id, batch_id, status, scan_count, first_scanned_at FROM labels WHERE code = ?`

type verifyStmt struct {
	once   sync.Once
	stmt   *sql.Stmt     // MySQL
	lookup *sqliteLookup // SQLite
	err    error
}

// LabelForVerify is the hot path of verification: one indexed SELECT, compiled once, on
// verification's own connections, without GORM (SQLite: sqliteLookup; MySQL: a prepared
// statement on its own pool).
func (s *Store) LabelForVerify(ctx context.Context, code string) (*model.VerifyRow, error) {
	s.verify.once.Do(func() {
		if s.dialect == "sqlite" {
			s.verify.lookup, s.verify.err = openSQLiteLookup(s.path, verifiers())
		} else {
			s.verify.stmt, s.verify.err = s.vdb.Prepare(verifySQL)
		}
	})
	if s.verify.err != nil {
		return nil, s.verify.err
	}
	var r *model.VerifyRow
	var err error
	if s.dialect == "sqlite" {
		r, err = s.verify.lookup.label(code)
	} else {
		r, err = s.mysqlLabelForVerify(ctx, code)
	}
	if err != nil {
		return nil, err
	}
	if r.Status == model.LabelVoided {
		// Rare: the reason is read apart, so the common read stays five narrow columns (the
		// eight-column read cost 40 % more on SQLite).
		if err := s.rdb.WithContext(ctx).Model(&model.Label{}).Select("void_reason").Where("id = ?", r.ID).Scan(&r.VoidReason).Error; err != nil {
			return nil, translate(err, "label")
		}
	}
	return r, nil
}

func (s *Store) mysqlLabelForVerify(ctx context.Context, code string) (*model.VerifyRow, error) {
	var r model.VerifyRow
	var first sql.NullTime
	err := s.verify.stmt.QueryRowContext(ctx, code).Scan(&r.ID, &r.BatchID, &r.Status, &r.ScanCount, &first)
	if err == sql.ErrNoRows {
		return nil, model.NotFound("label")
	}
	if err != nil {
		return nil, translate(err, "label")
	}
	if first.Valid {
		t := first.Time.UTC()
		r.FirstScannedAt = &t
	}
	return &r, nil
}

// LabelFacts reads what verification shows about a filing, its product and enterprise.
func (s *Store) LabelFacts(ctx context.Context, filingID int64) (*model.LabelFacts, error) {
	var out struct {
		FilingID            int64
		Status              string
		AuthorizationNumber *string
		ProductID           int64
		ProductName         string
		ProductKind         string
		ReferenceNumber     string
		RegistrationNumber  string
		Standard            string
		EnterpriseName      string
		USCC                string
	}
	err := s.rdb.WithContext(ctx).Table("filings AS f").
		Select(`f.id AS filing_id, f.status, f.authorization_number, p.id AS product_id, p.name AS product_name,
p.kind AS product_kind, p.reference_number, p.registration_number, p.standard, e.name AS enterprise_name, e.uscc`).
		Joins("JOIN products p ON p.id = f.product_id").
		Joins("JOIN enterprises e ON e.id = f.enterprise_id").
		Where("f.id = ?", filingID).Take(&out).Error
	if err != nil {
		return nil, translate(err, "filing")
	}
	f := &model.LabelFacts{FilingID: out.FilingID, FilingStatus: model.FilingStatus(out.Status), ProductID: out.ProductID,
		ProductName: out.ProductName, ProductKind: model.ProductKind(out.ProductKind), ReferenceNumber: out.ReferenceNumber,
		RegistrationNumber: out.RegistrationNumber, Standard: out.Standard, EnterpriseName: out.EnterpriseName, EnterpriseUSCC: out.USCC}
	if out.AuthorizationNumber != nil {
		f.AuthorizationNumber = *out.AuthorizationNumber
	}
	return f, nil
}

// BatchFacts reads what verification shows about a batch.
func (s *Store) BatchFacts(ctx context.Context, batchID int64) (*model.BatchFacts, error) {
	b, err := s.LabelBatchByID(ctx, batchID)
	if err != nil {
		return nil, err
	}
	return &model.BatchFacts{ID: b.ID, FilingID: b.FilingID, FirstLabelID: b.FirstLabelID, CreatedAt: b.CreatedAt.UTC(),
		Status: b.Status, VoidReason: b.VoidReason}, nil
}

// DefersScanCounts says whether RecordScans leaves labels' counts to FoldScanCounts. On
// SQLite it does: one process owns the file, a flush then only appends, and a fold applies
// many flushes' counts in label order, so each label page is written once per fold instead
// of once per scan (random page writes were most of verification's cost there). MySQL may be
// shared by several instances, so each flush applies its counts at once.
func (s *Store) DefersScanCounts() bool { return s.dialect == "sqlite" }

// RecordScans writes a flush in one transaction: the scan rows, the unknown codes' tallies
// as upserts and, unless counts are deferred, each label's count as an atomic increment
// (never read-then-write, so concurrent instances lose nothing). Each part is one statement
// per flush, not one per row: the SQLite driver parses a statement on every execution,
// prepared or not, and MySQL pays a round trip per execution.
func (s *Store) RecordScans(ctx context.Context, f model.ScanFlush) error {
	ids := make([]int64, 0, len(f.Labels))
	for id := range f.Labels {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a fixed lock order: concurrent flushes from two instances cannot deadlock
	codes := make([]string, 0, len(f.Unknown))
	for code := range f.Unknown {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	err := s.retry(ctx, func(tx *gorm.DB) error {
		var err error
		if s.dialect == "mysql" {
			err = recordScansMySQL(tx, f, ids, codes)
		} else {
			err = recordScansSQLite(tx, f, codes)
		}
		if err == nil && f.Committing != nil {
			f.Committing()
		}
		return err
	})
	return translate(err, "scan")
}

// FoldScanCounts applies every scan written since the last fold to its label's count, first
// and last scan times, and moves the fold mark, in one transaction (so a crash folds nothing
// twice and loses nothing: the next fold starts from the mark). It returns how many labels it
// updated. committing, if set, is called just before the transaction commits (see
// model.ScanFlush). Without deferred counts it does nothing.
func (s *Store) FoldScanCounts(ctx context.Context, committing func()) (int64, error) {
	if !s.DefersScanCounts() {
		return 0, nil
	}
	var folded int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var mark struct{ From, To sql.NullInt64 }
		if err := tx.Raw(`SELECT (SELECT last_scan_id FROM scan_fold WHERE id = 1) AS "from", (SELECT MAX(id) FROM scans) AS "to"`).
			Scan(&mark).Error; err != nil {
			return err
		}
		if !mark.To.Valid || mark.To.Int64 <= mark.From.Int64 {
			return nil
		}
		// The aggregate comes out in label id order, so the update walks the labels table
		// forwards and writes each page once.
		res := tx.Exec(`UPDATE labels SET scan_count = scan_count + j.c, first_scanned_at = COALESCE(first_scanned_at, j.f),
last_scanned_at = CASE WHEN last_scanned_at IS NULL OR last_scanned_at < j.l THEN j.l ELSE last_scanned_at END
FROM (SELECT label_id AS id, COUNT(*) AS c, MIN(scanned_at) AS f, MAX(scanned_at) AS l FROM scans
      WHERE id > ? AND id <= ? AND label_id IS NOT NULL GROUP BY label_id) AS j
WHERE labels.id = j.id`, mark.From.Int64, mark.To.Int64)
		if res.Error != nil {
			return res.Error
		}
		folded = res.RowsAffected
		if err := tx.Exec(`INSERT INTO scan_fold (id, last_scan_id) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET last_scan_id = excluded.last_scan_id`, mark.To.Int64).Error; err != nil {
			return err
		}
		if committing != nil {
			committing()
		}
		return nil
	})
	return folded, translate(err, "scan")
}

// recordScansSQLite passes each part of the flush as one JSON array and lets json_each turn
// it into rows inside SQLite. Label counts are left to FoldScanCounts.
func recordScansSQLite(tx *gorm.DB, f model.ScanFlush, codes []string) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("scan flush needs a database/sql transaction")
	}
	if len(f.Scans) > 0 {
		if _, err := sqlTx.Exec(`INSERT INTO scans (label_id, code, result, client_hash, user_agent, scanned_at)
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?)`, string(scanRowsJSON(f.Scans))); err != nil {
			return err
		}
	}
	if len(codes) > 0 {
		arg, err := tallyRowsJSON(codes, f.Unknown, sqliteTime)
		if err != nil {
			return err
		}
		// "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT. No
		// context: on SQLite it costs a few percent per statement, and the statement is
		// bounded by the flush size.
		if _, err := sqlTx.Exec(`INSERT INTO unknown_codes (code, count, first_seen, last_seen)
SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?) WHERE true
ON CONFLICT (code) DO UPDATE SET count = count + excluded.count, last_seen = MAX(last_seen, excluded.last_seen)`, arg); err != nil {
			return err
		}
	}
	return nil
}

// mysqlTime is a time as MySQL reads a DATETIME(6) literal.
func mysqlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// sqliteTime is a time as the SQLite driver writes it (_time_format=sqlite), so values
// passed through JSON compare and parse like bound ones.
func sqliteTime(t time.Time) string {
	return string(appendSQLiteTime(nil, t))
}

func appendSQLiteTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999999-07:00")
}

// scanRowsJSON encodes scans as [[label_id,code,result,client_hash,user_agent,scanned_at],…]
// by hand: a flush carries thousands of rows, and encoding/json's reflection over them cost
// more than SQLite's insert of them.
func scanRowsJSON(scans []model.Scan) []byte {
	b := make([]byte, 0, len(scans)*(120+len(scans[0].UserAgent)))
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
		b = append(b, '"', ']')
	}
	return append(b, ']')
}

// tallyRowsJSON encodes the tallies of keys as one JSON array of [key, count, first, last],
// times written by at, for a statement that turns it into rows (json_each, JSON_TABLE).
func tallyRowsJSON[K comparable](keys []K, tallies map[K]model.ScanTally, at func(time.Time) string) (string, error) {
	rows := make([][4]any, len(keys))
	for i, k := range keys {
		t := tallies[k]
		rows[i] = [4]any{k, t.Count, at(t.First), at(t.Last)}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

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
