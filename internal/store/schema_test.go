package store_test

import (
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/migrations"
	"gimark/model"
)

// models lists every persisted type; a new model must be added here.
var models = []any{
	&model.Enterprise{}, &model.User{}, &model.RefreshToken{}, &model.AuditEvent{},
	&model.Product{}, &model.Filing{}, &model.Document{},
	&model.LabelBatch{}, &model.Label{}, &model.Scan{}, &model.UnknownCode{},
	&model.SalesRecord{}, &model.SalesHistory{},
	&model.PrintRecord{}, &model.SpecialMark{},
}

// TestEveryModelFieldHasAColumn migrates each engine and checks every gorm column of every
// model exists, so a model and its migrations cannot drift apart.
func TestEveryModelFieldHasAColumn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		m := s.DB().Migrator()
		for _, v := range models {
			typ := reflect.TypeOf(v).Elem()
			if !m.HasTable(v) {
				t.Errorf("%s: no table", typ.Name())
				continue
			}
			for i := 0; i < typ.NumField(); i++ {
				tag := typ.Field(i).Tag.Get("gorm")
				for _, part := range strings.Split(tag, ";") {
					if col, ok := strings.CutPrefix(part, "column:"); ok && !m.HasColumn(v, col) {
						t.Errorf("%s.%s: no column %q", typ.Name(), typ.Field(i).Name, col)
					}
				}
			}
		}
	})
}

// TestMigrationVersionsMatch keeps the two dialect folders in step: the same versions and
// names on both sides, in increasing order (gaps allowed).
func TestMigrationVersionsMatch(t *testing.T) {
	t.Parallel()
	names := func(dir string) []string {
		entries, err := fs.ReadDir(migrations.FS, dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sq, my := names("sqlite"), names("mysql")
	if !slices.Equal(sq, my) {
		t.Fatalf("migration files differ:\nsqlite %v\nmysql  %v", sq, my)
	}
	prev := 0
	for _, n := range sq {
		var v int
		if _, err := fmt.Sscanf(n, "%05d_", &v); err != nil || v <= prev {
			t.Errorf("migration %s: version not a 5-digit number above %d", n, prev)
		}
		prev = v
	}
}

func TestMigrateIsIdempotentAndReady(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(t.Context())
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (%v), want 0", n, err)
		}
		if err := s.Ready(t.Context()); err != nil {
			t.Fatalf("ready: %v", err)
		}
	})
}
