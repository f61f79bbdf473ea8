package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/internal/account"
	"gimark/internal/cluster"
	"gimark/internal/cluster/redistest"
)

// Two instances (two clients, one prefix) share one limit: 5 a minute in all, not 5 each.
func TestLimiterIsShared(t *testing.T) {
	a := redistest.Open(t, nil)
	b := redistest.OpenURL(t, redistest.URL(), a.Prefix, nil)
	la, lb := a.Limiter("verify", 5, nil), b.Limiter("verify", 5, nil)
	for i := range 5 {
		l := la
		if i%2 == 1 {
			l = lb
		}
		if ok, _ := l.Allow("198.51.100.7"); !ok {
			t.Fatalf("request %d refused within the limit", i+1)
		}
	}
	for _, l := range []*cluster.Limiter{la, lb} {
		if ok, retry := l.Allow("198.51.100.7"); ok || retry <= 0 {
			t.Fatalf("sixth request: ok=%v retry=%v, want refused with a retry", ok, retry)
		}
	}
	if ok, _ := la.Allow("198.51.100.8"); !ok {
		t.Fatal("another address is limited too")
	}
}

// Five failures spread over two instances lock the username on both; a success clears it.
func TestFailuresAreShared(t *testing.T) {
	a := redistest.Open(t, nil)
	b := redistest.OpenURL(t, redistest.URL(), a.Prefix, nil)
	fa, fb := a.Failures(), b.Failures()
	for i := range 4 {
		f := fa
		if i%2 == 1 {
			f = fb
		}
		if err := f.Fail("u:victim", 5, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := fb.Locked("u:victim", "a:1.2.3.4"); err != nil || d != 0 {
		t.Fatalf("after 4 failures: locked %v, %v", d, err)
	}
	if err := fb.Fail("u:victim", 5, time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*cluster.Failures{fa, fb} {
		if d, err := f.Locked("u:victim", "a:1.2.3.4"); err != nil || d < 59*time.Second || d > time.Minute {
			t.Fatalf("after 5 failures: locked %v, %v", d, err)
		}
	}
	if err := fa.Clear("u:victim"); err != nil {
		t.Fatal(err)
	}
	if d, _ := fb.Locked("u:victim"); d != 0 {
		t.Fatalf("cleared, still locked %v", d)
	}
}

type caches struct {
	mu  sync.Mutex
	got []string
}

func (c *caches) add(s string)              { c.mu.Lock(); c.got = append(c.got, s); c.mu.Unlock() }
func (c *caches) InvalidateFiling(id int64) { c.add(fmt.Sprint("filing:", id)) }
func (c *caches) InvalidateBatch(id int64)  { c.add(fmt.Sprint("batch:", id)) }
func (c *caches) InvalidateAll()            { c.add("all") }
func (c *caches) list() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.got, " ")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A change published by one instance reaches another's caches; when the subscription is
// lost and made again, everything cached is dropped (messages may have been missed).
func TestInvalidationsReachOtherInstances(t *testing.T) {
	p := redistest.NewProxy(t)
	a := redistest.Open(t, nil)
	b := redistest.OpenURL(t, p.URL(), a.Prefix, nil)
	var ca, cb caches
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster.Listen(ctx, b, &cb)
	if cb.list() != "all" {
		t.Fatalf("at subscription: %q, want all", cb.list())
	}
	inv := cluster.Invalidator(a, &ca)
	inv(cluster.Invalidation{Kind: "filing", ID: 7})
	inv(cluster.Invalidation{Kind: "batch", ID: 3})
	if ca.list() != "filing:7 batch:3" {
		t.Fatalf("local: %q", ca.list())
	}
	waitFor(t, "the other instance", func() bool { return cb.list() == "all filing:7 batch:3" })

	p.Stop()
	inv(cluster.Invalidation{Kind: "filing", ID: 5}) // missed by b
	p.Start()
	waitFor(t, "a purge after resubscribing", func() bool { return strings.HasSuffix(cb.list(), "batch:3 all") })
	inv(cluster.Invalidation{Kind: "filing", ID: 8})
	waitFor(t, "messages after the outage", func() bool { return strings.HasSuffix(cb.list(), "all filing:8") })
}

// When Redis goes away a limit keeps answering from the instance's memory (logged once,
// counted), and goes back to the shared limit by itself once Redis answers.
func TestLimiterFallsBackAndRecovers(t *testing.T) {
	p := redistest.NewProxy(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedBuf{b: &logs, mu: &mu}, nil))
	a := redistest.OpenURL(t, p.URL(), redistest.Prefix(t), log)
	other := redistest.OpenURL(t, redistest.URL(), a.Prefix, nil)
	fallbacks := 0
	a.Fallback = func(check string) {
		if check != "verify" {
			t.Errorf("fallback of %q", check)
		}
		fallbacks++
	}
	l := a.Limiter("verify", 3, nil)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("first request refused")
	}
	p.Stop()
	start := time.Now()
	for i := range 3 { // the local bucket has its own 3
		if ok, _ := l.Allow("k"); !ok {
			t.Fatalf("request %d during the outage refused", i+1)
		}
	}
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("the local limit does not hold during the outage")
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("4 checks during the outage took %v", took)
	}
	if fallbacks != 4 {
		t.Fatalf("fallbacks counted: %d, want 4", fallbacks)
	}
	mu.Lock()
	n := strings.Count(logs.String(), "redis unreachable")
	mu.Unlock()
	if n != 1 {
		t.Fatalf("outage logged %d times, want once:\n%s", n, logs.String())
	}
	// Another instance uses up the shared key meanwhile.
	ol := other.Limiter("verify", 3, nil)
	for ol.Allow("k2"); ; {
		if ok, _ := ol.Allow("k2"); !ok {
			break
		}
	}
	p.Start()
	waitFor(t, "the shared limit again", func() bool {
		ok, _ := l.Allow("k2")
		return !ok && a.Healthy()
	})
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "redis reachable again") {
		t.Fatalf("recovery not logged:\n%s", logs.String())
	}
}

type lockedBuf struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// While Redis is away sign-in stays throttled by the instance's own counts, and once Redis
// is back the throttle is shared again without a restart.
func TestThrottleDuringAnOutage(t *testing.T) {
	p := redistest.NewProxy(t)
	r := redistest.OpenURL(t, p.URL(), redistest.Prefix(t), nil)
	other := redistest.OpenURL(t, redistest.URL(), r.Prefix, nil)
	th := account.NewThrottle(nil)
	th.Shared = r.Failures()
	p.Stop()
	for range 5 {
		th.Fail("victim", "203.0.113.9")
	}
	if locked, _ := th.Locked("victim", "203.0.113.9"); !locked {
		t.Fatal("5 failures during a Redis outage did not lock sign-in on this instance")
	}
	p.Start()
	// Another instance locks "second" in Redis; this one sees it once Redis answers again.
	for range 5 {
		if err := other.Failures().Fail("u:second", 5, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the shared lock after the outage", func() bool {
		locked, _ := th.Locked("second", "198.51.100.1")
		return locked
	})
}
