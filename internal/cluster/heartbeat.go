package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"
)

// HeartbeatStore records instances' beats (store.Store.Heartbeat).
type HeartbeatStore interface {
	Heartbeat(ctx context.Context, id, host string, sharedState bool, started, at, since time.Time) (int64, error)
}

// BeatEvery is how often an instance renews its row; a row not renewed for three beats is
// no longer counted as a running instance.
const BeatEvery = 10 * time.Second

// Heartbeat keeps this process's row in the instances table and warns when another instance
// is running on the same database while this one has no shared state (no Redis): then each
// instance enforces rate limits and the sign-in throttle on its own, and cached verification
// facts can lag other instances' changes by up to their 30 s expiry.
type Heartbeat struct {
	Store  HeartbeatStore
	Shared bool // GIMARK_REDIS_URL is set
	Log    *slog.Logger
	Every  time.Duration // BeatEvery when zero
	ID     string        // random when empty

	warned bool
}

// Beat writes one beat and returns how many other instances are running.
func (h *Heartbeat) Beat(ctx context.Context, started time.Time) (int64, error) {
	if h.ID == "" {
		h.ID = newID()
	}
	every := h.Every
	if every == 0 {
		every = BeatEvery
	}
	host, _ := os.Hostname()
	now := time.Now()
	n, err := h.Store.Heartbeat(ctx, h.ID, host, h.Shared, started, now, now.Add(-3*every))
	if err != nil {
		return 0, err
	}
	if n > 0 && !h.Shared && !h.warned {
		h.warned = true
		h.Log.Warn("other gimark instances use this database but GIMARK_REDIS_URL is not set: rate limits and the sign-in throttle are per instance (a password can be tried 5 times on each), and a filing's change reaches other instances' verification only after their 30 s cache expiry",
			"other_instances", n)
	}
	return n, nil
}

// Run beats at start and then every interval until ctx ends. Errors are logged, not fatal:
// the heartbeat only serves the warning.
func (h *Heartbeat) Run(ctx context.Context) {
	started := time.Now()
	every := h.Every
	if every == 0 {
		every = BeatEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := h.Beat(ctx, started); err != nil && ctx.Err() == nil {
			h.Log.Debug("heartbeat not written", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	if len(host) > 40 {
		host = host[:40]
	}
	return host + "-" + hex.EncodeToString(b[:])
}
