package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"gimark/model"
)

// Worker delivers due outbox events. Every instance may run one: a claim is a conditional
// update, so two workers never hold the same event at once.
type Worker struct {
	store  Store
	log    *slog.Logger
	now    func() time.Time
	client *http.Client

	Lease        time.Duration // how long a claimed event is left alone (a dead worker's events come back after it)
	RetryFor     time.Duration // an event is retried at least this long (24 h)
	DisableAfter time.Duration // an endpoint failing this long is disabled (24 h)
	Base, Max    time.Duration // backoff: Base·2^(attempt-1), at most Max
	Poll         time.Duration // how often Run looks for due events
	Batch        int           // events claimed per round
}

// NewWorker wires a worker. allowPrivate lets it connect to private addresses
// (GIMARK_WEBHOOK_ALLOW_PRIVATE); otherwise every address it connects to is checked at
// connect time, after DNS resolution, so a name re-pointed at the internal network (DNS
// rebinding) is refused.
func NewWorker(st Store, log *slog.Logger, allowPrivate bool, now func() time.Time) *Worker {
	if now == nil {
		now = time.Now
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook address %q: %w", address, err)
		}
		if !allowPrivate && !Public(ap.Addr()) {
			return fmt.Errorf("webhook address %s is not public", ap.Addr())
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect on our behalf, past the address check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
	}
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second,
		// A redirect would be a second, unchecked destination: the receiver must answer itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Worker{store: st, log: log, now: now, client: client, Lease: 2 * time.Minute, RetryFor: 24 * time.Hour,
		DisableAfter: 24 * time.Hour, Base: 30 * time.Second, Max: 2 * time.Hour, Poll: 2 * time.Second, Batch: 50}
}

// Sign is the X-Gimark-Signature value: "sha256=" and the hex HMAC-SHA256, keyed by the
// endpoint's secret, of the timestamp, a dot and the body.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Backoff is the wait after the n-th failed attempt (n ≥ 1).
func (w *Worker) Backoff(n int) time.Duration {
	d := w.Base
	for i := 1; i < n && d < w.Max; i++ {
		d *= 2
	}
	return min(d, w.Max)
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("webhook delivery round failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims the events due now and attempts each once; it returns how many it
// attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	due, err := w.store.ClaimWebhookEvents(ctx, w.now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	errs := make([]error, len(due))
	for i := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = w.attempt(ctx, due[i])
		}()
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

func (w *Worker) attempt(ctx context.Context, e model.DueWebhookEvent) error {
	start := w.now()
	code, err := w.post(ctx, e, start)
	a := model.WebhookAttempt{Event: e, At: start, StatusCode: code, Duration: w.now().Sub(start), DisableFor: w.DisableAfter}
	switch {
	case err != nil:
		a.Err = err.Error()
	case code < 200 || code > 299:
		a.Err = "HTTP " + strconv.Itoa(code)
	default:
		a.OK = true
	}
	if !a.OK {
		a.Next = start.Add(w.Backoff(e.Attempts + 1))
		a.GiveUp = start.Sub(e.CreatedAt) >= w.RetryFor
	}
	disabled, ferr := w.store.FinishWebhookAttempt(context.WithoutCancel(ctx), a)
	if disabled {
		w.log.Warn("webhook disabled after failing for a day", "webhook_id", e.WebhookID)
	}
	return ferr
}

func (w *Worker) post(ctx context.Context, e model.DueWebhookEvent, at time.Time) (int, error) {
	body := []byte(e.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gimark-webhook/1")
	req.Header.Set("X-Gimark-Event-Id", e.EventID)
	req.Header.Set("X-Gimark-Timestamp", ts)
	req.Header.Set("X-Gimark-Signature", Sign(e.Secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
