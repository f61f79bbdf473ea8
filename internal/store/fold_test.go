package store_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/internal/verify"
	"gimark/model"
)

// labelFlush is a flush of n scans of label id.
func labelFlush(id int64, code string, n int) model.ScanFlush {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
	for range n {
		f.Scans = append(f.Scans, model.Scan{LabelID: &id, Code: code, Result: model.ResultGenuine, ClientHash: "h", ScannedAt: at})
		t := f.Labels[id]
		t.Add(at)
		f.Labels[id] = t
	}
	return f
}

// batchCodes issues n labels and returns their ids and codes.
func batchCodes(t *testing.T, s *store.Store, n int) ([]int64, []string) {
	t.Helper()
	b := issueBatch(t, s, n)
	var labels []model.Label
	if err := s.DB().Where("batch_id = ?", b.ID).Order("id").Find(&labels).Error; err != nil || len(labels) != n {
		t.Fatalf("%d labels (%v)", len(labels), err)
	}
	ids, codes := make([]int64, n), make([]string, n)
	for i, l := range labels {
		ids[i], codes[i] = l.ID, l.Code
	}
	return ids, codes
}

func scanCount(t *testing.T, s *store.Store, id int64) int64 {
	t.Helper()
	var l model.Label
	if err := s.DB().Take(&l, id).Error; err != nil {
		t.Fatal(err)
	}
	return l.ScanCount
}

// waitUntilBlocked returns once a fold is waiting for the flush that holds the database: on
// MySQL its FOR UPDATE waits for the flush's shared lock on the mark, on SQLite it waits for
// the one writer connection.
func waitUntilBlocked(t *testing.T, s *store.Store, waitsBefore int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var blocked bool
		if s.DB().Dialector.Name() == "mysql" {
			var n int64
			if err := s.DB().Raw(`SELECT COUNT(*) FROM information_schema.PROCESSLIST
WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE '%scan_fold%FOR UPDATE%'`).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			blocked = n > 0
		} else {
			db, err := s.DB().DB()
			if err != nil {
				t.Fatal(err)
			}
			blocked = db.Stats().WaitCount > waitsBefore
		}
		if blocked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the fold never waited for the flush")
		}
		time.Sleep(time.Millisecond) // polling what the database reports, not ordering events
	}
}

