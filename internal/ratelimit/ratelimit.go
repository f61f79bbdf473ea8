// Package ratelimit limits how often one key (a client address, a username) may act, with a
// token bucket per key from golang.org/x/time/rate. Idle keys are forgotten so memory stays
// bounded under a flood of distinct addresses.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter limits events per key: Keyed in one instance's memory, or a limit shared by
// several instances (cluster.Limiter).
type Limiter interface {
	Allow(key string) (ok bool, retry time.Duration)
}

// Keyed is a set of token buckets, one per key.
type Keyed struct {
	mu      sync.Mutex
	buckets map[string]*entry
	limit   rate.Limit
	burst   int
	max     int // most keys kept; beyond it idle ones are swept, then new keys share one bucket
	now     func() time.Time
	lastGC  time.Time
	shared  *rate.Limiter
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// PerMinute allows n events a minute per key, with bursts of up to n.
func PerMinute(n int, now func() time.Time) *Keyed {
	if now == nil {
		now = time.Now
	}
	lim := rate.Limit(float64(n) / 60)
	return &Keyed{buckets: map[string]*entry{}, limit: lim, burst: n, max: 100_000, now: now,
		shared: rate.NewLimiter(lim*100, n*100)}
}

// Allow takes one token for key. When it is refused, retry says when to try again.
func (k *Keyed) Allow(key string) (ok bool, retry time.Duration) {
	now := k.now()
	k.mu.Lock()
	e := k.buckets[key]
	if e == nil {
		if len(k.buckets) >= k.max {
			k.gc(now)
		}
		if len(k.buckets) >= k.max {
			// Under a flood of distinct keys, newcomers share one generous bucket rather than
			// growing memory without bound.
			k.mu.Unlock()
			return reserve(k.shared, now)
		}
		e = &entry{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = e
	}
	e.seen = now
	if now.Sub(k.lastGC) > time.Minute {
		k.gc(now)
	}
	k.mu.Unlock()
	return reserve(e.lim, now)
}

func reserve(l *rate.Limiter, now time.Time) (bool, time.Duration) {
	r := l.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	d := r.DelayFrom(now)
	if d == 0 {
		return true, 0
	}
	r.CancelAt(now)
	return false, d
}

// gc forgets keys idle long enough for their bucket to be full again. Caller holds mu.
func (k *Keyed) gc(now time.Time) {
	k.lastGC = now
	idle := time.Duration(float64(k.burst)/float64(k.limit)*float64(time.Second)) + time.Second
	for key, e := range k.buckets {
		if now.Sub(e.seen) > idle {
			delete(k.buckets, key)
		}
	}
}

// Len is the number of keys tracked.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// Per allows n events per window per key, with bursts of up to n (PerMinute is Per(n, time.Minute)).
func Per(n int, window time.Duration, now func() time.Time) *Keyed {
	if now == nil {
		now = time.Now
	}
	lim := rate.Limit(float64(n) / window.Seconds())
	return &Keyed{buckets: map[string]*entry{}, limit: lim, burst: n, max: 100_000, now: now,
		shared: rate.NewLimiter(lim*100, n*100)}
}
