// Package store keeps gimark's data with GORM on SQLite (the embedded default) or MySQL
// (production). It is the only package that speaks SQL; it maps database errors to model
// errors so callers never see a driver's vocabulary.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options says which database to open.
type Options struct {
	Driver string // sqlite | mysql
	DSN    string // SQLite file path, or MySQL DSN
	Logger *slog.Logger
	Now    func() time.Time // injected clock; UTC
}

// Store is the database of one gimark instance.
type Store struct {
	db         *gorm.DB // writes, and reads that must see them (SQLite: one connection)
	rdb        *gorm.DB // reads (SQLite: a pool of read-only connections; MySQL: same as db)
	dialect    string
	log        *slog.Logger
	now        func() time.Time
	vdb        *sql.DB // MySQL: verification's own pool, so consumers never queue behind a slow report
	closers    []*sql.DB
	verify     verifyReader                // verification's read, opened on first use
	openReader func() (labelReader, error) // opens the engine's labelReader
	scans      scanDialect                 // the engine's half of verification's writes (verify_sqlite.go, verify_mysql.go)
	closed     atomic.Bool                 // set by Close: verification fails at once from then on
	closeMu    sync.Mutex                  // orders Close against preparing verification's statement

	noLocalInfile atomic.Bool // the MySQL server refused LOAD DATA LOCAL once
}

// Dialect is "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Open connects to the database described by o. It does not migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Store{dialect: o.Driver, log: o.Logger, now: o.Now}
	gcfg := func() *gorm.Config {
		return &gorm.Config{
			NowFunc:                func() time.Time { return o.Now().UTC() },
			Logger:                 gormLogger(o.Logger),
			SkipDefaultTransaction: true, // every write that needs one opens it explicitly
		}
	}
	switch o.Driver {
	case "sqlite":
		if err := os.MkdirAll(filepath.Dir(o.DSN), 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
		// WAL lets readers run beside the writer; the busy timeout covers a checkpoint.
		base := o.DSN + "?_pragma=foreign_keys(1)&_pragma=" + sqliteBusyTimeout + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
		// The writer gets a 128 MiB page cache: issuing a million labels and flushing scans
		// touch index pages all over the file, and re-reading them dominated both.
		w, err := gorm.Open(sqlite.Open(base+"&_pragma=cache_size(-131072)&_pragma=temp_store(memory)"), gcfg())
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", o.DSN, err)
		}
		wdb, _ := w.DB()
		// One writer connection: SQLite allows one writer at a time, so writers queue in the
		// pool instead of failing with "database is locked".
		wdb.SetMaxOpenConns(1)
		wdb.SetMaxIdleConns(1)
		wdb.SetConnMaxLifetime(0)
		readDSN := base
		for _, p := range sqliteReadPragmas {
			readDSN += "&_pragma=" + p
		}
		r, err := gorm.Open(sqlite.Open(readDSN), gcfg())
		if err != nil {
			return nil, fmt.Errorf("open sqlite reader %s: %w", o.DSN, err)
		}
		rdb, _ := r.DB()
		rdb.SetMaxOpenConns(readers())
		rdb.SetMaxIdleConns(readers())
		rdb.SetConnMaxLifetime(0)
		// Verification has its own read-only connections (sqliteReader), opened on first use:
		// after the migrations, since they compile their query once.
		path := o.DSN
		s.openReader = func() (labelReader, error) { return openSQLiteReader(path, verifiers()) }
		s.db, s.rdb, s.scans, s.closers = w, r, sqliteScans{}, []*sql.DB{rdb, wdb}
	case "mysql":
		dsn, err := normalizeMySQLDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		mainDSN, galera := galeraDSN(ctx, dsn)
		w, err := gorm.Open(mysql.Open(mainDSN), gcfg())
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		sdb, _ := w.DB()
		sdb.SetMaxOpenConns(32)
		sdb.SetMaxIdleConns(32)
		sdb.SetConnMaxLifetime(5 * time.Minute) // below any sane wait_timeout
		sdb.SetConnMaxIdleTime(time.Minute)
		vdb, err := sql.Open("mysql", dsn)
		if err != nil {
			return nil, fmt.Errorf("open mysql verification pool: %w", err)
		}
		vdb.SetMaxOpenConns(mysqlVerifiers)
		vdb.SetMaxIdleConns(mysqlVerifiers)
		vdb.SetConnMaxLifetime(5 * time.Minute)
		vdb.SetConnMaxIdleTime(time.Minute)
		s.openReader = func() (labelReader, error) { return openStmtReader(vdb, galera) }
		s.db, s.rdb, s.vdb, s.scans, s.closers = w, w, vdb, mysqlScans{shared: !galera}, []*sql.DB{vdb, sdb}
	default:
		return nil, fmt.Errorf("unsupported database driver %q (sqlite|mysql)", o.Driver)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", o.Driver, err)
	}
	return s, nil
}

