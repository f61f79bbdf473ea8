package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gimark/model"
)

// ScanStore writes buffered scans. A store that defers label counts (DefersScanCounts)
// applies them in FoldScanCounts, which the recorder calls every so often; its
// LabelForVerify then returns the fold mark its count is as of (model.VerifyRow.FoldMark).
// RecordScans calls committing, if not nil, just before the flush commits, with the id of
// one of its scans.
type ScanStore interface {
	RecordScans(ctx context.Context, f model.ScanFlush, committing func(scanID int64)) error
	DefersScanCounts() bool
	FoldScanCounts(ctx context.Context) (labels, mark int64, err error)
}

// foldMax bounds the scans waiting for a fold (and so the memory that tracks them, about 50
// bytes per label: 30 MB at most): a fold writes each touched label page once, so larger
// folds are cheaper per scan.
const foldMax = 600_000

// pendingTally is what verification needs of scans not yet in a label's count: how many,
// and the first one's time (Unix nanoseconds). Kept small: there may be one per label.
type pendingTally struct {
	count, first int64
}

// Recorder buffers scan events and writes them in batches, so a consumer never waits on a
// write. When the buffer is full, events are counted as dropped rather than blocking.
//
// Events go into a slice under the same lock that tracks pending counts, not into a channel:
// one lock per scan, and the writer goroutine wakes on its ticker (or when a batch is full)
// instead of once per event.
type Recorder struct {
	store  ScanStore
	log    *slog.Logger
	key    []byte      // HMAC key for client address hashes
	onDrop func(n int) // told of events not recorded (metrics)

	mu      sync.Mutex
	buf     []model.Scan           // recorded, not yet taken by the writer
	spare   []model.Scan           // the writer's last batch, reused for the next
	size    int                    // most events buf may hold
	closed  bool                   // Close was called: nothing more is accepted
	pending map[int64]pendingTally // label id → this instance's scans recorded, not known to be in its count

	// Counts applied by each flush (a store that does not defer them; doc.go, "Counts
	// applied at each flush").
	writes uint64      // count-changing flushes begun
	cur    *countWrite // the one being committed, if any
	prev   *countWrite // the last one finished

	// Counts folded (doc.go, "Folded counts").
	deferred bool          // counts wait for a fold
	writing  *flushed      // the flush being written, if any
	written  []*flushed    // flushes written and not known to be folded, in id order
	seen     int64         // the highest fold mark seen (reads, this instance's folds)
	forgets  atomic.Uint64 // how often forget has taken flushes out of pending (changed under mu)
	waiting  int           // scans in written (only the writer goroutine uses it)
	folded   time.Time     // last fold

	// observer judges each written flush (the signal rules); network names a client's
	// network as a keyed hash and a prefix. Both are set before the first scan (Observe).
	observer Observer
	network  func(client string) (hash, prefix string)

	dropped   atomic.Int64
	full      chan struct{} // a batch is ready before the next tick
	stop      chan struct{}
	done      chan struct{}
	sync      chan chan struct{}
	flushNow  chan chan struct{}
	every     time.Duration
	foldEvery time.Duration
}

// batchRows is the most scans one flush writes before the ticker asks: small flushes keep the
// writer's bursts short (p99 13–14 ms against 16–17 ms with 8,192 on SQLite under 64 connections).
const batchRows = 1000

// RecorderOption sets an optional part of a Recorder when it is made.
type RecorderOption func(*Recorder)

// ClientKey sets the HMAC key that salts client address hashes (derived from the token
// secret by the wiring, so hashes cannot be reversed by guessing addresses without it).
func ClientKey(key []byte) RecorderOption { return func(r *Recorder) { r.key = key } }

// OnDropped tells fn of every n events that could not be recorded (metrics).
func OnDropped(fn func(n int)) RecorderOption { return func(r *Recorder) { r.onDrop = fn } }

// NewRecorder starts a recorder with a buffer of size events, flushing every interval or
// when a batch is full. A store that defers label counts has them folded every foldEvery (or
// every 600,000 scans): that bounds how stale counts read elsewhere (signals, a label's page
// for its owner) can be, and how long another instance's scans take to show in this one's
// answers; verification always counts this instance's own scans.
func NewRecorder(store ScanStore, log *slog.Logger, size int, every, foldEvery time.Duration, opts ...RecorderOption) *Recorder {
	r := &Recorder{store: store, log: log, size: size, pending: map[int64]pendingTally{},
		full: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), sync: make(chan chan struct{}),
		flushNow: make(chan chan struct{}), every: every, foldEvery: foldEvery,
		deferred: store.DefersScanCounts()}
	for _, o := range opts {
		o(r)
	}
	if r.deferred {
		// Scans written before a crash (by this process or another) may not have been
		// folded yet: fold them now, not only when this instance has scans of its own.
		r.fold()
	}
	go r.run()
	return r
}

