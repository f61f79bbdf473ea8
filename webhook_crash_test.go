package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKill9BeforeWebhookDelivery commits a signal (a consumer's report) while its webhook
// endpoint is down, kills the server with SIGKILL before any delivery succeeds, brings the
// endpoint up and restarts the server: the event is delivered, with the event ID it was
// first attempted with and a valid signature (the outbox was written with the signal).
func TestKill9BeforeWebhookDelivery(t *testing.T) {
	for _, db := range procDBs(t) {
		t.Run(db.name, func(t *testing.T) { kill9BeforeWebhookDelivery(t, db) })
	}
}

var hiddenField = regexp.MustCompile(`name="(issued|token)" value="([^"]*)"`)

func kill9BeforeWebhookDelivery(t *testing.T, db procDB) {
	dir := t.TempDir()
	addr, hookAddr := freeAddr(t), freeAddr(t)
	envv := append(os.Environ(), "GIMARK_TEST_RUN_SERVER=1", "GIMARK_ADDR="+addr, "GIMARK_DATA_DIR="+dir,
		"GIMARK_ADMIN_PASSWORD=admin-password-1", "GIMARK_LOG_LEVEL=warn", "GIMARK_WEBHOOK_ALLOW_PRIVATE=true",
		"GIMARK_WEBHOOK_RETRY_BASE_SEC=1")
	for k, v := range db.env {
		envv = append(envv, k+"="+v)
	}
	start := func() *exec.Cmd { return startServerProcess(t, envv, addr) }
	srv := start()
	c := newClient(t, "http://"+addr)
	ent := c.setupApprovedFiling()
	c.call("POST", "/api/v1/filings/1/label-batches", ent, map[string]int{"quantity": 3})
	code := c.codes(ent, 1)[0]
	admin := c.login("admin", "admin-password-1")
	const secret = "restart-secret-123"
	c.call("POST", "/api/v1/webhooks", admin, map[string]any{"url": "http://" + hookAddr + "/hook", "secret": secret})

	// The consumer's report, through the page's form.
	resp, err := http.Get("http://" + addr + "/v/" + code)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, m := range hiddenField.FindAllSubmatch(page, -1) {
		_ = mw.WriteField(string(m[1]), string(m[2]))
	}
	_ = mw.WriteField("where_bought", "某店")
	_ = mw.WriteField("problem", "疑似假冒")
	_ = mw.Close()
	resp, err = http.Post("http://"+addr+"/v/"+code+"/report", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("report: %d", resp.StatusCode)
	}

	// Wait for a failed attempt (the endpoint is down), note its event ID, then SIGKILL.
	var eventID string
	for deadline := time.Now().Add(60 * time.Second); eventID == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		log, err := c.try("GET", "/api/v1/webhooks/1/deliveries", admin, nil)
		if err != nil {
			continue // a poll may meet a busy database on a loaded machine; the deadline bounds it
		}
		if items, _ := log["items"].([]any); len(items) > 0 {
			eventID, _ = items[0].(map[string]any)["event_id"].(string)
		}
	}
	if eventID == "" {
		t.Fatal("no delivery attempt logged")
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()

	// The endpoint comes up; the server restarts and delivers.
	var mu sync.Mutex
	type got struct {
		id, sig, ts string
		body        []byte
	}
	var calls []got
	ln, err := net.Listen("tcp", hookAddr)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, got{r.Header.Get("X-Gimark-Event-Id"), r.Header.Get("X-Gimark-Signature"), r.Header.Get("X-Gimark-Timestamp"), b})
		mu.Unlock()
		w.WriteHeader(200)
	})}
	go hs.Serve(ln)
	defer hs.Close()
	srv = start()
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 1 {
		t.Fatalf("%d deliveries after the restart, want 1", len(calls))
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(calls[0].ts + "." + string(calls[0].body)))
	if calls[0].id != eventID || calls[0].sig != "sha256="+hex.EncodeToString(m.Sum(nil)) {
		t.Fatalf("delivered event %q (want %q), signature %q", calls[0].id, eventID, calls[0].sig)
	}
	if !bytes.Contains(calls[0].body, []byte(`"rule":"consumer_report"`)) || !bytes.Contains(calls[0].body, []byte(fmt.Sprintf(`"code":%q`, code))) {
		t.Fatalf("payload %s", calls[0].body)
	}
}
