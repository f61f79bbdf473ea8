package cluster

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Invalidation says which cached facts changed: a filing's, a batch's, or (Kind "all", after
// a product edit or a missed message) all of them.
type Invalidation struct {
	Kind string // "filing" | "batch" | "all"
	ID   int64
}

// Bus spreads invalidations to every instance through Redis pub/sub, so a filing suspended
// on one instance stops verifying as genuine on all of them at once. A message can be lost
// while Redis is away; so each (re)subscription drops every cached fact, and the caches'
// own expiry (30 s) stays as the last fallback.
type Bus struct {
	r       *Redis
	channel string
}

// Bus returns the invalidation bus (channel <prefix>invalidate).
func (r *Redis) Bus() *Bus { return &Bus{r: r, channel: r.Prefix + "invalidate"} }

// Publish tells every instance (this one included) that inv's facts changed. It does not
// wait on a Redis outage longer than one short timeout; a lost message is covered by the
// purge on resubscription and by the caches' expiry.
func (b *Bus) Publish(inv Invalidation) {
	ctx, cancel := checkCtx()
	defer cancel()
	if err := b.r.Client.Publish(ctx, b.channel, inv.Kind+":"+strconv.FormatInt(inv.ID, 10)).Err(); err != nil {
		b.r.failed("invalidate", err)
		return
	}
	b.r.worked()
}

// Run delivers invalidations to apply until ctx ends. Whenever the subscription is (re)made
// — at start, and after Redis comes back — apply gets {Kind: "all"}: messages published
// meanwhile may have been missed. ready, if not nil, is closed after the first subscription.
func (b *Bus) Run(ctx context.Context, apply func(Invalidation), ready chan<- struct{}) {
	ps := b.r.Client.Subscribe(ctx, b.channel)
	defer ps.Close()
	first := true
	for {
		msg, err := ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// go-redis reconnects and resubscribes on the next Receive; pause so an outage
			// does not spin.
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				apply(Invalidation{Kind: "all"})
				if first && ready != nil {
					close(ready)
				}
				first = false
			}
		case *redis.Message:
			if inv, ok := parse(m.Payload); ok {
				apply(inv)
			}
		}
	}
}

func parse(s string) (Invalidation, bool) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok {
		return Invalidation{}, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || kind != "filing" && kind != "batch" && kind != "all" {
		return Invalidation{}, false
	}
	return Invalidation{Kind: kind, ID: n}, true
}