// Observer judges scans once their flush is written: the signal rules. It runs in the
// recorder's writer goroutine, never on a consumer's request. pending gives a label's scans
// that are written but not yet in its count (folded later).
type Observer interface {
	Observe(ctx context.Context, scans []model.ObservedScan, pending func(labelID int64) int64) error
}

// Observe has every written flush judged by o, with clients' networks named by network.
// Call it before the first scan is recorded.
func (r *Recorder) Observe(o Observer, network func(client string) (hash, prefix string)) {
	r.mu.Lock()
	r.observer, r.network = o, network
	r.mu.Unlock()
}

// Record queues a scan without blocking.
func (r *Recorder) Record(s model.Scan) {
	r.mu.Lock()
	if r.closed || len(r.buf) >= r.size {
		r.mu.Unlock()
		r.drop(1)
		return
	}
	r.buf = append(r.buf, s)
	if s.LabelID != nil {
		p := r.pending[*s.LabelID]
		if at := s.ScannedAt.UnixNano(); p.count == 0 || at < p.first {
			p.first = at
		}
		p.count++
		r.pending[*s.LabelID] = p
	}
	ready := len(r.buf) == batchRows
	r.mu.Unlock()
	if ready {
		select {
		case r.full <- struct{}{}:
		default:
		}
	}
}

func (r *Recorder) drop(n int) {
	r.dropped.Add(int64(n))
	if r.onDrop != nil {
		r.onDrop(n)
	}
}

// DroppedCount is how many events were not recorded.
func (r *Recorder) DroppedCount() int64 { return r.dropped.Load() }

// countWrite is a flush that adds pending scans to labels' counts in the database (a store
// that does not defer counts). From the moment its transaction commits until its scans leave
// the pending tallies, a reader could count them twice; countWrite lets a reader see that it
// may have raced one and read again. Only the commit is announced: before it, no reader can
// see the write's counts, so reads of its labels need not wait for its statements.
type countWrite struct {
	seq  uint64 // 0 until its commit begins
	has  func(labelID int64) bool
	done chan struct{} // closed once the scans have left the pending tallies
}

// newWrite prepares a count-changing write of the labels has covers; the store announces it
// through committing.
func newWrite(has func(int64) bool) *countWrite {
	return &countWrite{has: has, done: make(chan struct{})}
}

// committing announces w: its transaction is about to commit. A retried transaction calls it
// again; w is announced once.
func (r *Recorder) committing(w *countWrite) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w.seq != 0 {
		return
	}
	r.writes++
	w.seq = r.writes
	r.cur = w
}

// endWrite finishes w; settle (with r.mu held) takes its scans out of the pending tallies
// when they are in the database now (or were dropped).
func (r *Recorder) endWrite(w *countWrite, settle func()) {
	r.mu.Lock()
	if settle != nil {
		settle()
	}
	if w.seq != 0 {
		r.cur, r.prev = nil, w
	}
	r.mu.Unlock()
	close(w.done)
}

// Mark is taken before reading a label's count from the database, and given to Pending
// after: it names the first count-changing write the read may have raced.
func (r *Recorder) Mark() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		return r.cur.seq
	}
	return r.writes + 1
}