// normalizeMySQLDSN forces the settings gimark relies on: times parsed in UTC, utf8mb4, and
// interpolated parameters (one round trip per query instead of prepare/execute/close).
func normalizeMySQLDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("GIMARK_DB_DSN: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Collation == "" || !strings.HasPrefix(cfg.Collation, "utf8mb4") {
		cfg.Collation = "utf8mb4_bin"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 60 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	// Session time zone UTC so NOW() and DATETIME comparisons agree with the application.
	cfg.Params["time_zone"] = "'+00:00'"
	return cfg.FormatDSN(), nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	for _, d := range s.closers {
		if err := d.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	s.closed.Store(true)
	var errs []error
	if s.verify.reader != nil {
		errs = append(errs, s.verify.reader.close())
	}
	for _, d := range s.closers {
		errs = append(errs, d.Close())
	}
	return errors.Join(errs...)
}

// SQLDB returns the writer's database/sql handle (for migrations and baselines).
func (s *Store) SQLDB() *sql.DB { return s.closers[len(s.closers)-1] }

// Pools names the database/sql connection pools for monitoring: on MySQL verification's and
// the shared one, on SQLite the readers and the writer (verification's SQLite connections
// are not a database/sql pool: see sqliteReader).
func (s *Store) Pools() map[string]*sql.DB {
	if s.dialect == "mysql" {
		return map[string]*sql.DB{"verify": s.vdb, "db": s.closers[1]}
	}
	return map[string]*sql.DB{"reader": s.closers[0], "writer": s.closers[1]}
}

func gormLogger(l *slog.Logger) logger.Interface {
	return logger.NewSlogLogger(l, logger.Config{
		SlowThreshold:             200 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true, // never log values: they may be password hashes or tokens
	})
}

// tx runs fn in a transaction on the writer.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// DB exposes the writer for tests that inspect rows directly.
func (s *Store) DB() *gorm.DB { return s.db }

// sqliteBusyTimeout lets a connection wait out a checkpoint instead of failing.
const sqliteBusyTimeout = "busy_timeout(10000)"

// sqliteReadPragmas set up every SQLite read connection (the read pool and verification's).
// Readers get a small page cache. In WAL mode every commit empties each reader's cache (it
// cannot tell which pages changed), so a large one is refilled page by page, an allocation
// each, after every scan flush; a code lookup reads random leaf pages that no cache of
// sensible size would hold, and the interior pages it needs again fit in a few hundred KiB.
var sqliteReadPragmas = []string{"query_only(1)", "cache_size(-1024)"}

// readers sizes SQLite's read pool: reads are CPU-bound, so two connections per core keep
// every core busy; more only queue inside SQLite and lengthen the slowest answers (with 8 on
// 2 cores, one run each: p99 21 ms with 8, 16 ms with 4, at the same throughput).
func readers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// verifiers sizes SQLite's verification connections: one connection per core. A code lookup is a
// few microseconds of CPU, so a second lookup per core only shares that core with the first
// and both finish later; under 64 connections on 2 cores, 2 lookups at a time gave p99 16 ms
// against 19–22 ms with 4 and 28–30 ms with 64, and as many answers per second or more.
func verifiers() int { return runtime.GOMAXPROCS(0) }

// mysqlVerifiers bounds verification's MySQL connections, for the same reason: beyond a few
// per server core, concurrent lookups only contend inside the server.
const mysqlVerifiers = 8
