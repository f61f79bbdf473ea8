package verify

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gimark/internal/labelcode"
	"gimark/model"
)

// noDB fails the test if verification touches storage.
type noDB struct{ t *testing.T }

func (n noDB) LabelForVerify(context.Context, string) (*model.VerifyRow, error) {
	n.t.Fatal("the database was read for an invalid code")
	return nil, nil
}
func (n noDB) LabelFacts(context.Context, int64) (*model.LabelFacts, error) { return nil, nil }
func (n noDB) BatchFacts(context.Context, int64) (*model.BatchFacts, error) { return nil, nil }

func TestInvalidCodesNeverReachTheDatabase(t *testing.T) {
	s := New(noDB{t}, nil, 20, nil, nil)
	code, _ := labelcode.New()
	for _, in := range []string{"", "x", code[:16] + "U", code[:15] + string(code[16]) + string(code[15]), "(select 1)"} {
		if in == code {
			continue
		}
		r, err := s.Verify(context.Background(), in, "192.0.2.1", "test")
		if err != nil || r.Result != model.ResultInvalid {
			t.Fatalf("%q: %+v %v", in, r, err)
		}
	}
}

type slowStore struct {
	mu      sync.Mutex
	written int
	block   chan struct{}
}

func (s *slowStore) DefersScanCounts() bool { return false }

func (s *slowStore) FoldScanCounts(context.Context) (int64, int64, error) { return 0, 0, nil }

func (s *slowStore) RecordScans(_ context.Context, f model.ScanFlush, committing func(int64)) error {
	<-s.block
	s.mu.Lock()
	s.written += len(f.Scans)
	s.mu.Unlock()
	return nil
}

// TestRecorderDropsRatherThanBlocks: with the writer stuck and the buffer full, Record
// returns at once and counts what it could not keep; Close writes everything buffered.
func TestRecorderDropsRatherThanBlocks(t *testing.T) {
	st := &slowStore{block: make(chan struct{})}
	r := NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 10, time.Millisecond, time.Hour)
	done := make(chan struct{})
	go func() {
		for range 100 {
			r.Record(model.Scan{Code: "X", Result: model.ResultInvalid})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Record blocked on a stuck writer")
	}
	if r.DroppedCount() == 0 {
		t.Fatal("nothing counted as dropped")
	}
	close(st.block)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := int64(st.written) + r.DroppedCount(); got != 100 {
		t.Fatalf("written %d + dropped %d != 100", st.written, r.DroppedCount())
	}
}

type countingStore struct {
	mu      sync.Mutex
	flushes []int
}

func (s *countingStore) DefersScanCounts() bool                               { return false }
func (s *countingStore) FoldScanCounts(context.Context) (int64, int64, error) { return 0, 0, nil }
func (s *countingStore) RecordScans(_ context.Context, f model.ScanFlush, committing func(int64)) error {
	s.mu.Lock()
	s.flushes = append(s.flushes, len(f.Scans))
	s.mu.Unlock()
	return nil
}

func (s *countingStore) written() (n, flushes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.flushes {
		n += f
	}
	return n, len(s.flushes)
}

// TestRecorderFlushesFullBatches: a full batch is written without waiting for the ticker,
// pending counts last until the write, and Sync writes the rest.
func TestRecorderFlushesFullBatches(t *testing.T) {
	st := &countingStore{}
	r := NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 1<<14, time.Hour, time.Hour)
	defer r.Close(context.Background())
	id := int64(7)
	for range 1000 {
		r.Record(model.Scan{LabelID: &id, Code: "C", Result: model.ResultGenuine, ScannedAt: time.Now()})
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := st.written(); n < 1000; n, _ = st.written() {
		if time.Now().After(deadline) {
			t.Fatalf("a full batch of 1000 was not written before the tick (%d written)", n)
		}
		time.Sleep(time.Millisecond)
	}
	if n, _, _ := r.Pending(id, r.Mark()); n != 0 {
		t.Fatalf("%d scans still pending after their write", n)
	}
	for range 10 {
		r.Record(model.Scan{LabelID: &id, Code: "C", Result: model.ResultGenuine, ScannedAt: time.Now()})
	}
	if n, _, _ := r.Pending(id, r.Mark()); n != 10 {
		t.Fatalf("pending %d, want 10", n)
	}
	r.Sync()
	if n, flushes := st.written(); n != 1010 || flushes != 2 {
		t.Fatalf("written %d in %d flushes, want 1010 in 2", n, flushes)
	}
	if r.DroppedCount() != 0 {
		t.Fatalf("%d dropped", r.DroppedCount())
	}
}