// Pending is how many scans of a label were recorded but are not in its count in the
// database yet, and the earliest of them (zero when there are none), for a count read from
// the database since mark (counts applied at each flush). When a write of that label's scans
// ran beside the read, the read may already hold them: Pending then returns a channel to wait
// on before reading again.
func (r *Recorder) Pending(labelID int64, mark uint64) (int64, time.Time, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for seq := mark; seq <= r.writes; seq++ {
		var w *countWrite
		switch {
		case r.cur != nil && r.cur.seq == seq:
			w = r.cur
		case r.prev != nil && r.prev.seq == seq:
			w = r.prev
		default: // more than one write since the mark (rare): read again at once
			return 0, time.Time{}, closedChan
		}
		if w.has(labelID) {
			return 0, time.Time{}, w.done
		}
	}
	p, ok := r.pending[labelID]
	if !ok {
		return 0, time.Time{}, nil
	}
	return p.count, time.Unix(0, p.first).UTC(), nil
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// flushed is one of this instance's flushes whose counts wait for a fold: the id of one of
// its scans (0 until its transaction is about to commit) and its labels' tallies. A fold
// applies all of a flush or none of it, so one id tells: a fold mark at or past it means the
// flush is in the counts.
type flushed struct {
	id     int64
	labels map[int64]model.ScanTally
}

// Forgets is taken before a read whose count Unfolded completes: it changes whenever forget
// takes flushes out of the pending tallies.
func (r *Recorder) Forgets() uint64 { return r.forgets.Load() }

// Unfolded is how many of this instance's scans of a label are not in a count read with fold
// mark mark (the label's folded_to: folded counts), and the earliest of them (zero when there
// are none): scans recorded and not yet written, and written ones past the mark. forgets is
// Forgets as taken before the read. ok is false when the answer cannot be told (this instance
// has forgotten flushes since, which a read begun before their fold does not count): read
// again.
func (r *Recorder) Unfolded(labelID, mark int64, forgets uint64) (n int64, first time.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.forgets.Load() != forgets {
		return 0, time.Time{}, false
	}
	r.seen = max(r.seen, mark)
	p, has := r.pending[labelID]
	if !has {
		return 0, time.Time{}, true
	}
	n = p.count
	for _, w := range r.written {
		if w.id > mark {
			break
		}
		n -= w.labels[labelID].Count
	}
	if w := r.writing; w != nil && w.id != 0 && w.id <= mark {
		n -= w.labels[labelID].Count
	}
	if n <= 0 {
		return 0, time.Time{}, true
	}
	// Some of the tally may be folded now; the count read then has a first scan time, and
	// that one is earlier.
	return n, time.Unix(0, p.first).UTC(), true
}

// forget takes the flushes a fold mark seen has passed out of the pending tallies (run by
// the writer goroutine). A read begun before cannot be answered and reads again (Unfolded).
func (r *Recorder) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := 0
	for ; i < len(r.written) && r.written[i].id <= r.seen; i++ {
		r.unpendFlush(r.written[i].labels)
		for _, t := range r.written[i].labels {
			r.waiting -= int(t.Count)
		}
	}
	if i > 0 {
		r.forgets.Add(1)
		r.written = slices.Delete(r.written, 0, i)
	}
}

// unpend removes n scans of a label from its pending count (they are in the database now);
// r.mu is held.
func (r *Recorder) unpend(id, n int64) {
	p := r.pending[id]
	if p.count -= n; p.count <= 0 {
		delete(r.pending, id)
	} else {
		r.pending[id] = p
	}
}

// unpendFlush takes a flush's scans out of the pending tallies; r.mu is held.
func (r *Recorder) unpendFlush(labels map[int64]model.ScanTally) {
	for id, t := range labels {
		r.unpend(id, t.Count)
	}
}

func (r *Recorder) flushFailed(scans int, err error) {
	r.log.Error("scan flush failed", "scans", scans, "err", err.Error())
	r.drop(scans)
}

// take hands the writer everything recorded so far, swapping in its previous batch's slice.
func (r *Recorder) take() []model.Scan {
	r.mu.Lock()
	batch := r.buf
	r.buf, r.spare = r.spare[:0], nil
	r.mu.Unlock()
	return batch
}

// flushAll writes everything recorded so far.
func (r *Recorder) flushAll() {
	if batch := r.take(); len(batch) > 0 {
		r.flush(batch)
		clear(batch) // drop references to codes and agents before reuse
		r.mu.Lock()
		r.spare = batch[:0]
		r.mu.Unlock()
	}
}

func (r *Recorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-r.full:
			r.flushAll()
		case <-t.C:
			r.flushAll()
			if r.deferred {
				r.forget() // flushes another instance has folded
			}
			if r.waiting > 0 && time.Since(r.folded) >= r.foldEvery {
				r.fold()
			}
		case ack := <-r.sync:
			r.flushAll()
			r.fold()
			close(ack)
		case ack := <-r.flushNow:
			r.flushAll()
			close(ack)
		case <-r.stop:
			r.flushAll()
			r.fold()
			return
		}
	}
}

// Sync returns once every event recorded before the call is written (tests and shutdown
// checks use it).
func (r *Recorder) Sync() {
	ack := make(chan struct{})
	select {
	case r.sync <- ack:
		<-ack
	case <-r.done:
	}
}

// Flush returns once every event recorded before the call is written, without folding
// deferred counts (tests use it to see scans that are written but not yet folded).
func (r *Recorder) Flush() {
	ack := make(chan struct{})
	select {
	case r.flushNow <- ack:
		<-ack
	case <-r.done:
	}
}

