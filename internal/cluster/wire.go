package cluster

import (
	"context"
	"time"

	"gimark/internal/ratelimit"
)

// Caches are the cached verification facts (verify.Service).
type Caches interface {
	InvalidateFiling(id int64)
	InvalidateBatch(id int64)
	InvalidateAll()
}

// Apply drops what inv names from caches.
func Apply(caches Caches) func(Invalidation) {
	return func(inv Invalidation) {
		switch inv.Kind {
		case "filing":
			caches.InvalidateFiling(inv.ID)
		case "batch":
			caches.InvalidateBatch(inv.ID)
		default:
			caches.InvalidateAll()
		}
	}
}

// Invalidator returns what a state change calls: it drops the facts here at once and, with
// Redis (r not nil), publishes the change to every other instance.
func Invalidator(r *Redis, caches Caches) func(Invalidation) {
	apply := Apply(caches)
	return func(inv Invalidation) {
		apply(inv)
		if r != nil {
			r.Bus().Publish(inv)
		}
	}
}

// Limits returns api.Deps.Limits for r: every rate limit shared through Redis, or nil (each
// instance's own) without it.
func Limits(r *Redis, now func() time.Time) func(name string, perMin int) ratelimit.Limiter {
	if r == nil {
		return nil
	}
	return func(name string, perMin int) ratelimit.Limiter { return r.Limiter(name, perMin, now) }
}

// Listen applies other instances' invalidations to caches until ctx ends (nothing without
// Redis). It returns once the first subscription is made or after two seconds, so an
// instance that starts while Redis is away still starts.
func Listen(ctx context.Context, r *Redis, caches Caches) {
	if r == nil {
		return
	}
	ready := make(chan struct{})
	go r.Bus().Run(ctx, Apply(caches), ready)
	select {
	case <-ready:
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
	}
}
