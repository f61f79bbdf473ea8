package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"

	"gorm.io/gorm"

	"gimark/model"
)

type verifyStmt struct {
	once sync.Once
	stmt *sql.Stmt
	err  error
}

// LabelForVerify is the hot path of verification: one prepared, indexed SELECT on the read
// pool, without GORM. SQLite gets no context (it costs several percent per query there, and
// the query is a single index probe).
func (s *Store) LabelForVerify(ctx context.Context, code string) (*model.VerifyRow, error) {
	s.verify.once.Do(func() {
		db, _ := s.rdb.DB()
		s.verify.stmt, s.verify.err = db.Prepare(`SELECT id, batch_id, filing_id, serial, status, void_reason, scan_count, first_scanned_at
FROM labels WHERE code = ?`)
	})
	if s.verify.err != nil {
		return nil, s.verify.err
	}
	var r model.VerifyRow
	var first sql.NullTime
	var row *sql.Row
	if s.dialect == "sqlite" {
		row = s.verify.stmt.QueryRow(code)
	} else {
		row = s.verify.stmt.QueryRowContext(ctx, code)
	}
	err := row.Scan(&r.ID, &r.BatchID, &r.FilingID, &r.Serial, &r.Status, &r.VoidReason, &r.ScanCount, &first)
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
	return &model.BatchFacts{ID: b.ID, CreatedAt: b.CreatedAt.UTC(), Status: b.Status, VoidReason: b.VoidReason}, nil
}

// RecordScans writes a flush in one transaction: the scan rows in multi-row inserts, each
// label's count as an atomic increment (never read-then-write, so concurrent instances lose
// nothing), and the unknown codes' tallies as upserts.
func (s *Store) RecordScans(ctx context.Context, f model.ScanFlush) error {
	err := s.retry(ctx, func(tx *gorm.DB) error {
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("scan flush needs a database/sql transaction")
		}
		// Statements are prepared once per flush: parsing SQL per row was most of a flush's
		// CPU on SQLite, and that CPU is taken from verification.
		if s.dialect == "mysql" {
			if len(f.Scans) > 0 {
				if err := tx.CreateInBatches(f.Scans, 500).Error; err != nil {
					return err
				}
			}
		} else if err := execEach(ctx, sqlTx, "INSERT INTO scans (label_id, code, result, client_hash, user_agent, scanned_at) VALUES (?, ?, ?, ?, ?, ?)",
			len(f.Scans), func(i int) []any {
				sc := f.Scans[i]
				return []any{sc.LabelID, sc.Code, sc.Result, sc.ClientHash, sc.UserAgent, sc.ScannedAt}
			}); err != nil {
			return err
		}
		ids := make([]int64, 0, len(f.Labels))
		for id := range f.Labels {
			ids = append(ids, id)
		}
		slices.Sort(ids) // a fixed lock order: concurrent flushes from two instances cannot deadlock
		if err := execEach(ctx, sqlTx, `UPDATE labels SET scan_count = scan_count + ?, first_scanned_at = COALESCE(first_scanned_at, ?),
last_scanned_at = ? WHERE id = ?`, len(ids), func(i int) []any {
			c := f.Labels[ids[i]]
			return []any{c.Count, c.First, c.Last, ids[i]}
		}); err != nil {
			return err
		}
		codes := make([]string, 0, len(f.Unknown))
		for code := range f.Unknown {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		return execEach(ctx, sqlTx, s.upsertUnknownSQL(), len(codes), func(i int) []any {
			c := f.Unknown[codes[i]]
			return []any{codes[i], c.Count, c.First, c.Last}
		})
	})
	return translate(err, "scan")
}

// execEach runs one prepared statement n times with the arguments args(i).
func execEach(ctx context.Context, tx *sql.Tx, query string, n int, args func(i int) []any) error {
	if n == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
			return err
		}
	}
	return nil
}

// upsertUnknownSQL adds to an unknown code's tally; the two engines spell upserts differently.
func (s *Store) upsertUnknownSQL() string {
	if s.dialect == "mysql" {
		return `INSERT INTO unknown_codes (code, count, first_seen, last_seen) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE count = count + VALUES(count), last_seen = GREATEST(last_seen, VALUES(last_seen))`
	}
	return `INSERT INTO unknown_codes (code, count, first_seen, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (code) DO UPDATE SET count = count + excluded.count, last_seen = MAX(last_seen, excluded.last_seen)`
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
