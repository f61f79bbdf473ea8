package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gimark/internal/labelcode"
	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/model"
)

// TestLabelForVerify: verification's read (one prepared statement, the same code on both
// engines) returns what the tables hold, times included, sees each write at once, answers
// unknown and oversized codes with not-found, and serves many readers at once.
func TestLabelForVerify(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		b := issueBatch(t, s, 3)
		var labels []model.Label
		if err := s.DB().Where("batch_id = ?", b.ID).Order("id").Find(&labels).Error; err != nil || len(labels) != 3 {
			t.Fatalf("%d labels, %v", len(labels), err)
		}
		a := labels[0]
		r, err := s.LabelForVerify(ctx, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&model.VerifyRow{ID: a.ID, BatchID: b.ID, Status: model.LabelActive}, r); diff != "" {
			t.Fatalf("fresh label (-want +got):\n%s", diff)
		}

		t0 := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)
		// Two writes: 2 scans at t0, then 3 an hour later; the count is 2, then 5, folded up to
		// the 2nd, then the 5th scan.
		for i, want := range []int64{2, 5} {
			fl := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
			for range 2 + i {
				at := t0.Add(time.Duration(i) * time.Hour)
				fl.Scans = append(fl.Scans, model.Scan{LabelID: &a.ID, Code: a.Code, Result: model.ResultGenuine, ClientHash: "h", ScannedAt: at})
				tl := fl.Labels[a.ID]
				tl.Add(at)
				fl.Labels[a.ID] = tl
			}
			if err := s.RecordScans(ctx, fl, nil); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.FoldScanCounts(ctx); err != nil {
				t.Fatal(err)
			}
			r, err := s.LabelForVerify(ctx, a.Code)
			if err != nil {
				t.Fatal(err)
			}
			// The first scan time comes back in UTC, to the microsecond both engines keep.
			if diff := cmp.Diff(&model.VerifyRow{ID: a.ID, BatchID: b.ID, Status: model.LabelActive, ScanCount: want, FirstScannedAt: &t0, FoldMark: want}, r); diff != "" {
				t.Fatalf("after write %d (-want +got):\n%s", i+1, diff)
			}
		}

		reason := `撕坏 "damaged" \ <b>`
		if _, err := s.VoidLabel(ctx, labels[2].ID, reason, 1); err != nil {
			t.Fatal(err)
		}
		r, err = s.LabelForVerify(ctx, labels[2].Code)
		if err != nil {
			t.Fatal(err)
		}
		// Never scanned: no fold has changed its count, so its own fold mark is still 0.
		if diff := cmp.Diff(&model.VerifyRow{ID: labels[2].ID, BatchID: b.ID, Status: model.LabelVoided, VoidReason: reason}, r); diff != "" {
			t.Fatalf("voided label (-want +got):\n%s", diff)
		}

		unknown, _ := labelcode.New()
		for _, code := range []string{unknown, "", strings.Repeat("A", 65), strings.Repeat("9", 1000), a.Code[:16]} {
			if _, err := s.LabelForVerify(ctx, code); !model.IsKind(err, model.KindNotFound) {
				t.Fatalf("%.20q: %v, want not found", code, err)
			}
		}

		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					l := labels[(g+i)%2] // both active labels
					r, err := s.LabelForVerify(ctx, l.Code)
					if err != nil || r.ID != l.ID {
						t.Errorf("concurrent lookup of %d: %+v %v", l.ID, r, err)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
}

// TestLabelForVerifyHonoursContext: a read asked with a context that has ended does not run.
func TestLabelForVerifyHonoursContext(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		b := issueBatch(t, s, 1)
		var l model.Label
		if err := s.DB().Where("batch_id = ?", b.ID).Take(&l).Error; err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if r, err := s.LabelForVerify(ctx, l.Code); !errors.Is(err, context.Canceled) {
			t.Fatalf("with an ended context: %+v, %v; want context.Canceled", r, err)
		}
		if _, err := s.LabelForVerify(t.Context(), l.Code); err != nil {
			t.Fatalf("the next read: %v", err)
		}
	})
}

// TestLabelForVerifyAfterClose: once the store is closed, verification's read fails at once
// instead of waiting for a connection or touching freed ones.
func TestLabelForVerifyAfterClose(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		code, _ := labelcode.New()
		if _, err := s.LabelForVerify(t.Context(), code); !model.IsKind(err, model.KindNotFound) {
			t.Fatalf("before Close: %v, want not found", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LabelForVerify(t.Context(), code); err == nil || model.IsKind(err, model.KindNotFound) {
			t.Fatalf("after Close: %v, want an error", err)
		}
	})
}

// TestSQLiteConnectionSettings: the driver applies the DSN's pragmas on every pool: the
// writer's foreign keys, WAL and busy timeout, and the readers' read-only mode and small
// page cache.
func TestSQLiteConnectionSettings(t *testing.T) {
	t.Parallel()
	s := testdb.Engines(t)[0].Open(t, nil)
	pragma := func(db *sql.DB, name string) string {
		var v string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		return v
	}
	want := map[string]map[string]string{
		"writer": {"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000", "synchronous": "1", "query_only": "0", "cache_size": "-131072"},
		"reader": {"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000", "query_only": "1", "cache_size": "-1024"},
	}
	got := map[string]map[string]string{}
	for pool, pragmas := range want {
		got[pool] = map[string]string{}
		for name := range pragmas {
			got[pool][name] = pragma(s.Pools()[pool], name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("pragmas (-want +got):\n%s", diff)
	}
	if _, err := s.Pools()["reader"].ExecContext(t.Context(), "DELETE FROM labels"); err == nil {
		t.Fatal("a read connection wrote")
	}
}
