// Package redistest connects tests to the real Redis (GIMARK_TEST_REDIS_URL, default
// redis://127.0.0.1:6379/0), each test under a key prefix of its own that is deleted after.
// Without a reachable Redis a test is skipped, except under CI=true, where it fails.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"gimark/internal/cluster"
)

// URL is the Redis the tests use.
func URL() string {
	if u := os.Getenv("GIMARK_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Open returns a client under a fresh prefix, logging to log (nil: discarded).
func Open(t testing.TB, log *slog.Logger) *cluster.Redis {
	t.Helper()
	return OpenURL(t, URL(), Prefix(t), log)
}

// Prefix is a key prefix no other test uses.
func Prefix(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "gimarktest:" + hex.EncodeToString(b[:]) + ":"
}

// Reachable fails (CI) or skips the test when the real Redis does not answer.
func Reachable(t testing.TB) {
	t.Helper()
	r, err := cluster.Open(t.Context(), URL(), "x:", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := r.Client.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s is not reachable (CI=true requires it): %v", URL(), err)
		}
		t.Skipf("Redis at %s is not reachable: %v", URL(), err)
	}
}

// OpenURL connects to url under prefix (a second instance shares the first one's prefix),
// and deletes the prefix's keys when the test ends.
func OpenURL(t testing.TB, url, prefix string, log *slog.Logger) *cluster.Redis {
	t.Helper()
	Reachable(t)
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := cluster.Open(t.Context(), url, prefix, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			if keys, err := r.Client.Keys(ctx, pattern).Result(); err == nil && len(keys) > 0 {
				r.Client.Del(ctx, keys...)
			}
		}
		_ = r.Close()
	})
	return r
}
