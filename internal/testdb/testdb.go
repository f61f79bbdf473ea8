// Package testdb gives tests a real, migrated database of their own: SQLite in a temporary
// folder always, and MySQL too when GIMARK_TEST_MYSQL_DSN is set (a database created for the
// test and dropped after it).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"gimark/internal/store"
)

// EnvMySQL names the variable holding a MySQL server DSN without a database, e.g.
// root:@tcp(127.0.0.1:3306)/
const EnvMySQL = "GIMARK_TEST_MYSQL_DSN"

// Engine is a database a test can run on.
type Engine struct {
	Name string // "sqlite" or "mysql"
	dsn  string // server DSN for mysql
}

// Engines lists the engines to run on. In CI (CI=true) a missing MySQL DSN fails the test
// instead of silently running SQLite only.
func Engines(t testing.TB) []Engine {
	t.Helper()
	out := []Engine{{Name: "sqlite"}}
	if dsn := os.Getenv(EnvMySQL); dsn != "" {
		out = append(out, Engine{Name: "mysql", dsn: dsn})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set in CI: the MySQL half of the storage tests would not run", EnvMySQL)
	}
	return out
}

// Each runs fn as a subtest on every engine, each with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, e.Open(t, nil))
		})
	}
}

// Open creates a fresh migrated store on engine e, closed and dropped when t ends.
func (e Engine) Open(t testing.TB, now func() time.Time) *store.Store {
	t.Helper()
	return e.OpenInstances(t, now, 1)[0]
}

// EachInstances runs fn as a subtest on every engine with n stores on one fresh migrated
// database, as n instances of gimark sharing it would have.
func EachInstances(t *testing.T, n int, fn func(t *testing.T, s []*store.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, e.OpenInstances(t, nil, n))
		})
	}
}

// OpenInstances creates a fresh database on engine e, migrated through the first of n stores
// opened on it; all are closed, and the database dropped, when t ends.
func (e Engine) OpenInstances(t testing.TB, now func() time.Time, n int) []*store.Store {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("GIMARK_TEST_SQL_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var opts store.Options
	switch e.Name {
	case "sqlite":
		opts = store.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "gimark.db"), Logger: log, Now: now}
	case "mysql":
		name := "gimark_test_" + randomSuffix()
		admin := adminDB(t, e.dsn)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
			t.Fatalf("create test database: %v", err)
		}
		t.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
				t.Errorf("drop test database %s: %v", name, err)
			}
			admin.Close()
		})
		cfg, err := gomysql.ParseDSN(e.dsn)
		if err != nil {
			t.Fatalf("%s: %v", EnvMySQL, err)
		}
		cfg.DBName = name
		opts = store.Options{Driver: "mysql", DSN: cfg.FormatDSN(), Logger: log, Now: now}
	default:
		t.Fatalf("unknown engine %q", e.Name)
	}
	out := make([]*store.Store, n)
	for i := range out {
		s, err := store.Open(ctx, opts)
		if err != nil {
			t.Fatalf("open %s: %v", e.Name, err)
		}
		t.Cleanup(func() { s.Close() }) // runs before the DROP above (cleanups are LIFO)
		if i == 0 {
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate %s: %v", e.Name, err)
			}
		}
		out[i] = s
	}
	return out
}

func adminDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
	}
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("connect to MySQL: %v", err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("MySQL at %s does not answer (%v); unset %s to run on SQLite only", cfg.Addr, err, EnvMySQL)
	}
	return db
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
