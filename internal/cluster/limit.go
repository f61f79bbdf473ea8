package cluster

import (
	"time"

	"github.com/go-redis/redis_rate/v10"

	"gimark/internal/ratelimit"
)

// Limiter is a per-key rate limit shared by every instance: one GCRA script per check in
// Redis (github.com/go-redis/redis_rate, which keeps the bucket as one timestamp per key).
// When Redis fails, the instance's own token buckets answer.
type Limiter struct {
	r     *Redis
	name  string
	limit redis_rate.Limit
	rl    *redis_rate.Limiter
	local *ratelimit.Keyed
}

// Limiter returns a shared limit of perMin events a minute per key (bursts of perMin, as the
// per-instance one). name tells limits apart in Redis and in the fallback metric.
func (r *Redis) Limiter(name string, perMin int, now func() time.Time) *Limiter {
	return &Limiter{r: r, name: name, limit: redis_rate.PerMinute(perMin), rl: redis_rate.NewLimiter(r.Client),
		local: ratelimit.PerMinute(perMin, now)}
}

// Allow takes one token for key.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if !l.r.usable() {
		l.r.fellBack(l.name)
		return l.local.Allow(key)
	}
	ctx, cancel := checkCtx()
	defer cancel()
	res, err := l.rl.Allow(ctx, l.r.Prefix+l.name+":"+key, l.limit)
	if err != nil {
		l.r.failed(l.name, err)
		return l.local.Allow(key)
	}
	l.r.worked()
	if res.Allowed > 0 {
		return true, 0
	}
	return false, max(res.RetryAfter, time.Millisecond)
}
