package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/internal/cluster"
	"gimark/internal/cluster/redistest"
	"gimark/internal/testdb"
)

// Two instances on one database and one Redis, through the real router: six wrong passwords
// spread over both lock the username on both, and a filing suspended through one stops
// verifying as genuine on the other at once (its cached facts were dropped by pub/sub).
func TestTwoInstancesShareState(t *testing.T) {
	for _, eng := range testdb.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ra := redistest.Open(t, nil)
			rb := redistest.OpenURL(t, redistest.URL(), ra.Prefix, nil)
			a := apitest.New(t, eng, apitest.Options{Redis: ra, AuthRatePerMin: 1000})
			b := apitest.New(t, eng, apitest.Options{Redis: rb, AuthRatePerMin: 1000, Store: a.Store})

			w := newLabelWorld(t, a)
			bad := map[string]string{"username": "owner", "password": "guess-guess-guess"}
			for i := range 5 {
				e := a
				if i%2 == 1 {
					e = b
				}
				e.Post("/api/v1/auth/login", "", bad).Problem(t, 401)
			}
			good := map[string]string{"username": "owner", "password": apitest.Password}
			for _, e := range []*apitest.Env{a, b} {
				if p := e.Post("/api/v1/auth/login", "", good).Problem(t, 429); p.Code != "login_locked" {
					t.Fatalf("after 5 failures over two instances: %s", p.Code)
				}
			}

			code := w.codes(t, w.order(t, 2))[1][1]
			if v := verifyCode(t, b, code); v.Result != "genuine" { // b caches the facts
				t.Fatalf("before: %+v", v)
			}
			a.Act(w.rev.Token, w.filing, "suspend", map[string]string{"reason": "抽检不合格"}, 200)
			deadline := time.Now().Add(time.Second)
			for {
				v := verifyCode(t, b, code)
				if v.Result == "warning" && v.reason("filing_suspended") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("instance b still answers %+v a second after the suspension on a", v)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

// One instance without Redis warns when the heartbeat table shows another one running.
func TestHeartbeatWarnsWithoutRedis(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// The Env's own instance beat at its start (and beats again only after 10 s): forget it.
		if err := e.Store.DB().Exec("DELETE FROM instances").Error; err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		one := &cluster.Heartbeat{Store: e.Store, Log: log}
		if n, err := one.Beat(t.Context(), time.Now()); err != nil || n != 0 {
			t.Fatalf("alone: %d others, %v", n, err)
		}
		if strings.Contains(logs.String(), "per instance") {
			t.Fatalf("warned while alone: %s", logs.String())
		}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		shared := &cluster.Heartbeat{Store: e.Store, Log: quiet, Shared: true}
		if n, err := shared.Beat(t.Context(), time.Now()); err != nil || n != 1 {
			t.Fatalf("second instance sees %d others, %v", n, err)
		}
		if n, err := one.Beat(t.Context(), time.Now()); err != nil || n != 1 {
			t.Fatalf("first instance sees %d others, %v", n, err)
		}
		if !strings.Contains(logs.String(), "rate limits and the sign-in throttle are per instance") {
			t.Fatalf("no warning with two instances and no Redis: %s", logs.String())
		}
	})
}
