// Package cluster holds the state several gimark instances must share when they serve one
// database: rate limits, the sign-in throttle and the invalidation of cached verification
// facts, all in Redis (GIMARK_REDIS_URL). Redis is an accelerator, not a dependency: when it
// cannot be reached every check falls back to the instance's own memory (logged once per
// outage, counted in a metric) and goes back to Redis by itself once it answers again.
package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a client with a health state shared by every check that uses it.
type Redis struct {
	Client *redis.Client
	Prefix string // every key starts with it ("gimark:" by default)
	log    *slog.Logger

	// Fallback is called with the name of a check ("verify", "login", …) each time it was
	// answered from the instance's memory because Redis failed (a metrics hook).
	Fallback func(check string)

	down   atomic.Int64 // UnixNano until which Redis is not tried again (0: healthy)
	mu     sync.Mutex
	outage bool // an outage was logged and its end not yet
}

// retryAfter is how long a failed Redis is left alone before the next try, so an outage
// costs one timeout a second rather than one per request.
const retryAfter = time.Second

// Open connects to url (redis://[:password@]host:port[/db]) and checks that it answers.
// Timeouts are short: a check that cannot reach Redis falls back rather than waits.
func Open(ctx context.Context, url, prefix string, log *slog.Logger) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("GIMARK_REDIS_URL: %w", err)
	}
	opt.DialTimeout = 250 * time.Millisecond
	opt.ReadTimeout = 250 * time.Millisecond
	opt.WriteTimeout = 250 * time.Millisecond
	opt.MaxRetries = 0
	opt.PoolTimeout = 250 * time.Millisecond
	if prefix == "" {
		prefix = "gimark:"
	}
	r := &Redis{Client: redis.NewClient(opt), Prefix: prefix, log: log}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.Client.Ping(pctx).Err(); err != nil {
		// Start anyway: limits work per instance until Redis answers.
		r.failed("start", err)
	}
	return r, nil
}

// Close closes the client.
func (r *Redis) Close() error { return r.Client.Close() }

// usable says whether a check should try Redis now.
func (r *Redis) usable() bool {
	until := r.down.Load()
	return until == 0 || time.Now().UnixNano() >= until
}

// failed records that check could not use Redis: the first failure of an outage is logged,
// each one counted.
func (r *Redis) failed(check string, err error) {
	r.down.Store(time.Now().Add(retryAfter).UnixNano())
	r.fellBack(check)
	r.mu.Lock()
	first := !r.outage
	r.outage = true
	r.mu.Unlock()
	if first && r.log != nil {
		r.log.Error("redis unreachable: rate limits and the sign-in throttle fall back to this instance's memory until it answers",
			"check", check, "err", err.Error())
	}
}

// fellBack counts one check answered from memory.
func (r *Redis) fellBack(check string) {
	if r.Fallback != nil {
		r.Fallback(check)
	}
}

// worked records a successful use of Redis, ending an outage.
func (r *Redis) worked() {
	if r.down.Load() == 0 {
		return
	}
	r.down.Store(0)
	r.mu.Lock()
	was := r.outage
	r.outage = false
	r.mu.Unlock()
	if was && r.log != nil {
		r.log.Info("redis reachable again: rate limits and the sign-in throttle are shared again")
	}
}

// ctx bounds one check.
func checkCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 300*time.Millisecond)
}

// Healthy says whether the last use of Redis worked.
func (r *Redis) Healthy() bool { return r.down.Load() == 0 }