// TestFoldWaitsForAFlushInProgress: a fold that starts while a flush is in its transaction
// waits for it, then applies it; nothing is lost and nothing applied twice. On MySQL the flush
// in progress holds a lower scan id than one that committed before the fold began (ids are
// handed out at insert, not at commit): a fold that read MAX(id) past the uncommitted flush
// would move the mark over its scans for good.
func TestFoldWaitsForAFlushInProgress(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		mysql := s.DB().Dialector.Name() == "mysql"
		ids, codes := batchCodes(t, s, 2)
		a, b := ids[0], ids[1]

		inTx, release := make(chan int64, 1), make(chan struct{})
		var once sync.Once
		flushA := make(chan error, 1)
		go func() {
			flushA <- s.RecordScans(ctx, labelFlush(a, codes[0], 3), func(id int64) {
				once.Do(func() {
					inTx <- id
					<-release
				})
			})
		}()
		idA := <-inTx

		// A second flush: on MySQL it commits beside the first, with a higher id; on SQLite it
		// waits for the one writer, like the fold.
		db, err := s.DB().DB()
		if err != nil {
			t.Fatal(err)
		}
		waits := db.Stats().WaitCount
		var idB int64
		flushB := make(chan error, 1)
		go func() {
			flushB <- s.RecordScans(ctx, labelFlush(b, codes[1], 2), func(id int64) { idB = id })
		}()
		if mysql {
			if err := <-flushB; err != nil {
				t.Fatal(err)
			}
			if idB <= idA {
				t.Fatalf("the later flush's id %d is not past the one in progress (%d)", idB, idA)
			}
		} else {
			waitUntilBlocked(t, s, waits)
			waits = db.Stats().WaitCount
		}

		type folded struct{ labels, mark int64 }
		fold := make(chan folded, 1)
		foldErr := make(chan error, 1)
		go func() {
			n, mark, err := s.FoldScanCounts(ctx)
			fold <- folded{n, mark}
			foldErr <- err
		}()
		waitUntilBlocked(t, s, waits)
		close(release)
		if err := <-flushA; err != nil {
			t.Fatal(err)
		}
		got := <-fold
		if err := <-foldErr; err != nil {
			t.Fatal(err)
		}
		if !mysql {
			if err := <-flushB; err != nil {
				t.Fatal(err)
			}
		}
		// The fold waited for the flush in progress: its scans are in.
		if got.mark < idA || scanCount(t, s, a) != 3 {
			t.Fatalf("fold to mark %d (flush in progress at %d): count %d, want 3", got.mark, idA, scanCount(t, s, a))
		}
		if mysql && (got.mark < idB || got.labels != 2 || scanCount(t, s, b) != 2) {
			t.Fatalf("fold to mark %d over %d labels: second flush (%d) count %d, want 2", got.mark, got.labels, idB, scanCount(t, s, b))
		}
		// Whatever the fold did not take, the next one does, once.
		for range 2 {
			if _, _, err := s.FoldScanCounts(ctx); err != nil {
				t.Fatal(err)
			}
			if ca, cb := scanCount(t, s, a), scanCount(t, s, b); ca != 3 || cb != 2 {
				t.Fatalf("after more folds: counts %d and %d, want 3 and 2", ca, cb)
			}
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// instance is one gimark process's verification: its own recorder on its own store handle.
type instance struct {
	rec *verify.Recorder
	svc *verify.Service
}

func startInstances(t *testing.T, stores []*store.Store) []instance {
	out := make([]instance, len(stores))
	for i, s := range stores {
		// Nothing flushes or folds on a timer: the test says when.
		rec := verify.NewRecorder(s, discard(), 1<<14, time.Hour, time.Hour)
		t.Cleanup(func() { rec.Close(context.Background()) })
		out[i] = instance{rec: rec, svc: verify.New(s, rec, 1_000_000, nil, nil)}
	}
	return out
}

// TestInstancesCountExactly: two instances on one database verify the same labels, flush and
// fold in a random order. Each answer is exactly every scan folded so far plus the instance's
// own scans not yet folded, plus this one; once both stop (each folds as it stops), every
// label's count is every scan made, exactly.
func TestInstancesCountExactly(t *testing.T) {
	t.Parallel()
	testdb.EachInstances(t, 2, func(t *testing.T, stores []*store.Store) {
		ctx := t.Context()
		ids, codes := batchCodes(t, stores[0], 4)
		in := startInstances(t, stores)
		var folded [4]int64
		var written, buffered [2][4]int64
		rng := rand.New(rand.NewPCG(18, 1))
		total := [4]int64{}
		for step := range 600 {
			i := rng.IntN(2)
			switch k := rng.IntN(10); {
			case k < 7:
				l := rng.IntN(4)
				r, err := in[i].svc.Verify(ctx, codes[l], "192.0.2.1", "test")
				if err != nil {
					t.Fatal(err)
				}
				if want := folded[l] + written[i][l] + buffered[i][l] + 1; r.ScanCount != want {
					t.Fatalf("step %d, instance %d, label %d: scan %d, want %d", step, i, l, r.ScanCount, want)
				}
				if r.FirstScannedAt == nil {
					t.Fatalf("step %d: no first scan time", step)
				}
				buffered[i][l]++
				total[l]++
			case k < 9: // a flush: the scans are written, their counts wait
				in[i].rec.Flush()
				for l := range 4 {
					written[i][l] += buffered[i][l]
					buffered[i][l] = 0
				}
			default: // a flush and a fold, which takes in every instance's written scans
				in[i].rec.Sync()
				for l := range 4 {
					written[i][l] += buffered[i][l]
					buffered[i][l] = 0
					for j := range 2 {
						folded[l] += written[j][l]
						written[j][l] = 0
					}
				}
			}
		}
		for _, x := range in {
			if err := x.rec.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for l, id := range ids {
			if got := scanCount(t, stores[1], id); got != total[l] {
				t.Errorf("label %d: count %d, want the %d scans made", l, got, total[l])
			}
		}
	})
}

// TestInstancesCountConcurrently: two instances verify the same labels from several
// goroutines each while flushes and folds run beside them. Every goroutine sees its own scans
// of a label numbered strictly upwards; once both have stopped, every label's count is every
// verification made, and an instance started afterwards says so.
func TestInstancesCountConcurrently(t *testing.T) {
	t.Parallel()
	testdb.EachInstances(t, 3, func(t *testing.T, stores []*store.Store) {
		ctx := t.Context()
		const labels, workers, scans = 5, 3, 120
		ids, codes := batchCodes(t, stores[0], labels)
		in := startInstances(t, stores[:2])
		var wg, writers sync.WaitGroup
		var mu sync.Mutex
		var total [labels]int64
		stop := make(chan struct{})
		for i := range in {
			writers.Add(1)
			go func() { // flushes and folds, in turn, as fast as they go
				defer writers.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					if n%3 == 2 {
						in[i].rec.Sync()
					} else {
						in[i].rec.Flush()
					}
				}
			}()
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(i), uint64(w)))
					var last [labels]int64
					for range scans {
						l := rng.IntN(labels)
						r, err := in[i].svc.Verify(ctx, codes[l], "192.0.2.1", "test")
						if err != nil {
							t.Error(err)
							return
						}
						if r.ScanCount <= last[l] {
							t.Errorf("instance %d: label %d numbered %d after %d", i, l, r.ScanCount, last[l])
						}
						last[l] = r.ScanCount
						mu.Lock()
						total[l]++
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		close(stop)
		writers.Wait()
		for _, x := range in {
			if err := x.rec.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		later := startInstances(t, stores[2:])[0]
		for l, id := range ids {
			if got := scanCount(t, stores[0], id); got != total[l] {
				t.Errorf("label %d: count %d, want the %d verifications made", l, got, total[l])
			}
			r, err := later.svc.Verify(verify.Unrecorded(ctx), codes[l], "192.0.2.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			if r.ScanCount != total[l] {
				t.Errorf("label %d: a later instance counts %d, want %d", l, r.ScanCount, total[l])
			}
		}
	})
}

// TestRetriedFlushGetsNewIDs: a flush retried after a rollback (a deadlock on MySQL) carries
// the ids its first attempt was given; they may lie below a mark a fold has moved since, so the
// retry is written with new ids and folded like any other.
func TestRetriedFlushGetsNewIDs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ids, codes := batchCodes(t, s, 1)
		if err := s.RecordScans(ctx, labelFlush(ids[0], codes[0], 5), nil); err != nil {
			t.Fatal(err)
		}
		// Scans 2 and 3 as if their flush had rolled back, and a fold past them.
		if err := s.DB().Exec("DELETE FROM scans WHERE id IN (2, 3)").Error; err != nil {
			t.Fatal(err)
		}
		if _, mark, err := s.FoldScanCounts(ctx); err != nil || mark != 5 {
			t.Fatalf("fold to %d (%v), want 5", mark, err)
		}
		retry := labelFlush(ids[0], codes[0], 2)
		retry.Scans[0].ID, retry.Scans[1].ID = 2, 3
		var named int64
		if err := s.RecordScans(ctx, retry, func(id int64) { named = id }); err != nil {
			t.Fatal(err)
		}
		if named <= 5 {
			t.Fatalf("the retried flush is named by scan %d, at or below the mark 5", named)
		}
		if _, _, err := s.FoldScanCounts(ctx); err != nil {
			t.Fatal(err)
		}
		if got := scanCount(t, s, ids[0]); got != 5 {
			t.Fatalf("count %d, want 3 folded before and the retried 2", got)
		}
	})
}
