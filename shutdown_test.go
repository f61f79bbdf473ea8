package main

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gimark/internal/store"
)

// TestSIGTERMUnderVerificationLoad stops the server while consumers verify labels: requests
// in flight finish, and every successful verification answer is in the database as a scan
// (the buffered scans are flushed before the database closes).
func TestSIGTERMUnderVerificationLoad(t *testing.T) {
	for _, db := range procDBs(t) {
		t.Run(db.name, func(t *testing.T) { sigtermUnderLoad(t, db) })
	}
}

func sigtermUnderLoad(t *testing.T, db procDB) {
	dir := t.TempDir()
	addr := freeAddr(t)
	env := map[string]string{"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": dir,
		"GIMARK_ADMIN_PASSWORD": "admin-password-1", "GIMARK_VERIFY_RATE_PER_MIN": "1000000", "GIMARK_LOG_LEVEL": "warn"}
	for k, v := range db.env {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard) }()
	base := "http://" + addr
	waitReady(t, base, done)

	c := newClient(t, base)
	ent := c.setupApprovedFiling()
	c.call("POST", "/api/v1/filings/1/label-batches", ent, map[string]int{"quantity": 200})
	codes := c.codes(ent, 1)

	var ok atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(base + "/api/v1/verify/" + codes[i%len(codes)])
				if err != nil {
					continue // refused once the listener closed
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ok.Add(1)
				}
			}
		}()
	}
	// Stop once the load is well under way (a loaded machine needs longer to get there).
	for deadline := time.Now().Add(30 * time.Second); ok.Load() < 200 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel() // SIGTERM
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	close(stop)
	wg.Wait()

	st, err := store.Open(context.Background(), db.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountScans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ok.Load() < 50 || n != ok.Load() {
		t.Fatalf("%d successful verifications, %d scans recorded", ok.Load(), n)
	}
	t.Logf("%d verifications answered during the run, all %d recorded", ok.Load(), n)
}
