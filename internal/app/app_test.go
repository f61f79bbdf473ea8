package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"gimark/internal/auth"
	"gimark/internal/config"
	"gimark/internal/testdb"
	"gimark/model"
)

const adminPassword = "admin-password-123"

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testConfig(t *testing.T) config.Config {
	t.Helper()
	env := map[string]string{
		"GIMARK_DATA_DIR":       t.TempDir(),
		"GIMARK_JWT_SECRET":     strings.Repeat("test-secret-", 4),
		"GIMARK_ADMIN_PASSWORD": adminPassword,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.PasswordCost = bcrypt.MinCost
	return cfg
}

// TestExpiredRefreshTokensArePurgedOnSchedule drives the purge job tick by tick with a
// settable clock: a token past its expiry goes at the first tick after it expired, a live one
// stays, and nothing goes before.
func TestExpiredRefreshTokensArePurgedOnSchedule(t *testing.T) {
	t.Parallel()
	for _, eng := range testdb.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			var now atomic.Int64
			now.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
			clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
			advance := func(d time.Duration) { now.Add(int64(d)) }

			st := eng.Open(t, clock)
			logs := &lockedBuffer{}
			a, err := New(testConfig(t), st, slog.New(slog.NewJSONHandler(logs, nil)), clock)
			if err != nil {
				t.Fatal(err)
			}
			ticks := make(chan time.Time) // unbuffered: a send returns once the job waits for it
			a.ticker = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }
			if _, _, err := a.Bootstrap(t.Context()); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			login := func() string {
				t.Helper()
				p, err := a.Accounts.Login(ctx, "admin", adminPassword, "192.0.2.1")
				if err != nil {
					t.Fatal(err)
				}
				return auth.HashToken(p.RefreshToken)
			}
			stored := func() []string {
				t.Helper()
				var hashes []string
				if err := st.DB().Model(&model.RefreshToken{}).Order("id").Pluck("token_hash", &hashes).Error; err != nil {
					t.Fatal(err)
				}
				return hashes
			}

			old := login()
			a.Start(ctx) // runs the job once at once
			ticks <- clock()
			ticks <- clock() // the run of the first tick is over
			if diff := cmp.Diff([]string{old}, stored()); diff != "" {
				t.Fatalf("a token purged before it expired (-want +got):\n%s", diff)
			}

			advance(auth.RefreshTTL + time.Minute)
			live := login()
			ticks <- clock()
			ticks <- clock() // the run of the tick before is over
			if diff := cmp.Diff([]string{live}, stored()); diff != "" {
				t.Fatalf("after the tick past expiry (-want +got):\n%s", diff)
			}
			if err := a.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), `"msg":"expired refresh tokens purged","deleted":1`) {
				t.Fatalf("the purge was not logged:\n%s", logs.String())
			}
		})
	}
}

// TestStopWithoutStart flushes the recorder and returns: main calls Stop when listening
// fails, before Start.
func TestStopWithoutStart(t *testing.T) {
	t.Parallel()
	eng := testdb.Engines(t)[0]
	st := eng.Open(t, nil)
	a, err := New(testConfig(t), st, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(t.Context()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

// TestNewRefusesZeroIntervals: a Config not made by config.Load would tick at zero.
func TestNewRefusesZeroIntervals(t *testing.T) {
	t.Parallel()
	st := testdb.Engines(t)[0].Open(t, nil)
	if _, err := New(config.Config{DataDir: t.TempDir()}, st, slog.New(slog.DiscardHandler), time.Now); err == nil {
		t.Fatal("New accepted a Config with zero intervals")
	}
}
