package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"gimark/internal/store"
	"gimark/internal/testdb"
)

// procDB is a database for a test that runs the server itself: its environment and how to
// open it afterwards.
type procDB struct {
	name string
	env  map[string]string
	opts store.Options
}

// procDBs gives SQLite always and, when GIMARK_TEST_MYSQL_DSN is set, a MySQL database made
// for the test and dropped after it (the same rule as testdb).
func procDBs(t *testing.T) []procDB {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out []procDB
	for _, eng := range testdb.Engines(t) {
		switch eng.Name {
		case "sqlite":
			dsn := filepath.Join(t.TempDir(), "g.db")
			out = append(out, procDB{name: "sqlite", env: map[string]string{"GIMARK_DB_DSN": dsn},
				opts: store.Options{Driver: "sqlite", DSN: dsn, Logger: quiet}})
		case "mysql":
			cfg, err := gomysql.ParseDSN(os.Getenv(testdb.EnvMySQL))
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 6)
			_, _ = rand.Read(b)
			name := "gimark_proc_" + hex.EncodeToString(b)
			cfg.DBName = ""
			admin, err := sql.Open("mysql", cfg.FormatDSN())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
			t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name); admin.Close() })
			cfg.DBName = name
			out = append(out, procDB{name: "mysql", env: map[string]string{"GIMARK_DB_DRIVER": "mysql", "GIMARK_DB_DSN": cfg.FormatDSN()},
				opts: store.Options{Driver: "mysql", DSN: cfg.FormatDSN(), Logger: quiet}})
		}
	}
	return out
}
