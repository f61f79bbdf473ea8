package account

import (
	"sync"
	"time"
)

// Throttle locks sign-in for a username or a client address after repeated failures, so a
// password cannot be guessed online. Each instance counts in its own memory; with Shared set
// (Redis, GIMARK_REDIS_URL) failures are also counted where every instance sees them, so the
// limits hold across instances. While Shared fails, the instance's own counts still lock.
type Throttle struct {
	MaxPerUser int           // failures for one username before it locks
	MaxPerAddr int           // failures from one address before it locks
	Window     time.Duration // failures older than this are forgotten; also the lock's length
	Shared     SharedFailures
	now        func() time.Time

	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	count       int
	first       time.Time
	lockedUntil time.Time
}

// NewThrottle returns the defaults: 5 failures per username, 20 per address, 15 minutes.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{MaxPerUser: 5, MaxPerAddr: 20, Window: 15 * time.Minute, now: now, fails: map[string]*failures{}}
}

// SharedFailures counts failures where every instance sees them (cluster.Failures). An error
// means it could not be reached: the instance's own counts then decide alone.
type SharedFailures interface {
	Fail(key string, max int, window time.Duration) error
	Locked(keys ...string) (time.Duration, error)
	Clear(key string) error
}

func userKey(u string) string { return "u:" + u }
func addrKey(a string) string { return "a:" + a }

// Locked reports whether either key is locked and for how long.
func (t *Throttle) Locked(username, addr string) (bool, time.Duration) {
	var wait time.Duration
	if t.Shared != nil {
		if d, err := t.Shared.Locked(userKey(username), addrKey(addr)); err == nil {
			wait = d
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range []string{userKey(username), addrKey(addr)} {
		if f := t.fails[k]; f != nil && now.Before(f.lockedUntil) {
			if d := f.lockedUntil.Sub(now); d > wait {
				wait = d
			}
		}
	}
	return wait > 0, wait
}

// Fail records a failed sign-in.
func (t *Throttle) Fail(username, addr string) {
	if t.Shared != nil {
		if t.Shared.Fail(userKey(username), t.MaxPerUser, t.Window) == nil {
			_ = t.Shared.Fail(addrKey(addr), t.MaxPerAddr, t.Window)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.fails) > 100_000 {
		t.sweep(now)
	}
	t.bump(userKey(username), t.MaxPerUser, now)
	t.bump(addrKey(addr), t.MaxPerAddr, now)
}

func (t *Throttle) bump(k string, max int, now time.Time) {
	f := t.fails[k]
	if f == nil || now.Sub(f.first) > t.Window && !now.Before(f.lockedUntil) {
		f = &failures{first: now}
		t.fails[k] = f
	}
	f.count++
	if f.count >= max {
		f.lockedUntil = now.Add(t.Window)
	}
}

// Succeed clears the username's failures (the address keeps its count: one good account
// must not unlock guessing at others).
func (t *Throttle) Succeed(username string) {
	if t.Shared != nil {
		_ = t.Shared.Clear(userKey(username))
	}
	t.mu.Lock()
	delete(t.fails, userKey(username))
	t.mu.Unlock()
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.fails {
		if now.Sub(f.first) > t.Window && !now.Before(f.lockedUntil) {
			delete(t.fails, k)
		}
	}
}
