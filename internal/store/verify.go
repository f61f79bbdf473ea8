package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// This file holds everything verification asks of the store: its reads (LabelForVerify,
// LabelFacts, BatchFacts) and its writes (RecordScans, FoldScanCounts). What differs between
// the engines is in verify_sqlite.go and verify_mysql.go, behind scanDialect.

// verifySQL is verification's one read, on either engine. With the label's count it reads
// the label's fold mark (folded_to: the mark of the last fold that changed its count) from the
// same row: scan_count holds exactly the label's scans with id up to it, and none of its scans
// lies between it and the global mark (a fold that took one in would have moved folded_to),
// so the reading instance adds its own scans of the label past it (verify.Recorder). A column
// of the row, not a read of scan_fold: that subquery cost MySQL about a sixth of the read.
const verifySQL = `SELECT id, batch_id, status, scan_count, first_scanned_at, folded_to FROM labels WHERE code = ?`

// labelReader is verification's read of one label by code: verifySQL, compiled once per
// connection, on verification's own connections. The store opens it on first use (not in
// Open: on a new database the table exists only once the migrations have run).
type labelReader interface {
	// read returns the label with code (VoidReason left empty), or a not-found error. It
	// gives up when ctx ends before the read starts.
	read(ctx context.Context, code string) (*model.VerifyRow, error)
	close() error
}

// stmtReader is verifySQL as a database/sql prepared statement on verification's pool
// (MySQL). database/sql prepares it again on each connection the pool opens and keeps it.
// On a Galera node (galera set) a code not found is read again causally (syncedVerifySQL).
type stmtReader struct {
	stmt   *sql.Stmt
	db     *sql.DB
	galera bool
}

func openStmtReader(db *sql.DB, galera bool) (labelReader, error) {
	stmt, err := db.Prepare(verifySQL)
	if err != nil {
		return nil, err
	}
	return stmtReader{stmt: stmt, db: db, galera: galera}, nil
}

func (r stmtReader) read(ctx context.Context, code string) (*model.VerifyRow, error) {
	// Given up before the read starts, as on SQLite; the read itself (a fraction of a
	// millisecond, bounded by the pool's read timeout) runs without the request's
	// cancellation: with it, database/sql starts a goroutine for every result and the driver
	// hands every query to its watcher goroutine, which cost MySQL verification about a tenth
	// of its read (BenchmarkLabelForVerify).
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	var row model.VerifyRow
	var first sql.NullTime
	err := r.stmt.QueryRowContext(ctx, code).Scan(&row.ID, &row.BatchID, &row.Status, &row.ScanCount, &first, &row.FoldMark)
	if err == sql.ErrNoRows && r.galera {
		// Not here yet may be not applied yet on this node: ask again, causally.
		err = r.db.QueryRowContext(ctx, syncedVerifySQL, code).Scan(&row.ID, &row.BatchID, &row.Status, &row.ScanCount, &first, &row.FoldMark)
	}
	if err == sql.ErrNoRows {
		return nil, model.NotFound("label")
	}
	if err != nil {
		return nil, translate(err, "label")
	}
	if first.Valid {
		t := first.Time.UTC()
		row.FirstScannedAt = &t
	}
	return &row, nil
}

func (r stmtReader) close() error { return r.stmt.Close() }

// verifyReader holds the store's labelReader once opened.
type verifyReader struct {
	once   sync.Once
	reader labelReader
	err    error
}

var errStoreClosed = errors.New("store: closed")

// labelReader opens the engine's labelReader on first use.
func (s *Store) labelReader() (labelReader, error) {
	if s.closed.Load() {
		return nil, errStoreClosed
	}
	s.verify.once.Do(func() {
		s.closeMu.Lock()
		defer s.closeMu.Unlock()
		if s.closed.Load() {
			s.verify.err = errStoreClosed
			return
		}
		s.verify.reader, s.verify.err = s.openReader()
	})
	return s.verify.reader, s.verify.err
}

// LabelForVerify is the hot path of verification: one indexed SELECT, compiled once, on
// verification's own connections, without GORM (labelReader).
func (s *Store) LabelForVerify(ctx context.Context, code string) (*model.VerifyRow, error) {
	reader, err := s.labelReader()
	if err != nil {
		return nil, err
	}
	r, err := reader.read(ctx, code)
	if err != nil {
		if s.closed.Load() && !model.IsKind(err, model.KindNotFound) {
			return nil, errStoreClosed
		}
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

// scanDialect is the engine's half of verification's writes.
type scanDialect interface {
	// recordScans writes a flush inside tx and returns the id of one scan it wrote; ids and
	// codes are the flush's label ids and unknown codes, sorted. Where counts are deferred,
	// no fold may see the flush's scans in part: a fold sees all of them or none.
	recordScans(tx *gorm.DB, f model.ScanFlush, ids []int64, codes []string) (int64, error)
	// defersCounts says whether recordScans leaves labels' counts to foldCounts.
	defersCounts() bool
	// foldCounts applies the scans written since the last fold to their labels inside tx,
	// moves the fold mark past them, and returns how many labels it updated and the new mark.
	foldCounts(tx *gorm.DB) (labels, mark int64, err error)
}

// DefersScanCounts says whether RecordScans leaves labels' counts to FoldScanCounts (it does
// on SQLite and on MySQL, but not on a Galera cluster; see sqliteScans and mysqlScans).
func (s *Store) DefersScanCounts() bool { return s.scans.defersCounts() }

// RecordScans writes a flush in one transaction: the scan rows, the unknown codes' tallies
// as upserts and, unless counts are deferred, each label's count as an atomic increment
// (never read-then-write, so concurrent instances lose nothing). Each part is one statement
// per flush, not one per row: a statement per row costs SQLite a parse and MySQL a round
// trip. committing, if not nil, is called inside the transaction just before it commits
// (again if the transaction is retried) with the id of one of the flush's scans: where
// counts are deferred, a fold mark at or past that id means the whole flush is folded.
func (s *Store) RecordScans(ctx context.Context, f model.ScanFlush, committing func(scanID int64)) error {
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
		id, err := s.scans.recordScans(tx, f, ids, codes)
		if err != nil {
			return err
		}
		if committing != nil {
			committing(id)
		}
		return nil
	})
	return translate(err, "scan")
}

// FoldScanCounts applies every scan written since the last fold, by any instance, to its
// label's count, first and last scan times, and moves the fold mark (scan_fold) to the last
// scan applied, in one transaction: a crash folds nothing twice and loses nothing, and the
// next fold, by any instance, starts from the mark. It returns how many labels it updated and
// the mark. Without deferred counts it does nothing.
func (s *Store) FoldScanCounts(ctx context.Context) (labels, mark int64, err error) {
	if !s.DefersScanCounts() {
		return 0, 0, nil
	}
	err = s.retry(ctx, func(tx *gorm.DB) error {
		labels, mark, err = s.scans.foldCounts(tx)
		return err
	})
	return labels, mark, translate(err, "scan")
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