// raceStore is a one-label database that can hold its first flush at two moments: before
// the commit (commit), and after its count update is visible but before the flush returns
// (release), the moment a commit has happened and the recorder has not yet let go of its tally.
type raceStore struct {
	mu        sync.Mutex
	count     int64
	once      sync.Once
	preparing chan struct{} // the first flush is in its transaction, not committed
	commit    chan struct{} // let it commit
	applied   chan struct{} // its counts are in the "database"
	release   chan struct{} // let it return
	read      chan struct{} // if not nil, closed by the next LabelForVerify
}

// nextRead returns a channel closed once LabelForVerify has read the count again.
func (s *raceStore) nextRead() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read = make(chan struct{})
	return s.read
}

func newRaceStore() *raceStore {
	return &raceStore{preparing: make(chan struct{}), commit: make(chan struct{}),
		applied: make(chan struct{}), release: make(chan struct{})}
}

func (s *raceStore) DefersScanCounts() bool                               { return false }
func (s *raceStore) FoldScanCounts(context.Context) (int64, int64, error) { return 0, 0, nil }
func (s *raceStore) RecordScans(_ context.Context, f model.ScanFlush, committing func(int64)) error {
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.preparing)
		<-s.commit
	}
	if committing != nil {
		committing(1)
	}
	s.mu.Lock()
	for _, t := range f.Labels {
		s.count += t.Count
	}
	s.mu.Unlock()
	if first {
		close(s.applied)
		<-s.release
	}
	return nil
}
func (s *raceStore) LabelForVerify(context.Context, string) (*model.VerifyRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read != nil {
		close(s.read)
		s.read = nil
	}
	return &model.VerifyRow{ID: 7, BatchID: 1, Status: model.LabelActive, ScanCount: s.count}, nil
}
func (s *raceStore) LabelFacts(context.Context, int64) (*model.LabelFacts, error) {
	return &model.LabelFacts{FilingStatus: model.StatusApproved}, nil
}
func (s *raceStore) BatchFacts(context.Context, int64) (*model.BatchFacts, error) {
	return &model.BatchFacts{ID: 1, FirstLabelID: 1}, nil
}

// verifyAsync runs a verification of code and hands back its answer.
func verifyAsync(t *testing.T, svc *Service, code string) <-chan *Result {
	out := make(chan *Result, 1)
	go func() {
		r, err := svc.Verify(context.Background(), code, "192.0.2.1", "")
		if err != nil {
			t.Error(err)
		}
		out <- r
	}()
	return out
}

// TestVerifyDoesNotCountAWriteTwice: a verification that reads the count just after a flush
// committed it, before the recorder dropped the same scans from its pending tally, must not
// count them twice: the second scan is the second.
func TestVerifyDoesNotCountAWriteTwice(t *testing.T) {
	st := newRaceStore()
	close(st.commit)
	rec := NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 100, time.Millisecond, time.Hour)
	svc := New(st, rec, 100, nil, nil)
	code, _ := labelcode.New()
	if r, err := svc.Verify(t.Context(), code, "192.0.2.1", ""); err != nil || r.ScanCount != 1 {
		t.Fatalf("first scan: %+v %v", r, err)
	}
	<-st.applied // the count is in the database; the flush has not returned
	read := st.nextRead()
	second := verifyAsync(t, svc, code)
	<-read // the second verification has read the count while the flush is stuck
	close(st.release)
	if r := <-second; r == nil || r.ScanCount != 2 {
		t.Fatalf("second scan counted as %+v, want 2", r)
	}
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDoesNotWaitForAnUncommittedWrite: until a flush commits, nobody can see its
// counts, so a verification of its label answers at once from the pending tally, and the
// scans after the commit still count once each.
func TestVerifyDoesNotWaitForAnUncommittedWrite(t *testing.T) {
	st := newRaceStore()
	rec := NewRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 100, time.Millisecond, time.Hour)
	svc := New(st, rec, 100, nil, nil)
	code, _ := labelcode.New()
	if r, err := svc.Verify(t.Context(), code, "192.0.2.1", ""); err != nil || r.ScanCount != 1 {
		t.Fatalf("first scan: %+v %v", r, err)
	}
	<-st.preparing // the flush of the first scan is in its transaction
	select {
	case r := <-verifyAsync(t, svc, code):
		if r == nil || r.ScanCount != 2 {
			t.Fatalf("second scan counted as %+v, want 2", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("verification waited for a write that had not committed")
	}
	close(st.commit)
	<-st.applied
	third := verifyAsync(t, svc, code) // beside the committed write: waits for it
	close(st.release)
	if r := <-third; r == nil || r.ScanCount != 3 {
		t.Fatalf("third scan counted as %+v, want 3", r)
	}
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}
