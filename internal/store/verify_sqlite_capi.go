package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"gimark/model"
)

// sqliteReader is verification's labelReader on SQLite: a few read-only connections, each
// holding verifySQL compiled once, driven through the C API of the SQLite library the driver
// itself uses (modernc.org/sqlite/lib). It stays because the driver's own path, through
// database/sql, costs about three times the CPU per lookup (bind, a per-query goroutine
// watching the context, column names, database/sql's pool and conversions), and verification
// measured at 70 % of this path's throughput with it (bench/labels.sh OLD_BIN; README). The
// context is honoured while waiting for a connection and before the lookup starts; the
// lookup itself is one index probe of a few microseconds.
type sqliteReader struct {
	conns chan *lookupConn // idle connections; one goroutine uses a connection at a time
	all   []*lookupConn
	done  chan struct{} // closed by Close
	once  sync.Once
}

var errLookupClosed = errors.New("sqlite lookup: closed")

var _ labelReader = (*sqliteReader)(nil)

// lookupConn is one connection, its compiled statement, and a C buffer for the bound code.
type lookupConn struct {
	tls  *libc.TLS
	db   uintptr // sqlite3*
	stmt uintptr // sqlite3_stmt*
	code uintptr // codeBuf bytes the statement's parameter points into
}

// codeBuf bounds the code a lookup binds; longer input cannot be a label's code.
const codeBuf = 64

func openSQLiteReader(path string, n int) (labelReader, error) {
	l := &sqliteReader{conns: make(chan *lookupConn, n), done: make(chan struct{})}
	for range n {
		c, err := openLookupConn(path)
		if err != nil {
			l.close()
			return nil, err
		}
		l.all = append(l.all, c)
		l.conns <- c
	}
	return l, nil
}

func openLookupConn(path string) (c *lookupConn, err error) {
	c = &lookupConn{tls: libc.NewTLS()}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	name, err := libc.CString(path)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	slot := libc.Xmalloc(c.tls, 8) // sqlite3** / sqlite3_stmt**
	if slot == 0 {
		return nil, errors.New("sqlite lookup: out of memory")
	}
	defer libc.Xfree(c.tls, slot)
	// NOMUTEX: the pool hands a connection to one goroutine at a time.
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, slot, sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_URI, 0)
	c.db = *(*uintptr)(cPtr(slot))
	if rc != sqlite3.SQLITE_OK {
		return nil, c.errorf("open %s", path)
	}
	for _, p := range append([]string{sqliteBusyTimeout}, sqliteReadPragmas...) {
		if err := c.exec("PRAGMA " + p); err != nil {
			return nil, err
		}
	}
	q, err := libc.CString(verifySQL)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, q)
	if sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, slot, 0) != sqlite3.SQLITE_OK {
		return nil, c.errorf("prepare the label lookup")
	}
	c.stmt = *(*uintptr)(cPtr(slot))
	if c.code = libc.Xmalloc(c.tls, codeBuf); c.code == 0 {
		return nil, errors.New("sqlite lookup: out of memory")
	}
	return c, nil
}

func (c *lookupConn) exec(sql string) error {
	q, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, q)
	if sqlite3.Xsqlite3_exec(c.tls, c.db, q, 0, 0, 0) != sqlite3.SQLITE_OK {
		return c.errorf("%s", sql)
	}
	return nil
}

func (c *lookupConn) errorf(format string, args ...any) error {
	msg := "unknown error"
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	return fmt.Errorf("sqlite lookup: "+format+": %s", append(args, msg)...)
}

func (c *lookupConn) close() {
	if c.stmt != 0 {
		sqlite3.Xsqlite3_finalize(c.tls, c.stmt)
	}
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db)
	}
	if c.code != 0 {
		libc.Xfree(c.tls, c.code)
	}
	c.tls.Close()
}

// close closes every connection once it is idle; lookups from then on fail. A lookup still
// running after a few seconds keeps its connection (the process is ending): freeing it under
// the lookup would crash it.
func (l *sqliteReader) close() error {
	l.once.Do(func() {
		close(l.done)
		timeout := time.After(5 * time.Second)
		for range l.all {
			select {
			case c := <-l.conns:
				c.close()
			case <-timeout:
				return
			}
		}
	})
	return nil
}

// read reads what verification needs of the label with code, or ErrNotFound.
func (l *sqliteReader) read(ctx context.Context, code string) (*model.VerifyRow, error) {
	if len(code) > codeBuf {
		return nil, model.NotFound("label")
	}
	var c *lookupConn
	select {
	case <-l.done:
		return nil, errLookupClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case c = <-l.conns:
	}
	defer func() { l.conns <- c }()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	copy(unsafe.Slice((*byte)(cPtr(c.code)), codeBuf), code)
	// SQLITE_STATIC (0): the buffer outlives the statement's use of it.
	if sqlite3.Xsqlite3_bind_text(c.tls, c.stmt, 1, c.code, int32(len(code)), 0) != sqlite3.SQLITE_OK {
		return nil, c.errorf("bind")
	}
	// The reset ends the read transaction: a statement left open would pin an old snapshot
	// and stop checkpoints from trimming the WAL.
	defer sqlite3.Xsqlite3_reset(c.tls, c.stmt)
	switch sqlite3.Xsqlite3_step(c.tls, c.stmt) {
	case sqlite3.SQLITE_ROW:
	case sqlite3.SQLITE_DONE:
		return nil, model.NotFound("label")
	default:
		return nil, c.errorf("look up a label")
	}
	r := &model.VerifyRow{
		ID:        sqlite3.Xsqlite3_column_int64(c.tls, c.stmt, 0),
		BatchID:   sqlite3.Xsqlite3_column_int64(c.tls, c.stmt, 1),
		Status:    knownString(c.text(2), model.LabelActive, model.LabelVoided),
		ScanCount: sqlite3.Xsqlite3_column_int64(c.tls, c.stmt, 3),
		FoldMark:  sqlite3.Xsqlite3_column_int64(c.tls, c.stmt, 5),
	}
	if sqlite3.Xsqlite3_column_type(c.tls, c.stmt, 4) != sqlite3.SQLITE_NULL {
		t, err := parseSQLiteTime(c.text(4))
		if err != nil {
			return nil, fmt.Errorf("sqlite lookup: first_scanned_at: %w", err)
		}
		r.FirstScannedAt = &t
	}
	return r, nil
}

// text is column i's text, valid until the statement is reset or stepped.
func (c *lookupConn) text(i int32) string {
	p := sqlite3.Xsqlite3_column_text(c.tls, c.stmt, i)
	n := sqlite3.Xsqlite3_column_bytes(c.tls, c.stmt, i)
	if p == 0 || n == 0 {
		return ""
	}
	return unsafe.String((*byte)(cPtr(p)), n)
}

// cPtr turns an address in the SQLite library's C heap (never Go memory) into a pointer.
func cPtr(p uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), p) }

// knownString returns the one of known that s equals (so nothing points into C memory), or
// a copy of s.
func knownString(s string, known ...string) string {
	for _, k := range known {
		if s == k {
			return k
		}
	}
	return string([]byte(s))
}

// sqliteTimeLayouts are the forms a time is stored in: the driver's (_time_format=sqlite),
// then the other forms SQLite's own date functions and older rows use.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
}

func parseSQLiteTime(s string) (time.Time, error) {
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}
