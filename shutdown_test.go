package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
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
	dir := t.TempDir()
	addr := freeAddr(t)
	env := map[string]string{"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": dir, "GIMARK_DB_DSN": filepath.Join(dir, "g.db"),
		"GIMARK_ADMIN_PASSWORD": "admin-password-1", "GIMARK_VERIFY_RATE_PER_MIN": "1000000", "GIMARK_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard) }()
	base := "http://" + addr
	waitReady(t, base, done)

	call := func(method, path, token string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	login := func(u, p string) string {
		return call("POST", "/api/v1/auth/login", "", map[string]string{"username": u, "password": p})["access_token"].(string)
	}
	admin := login("admin", "admin-password-1")
	call("POST", "/api/v1/products", admin, map[string]string{"name": "靖远枸杞", "kind": "protected_product", "reference_number": "x", "region_code": "620421"})
	call("POST", "/api/v1/users", admin, map[string]string{"username": "rev", "password": "reviewer-pass-1", "role": "reviewer"})
	call("POST", "/api/v1/auth/register", "", map[string]any{"username": "ent", "password": "enterprise-pass-1", "enterprise": map[string]string{
		"uscc": "914403001922038216", "name": "企业", "legal_representative": "张三", "address": "靖远县", "region_code": "620421", "contact_phone": "0943-1234567"}})
	ent, rev := login("ent", "enterprise-pass-1"), login("rev", "reviewer-pass-1")
	call("POST", "/api/v1/filings", ent, map[string]any{"product_id": 1, "kind": "new", "production_address": "x", "annual_output_kg": "1"})
	call("POST", "/api/v1/filings/1/submit", ent, nil)
	call("POST", "/api/v1/filings/1/approve", rev, nil)
	call("POST", "/api/v1/filings/1/label-batches", ent, map[string]int{"quantity": 200})
	req, _ := http.NewRequest("GET", base+"/api/v1/label-batches/1/codes.csv", nil)
	req.Header.Set("Authorization", "Bearer "+ent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csvBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var codes []string
	for _, line := range strings.Split(string(csvBody), "\n")[1:] {
		if f := strings.Split(line, ","); len(f) == 3 {
			codes = append(codes, f[1])
		}
	}

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
	time.Sleep(700 * time.Millisecond)
	cancel() // SIGTERM
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	close(stop)
	wg.Wait()

	st, err := store.Open(context.Background(), store.Options{Driver: "sqlite", DSN: env["GIMARK_DB_DSN"], Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