// flush aggregates per label and per unknown code and writes everything in one transaction.
func (r *Recorder) flush(batch []model.Scan) {
	f := model.ScanFlush{Scans: batch, Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
	type client struct{ hash, net, prefix string }
	hashes := map[string]client{} // a batch holds many scans from few addresses
	r.mu.Lock()
	observer, network := r.observer, r.network
	r.mu.Unlock()
	var obs []model.ObservedScan
	if observer != nil {
		obs = make([]model.ObservedScan, 0, len(batch))
	}
	for i := range batch {
		s := &batch[i]
		c, ok := hashes[s.ClientHash]
		if !ok {
			c.hash = r.hash(s.ClientHash)
			if network != nil {
				c.net, c.prefix = network(s.ClientHash)
			}
			hashes[s.ClientHash] = c
		}
		s.ClientHash, s.Network = c.hash, c.net
		s.UserAgent = truncate(s.UserAgent, 255)
		if observer != nil {
			obs = append(obs, model.ObservedScan{LabelID: s.LabelID, Code: s.Code, Result: s.Result, Network: c.net, Prefix: c.prefix, At: s.ScannedAt, Dead: s.Dead, BatchID: s.BatchID, Count: s.Count})
		}
		switch {
		case s.LabelID != nil:
			t := f.Labels[*s.LabelID]
			t.Add(s.ScannedAt)
			f.Labels[*s.LabelID] = t
		case s.Result == model.ResultNotFound:
			t := f.Unknown[s.Code]
			t.Add(s.ScannedAt)
			f.Unknown[s.Code] = t
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !r.deferred {
		// The flush itself adds to label counts: whether it succeeds (they are in the
		// database) or fails (the scans are dropped), they leave the pending tallies.
		w := newWrite(func(id int64) bool { _, ok := f.Labels[id]; return ok })
		err := r.store.RecordScans(ctx, f, func(int64) { r.committing(w) })
		r.endWrite(w, func() { r.unpendFlush(f.Labels) })
		if err != nil {
			r.flushFailed(len(batch), err)
			return
		}
		r.observe(observer, obs, f.Labels)
		return
	}
	// Counts wait for a fold. The flush names itself by one scan id just before it commits:
	// from then on a fold may include it, and a read tells by the mark it reads.
	w := &flushed{labels: f.Labels}
	r.mu.Lock()
	r.writing = w
	r.mu.Unlock()
	err := r.store.RecordScans(ctx, f, func(id int64) {
		r.mu.Lock()
		w.id = id
		r.mu.Unlock()
	})
	r.mu.Lock()
	r.writing = nil
	if err != nil {
		r.unpendFlush(f.Labels) // dropped
	} else if len(f.Labels) > 0 {
		r.written = append(r.written, w)
	}
	r.mu.Unlock()
	if err != nil {
		r.flushFailed(len(batch), err)
		return
	}
	for _, t := range f.Labels {
		r.waiting += int(t.Count)
	}
	r.observe(observer, obs, f.Labels)
	if r.waiting >= foldMax {
		r.fold()
	}
}

// observe has o judge a written flush. The labels' pending counts are read in one hold of
// the lock that verification takes per scan. A failure is logged: the scans are written,
// and the next flush's evidence raises what this one missed.
func (r *Recorder) observe(o Observer, obs []model.ObservedScan, labels map[int64]model.ScanTally) {
	if o == nil || len(obs) == 0 {
		return
	}
	pending := make(map[int64]int64, len(labels))
	r.mu.Lock()
	for id := range labels {
		pending[id] = r.pending[id].count
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := o.Observe(ctx, obs, func(id int64) int64 { return pending[id] }); err != nil {
		r.log.Error("signal rules failed", "scans", len(obs), "err", err.Error())
	}
}

// fold has the store apply every written scan (this instance's and any other's) to label
// counts, and forgets this instance's flushes the new mark passed. Until then they stay
// pending here, so verification still counts them; a failed fold leaves them for the next.
func (r *Recorder) fold() {
	if !r.deferred {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	labels, mark, err := r.store.FoldScanCounts(ctx)
	if err != nil {
		r.log.Error("scan count fold failed", "scans", r.waiting, "err", err.Error())
		return
	}
	r.mu.Lock()
	r.seen = max(r.seen, mark)
	r.mu.Unlock()
	waiting := r.waiting
	r.forget()
	r.log.Debug("scan counts folded", "scans", waiting, "labels", labels, "mark", mark, "took", time.Since(start).String())
	r.folded = time.Now()
}

// hash is a keyed hash of the client address: enough to tell repeat scanners apart, never
// the address itself.
func (r *Recorder) hash(client string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(client))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Close stops accepting events and writes everything buffered, waiting at most until ctx ends.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	closed := r.closed
	r.closed = true
	r.mu.Unlock()
	if closed {
		return nil
	}
	close(r.stop)
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
