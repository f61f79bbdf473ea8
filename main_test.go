package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/migrations"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestRunServesAndShutsDown starts the real binary's composition root on a fresh data folder,
// as `go run .` does: migrations, a generated admin password printed once, sign-in with it,
// then a graceful stop.
func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	env := map[string]string{
		"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": filepath.Join(dir, "data"),
		"GIMARK_DB_DSN": filepath.Join(dir, "data", "gimark.db"),
	}
	getenv := func(k string) string { return env[k] }
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, out) }()

	base := "http://" + addr
	waitReady(t, base, done)
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated admin password printed:\n%s", out.String())
	}
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": m[1]})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("admin login with the printed password: %d", resp.StatusCode)
	}
	if strings.Count(out.String(), m[1]) != 1 {
		t.Fatal("the admin password must be printed exactly once")
	}
	mresp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mbody, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, want := range []string{`go_sql_open_connections{db_name="writer"}`, `go_sql_open_connections{db_name="reader"}`, `gimark_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1`} {
		if !strings.Contains(string(mbody), want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "jwt.secret")); err != nil {
		t.Fatalf("development JWT secret not kept: %v", err)
	}

	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", out.String())
	}

	// A second start finds the admin and prints no password.
	out2 := &syncBuffer{}
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() { done2 <- run(ctx2, nil, getenv, out2) }()
	waitReady(t, base, done2)
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out2.String(), "password:") {
		t.Fatal("password printed again on restart")
	}
}

func waitReady(t *testing.T, base string, done chan error) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second) // generous: a -race build on a loaded two-core machine starts slowly
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}

func TestRunCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GIMARK_DATA_DIR": dir, "GIMARK_DB_DSN": filepath.Join(dir, "g.db")}
	getenv := func(k string) string { return env[k] }
	var out syncBuffer
	if err := run(context.Background(), []string{"migrate"}, getenv, &out); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	files, _ := fs.ReadDir(migrations.FS, "sqlite")
	if !strings.Contains(out.String(), fmt.Sprintf(`"migrations_applied":%d`, len(files))) {
		t.Fatalf("migrate output: %s", out.String())
	}
	backup := filepath.Join(dir, "copy.db")
	if err := run(context.Background(), []string{"backup", backup}, getenv, &out); err != nil {
		t.Fatalf("backup: %v", err)
	}
	// The copy is a database in its own right: migrate it and see nothing pending.
	env["GIMARK_DB_DSN"] = backup
	out = syncBuffer{}
	if err := run(context.Background(), []string{"migrate"}, getenv, &out); err != nil || !strings.Contains(out.String(), `"migrations_applied":0`) {
		t.Fatalf("backup is not a migrated database: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, getenv, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
	prod := func(k string) string { return map[string]string{"GIMARK_ENV": "production"}[k] }
	if err := run(context.Background(), nil, prod, &out); err == nil || !strings.Contains(err.Error(), "GIMARK_JWT_SECRET") {
		t.Fatalf("production without secret: %v", err)
	}
}

// login posts a sign-in to a running server and returns the status.
func login(t *testing.T, base, username, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// serveFor runs the server until the returned stop is called.
func serveFor(t *testing.T, getenv func(string) string, base string) (out *syncBuffer, stop func()) {
	t.Helper()
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, out) }()
	waitReady(t, base, done)
	return out, func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestPasswdCommand: `gimark passwd USERNAME` sets a lost admin password from standard input
// (audited without an actor), refuses a short one, and a restart with GIMARK_ADMIN_PASSWORD
// still set warns that it only seeds the first admin.
func TestPasswdCommand(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	env := map[string]string{
		"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": filepath.Join(dir, "data"),
		"GIMARK_DB_DSN": filepath.Join(dir, "data", "gimark.db"), "GIMARK_ADMIN_PASSWORD": "first-admin-password",
	}
	getenv := func(k string) string { return env[k] }
	base := "http://" + addr
	out, stop := serveFor(t, getenv, base)
	if strings.Contains(out.String(), "GIMARK_ADMIN_PASSWORD is set but an admin already exists") {
		t.Fatal("warned on the first start")
	}
	stop()

	feed := func(s string) { stdin = strings.NewReader(s) }
	defer func() { stdin = os.Stdin }()
	var cmdOut syncBuffer
	feed("short\n")
	if err := run(context.Background(), []string{"passwd", "admin"}, getenv, &cmdOut); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Fatalf("short password: %v", err)
	}
	feed("recovered-admin-pass\n")
	if err := run(context.Background(), []string{"passwd", "nobody"}, getenv, &cmdOut); err == nil {
		t.Fatal("passwd of an unknown user succeeded")
	}
	if err := run(context.Background(), []string{"passwd"}, getenv, &cmdOut); err == nil {
		t.Fatal("passwd without a username succeeded")
	}
	feed("recovered-admin-pass\r\n")
	if err := run(context.Background(), []string{"passwd", "ADMIN"}, getenv, &cmdOut); err != nil {
		t.Fatalf("passwd: %v", err)
	}
	if !strings.Contains(cmdOut.String(), `password of "admin" set`) {
		t.Fatalf("passwd output: %s", cmdOut.String())
	}

	out, stop = serveFor(t, getenv, base)
	defer stop()
	if !strings.Contains(out.String(), "GIMARK_ADMIN_PASSWORD is set but an admin already exists") {
		t.Fatalf("no warning that GIMARK_ADMIN_PASSWORD was ignored:\n%s", out.String())
	}
	if c := login(t, base, "admin", "first-admin-password"); c != 401 {
		t.Fatalf("old password: %d", c)
	}
	if c := login(t, base, "admin", "recovered-admin-pass"); c != 200 {
		t.Fatalf("new password: %d", c)
	}
	db, err := sql.Open("sqlite", env["GIMARK_DB_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'user.password_set' AND actor_id IS NULL").Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit events of the command: %d %v", n, err)
	}
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsListener: GIMARK_METRICS_ADDR serves /metrics on its own listener and takes it
// off the public one; production keeps it off the public port unless GIMARK_METRICS_PUBLIC
// asks for it.
func TestMetricsListener(t *testing.T) {
	dir := t.TempDir()
	addr, maddr := freeAddr(t), freeAddr(t)
	base := "http://" + addr
	env := map[string]string{
		"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": filepath.Join(dir, "data"),
		"GIMARK_DB_DSN": filepath.Join(dir, "data", "gimark.db"), "GIMARK_METRICS_ADDR": maddr,
	}
	getenv := func(k string) string { return env[k] }
	_, stop := serveFor(t, getenv, base)
	if c, _ := getStatus(t, base+"/metrics"); c != 404 {
		t.Fatalf("/metrics on the public port with GIMARK_METRICS_ADDR: %d", c)
	}
	if c, body := getStatus(t, "http://"+maddr+"/metrics"); c != 200 || !strings.Contains(body, `gimark_http_requests_total{method="GET",route="/readyz",status="200"}`) {
		t.Fatalf("/metrics on its own listener: %d", c)
	}
	stop()

	env = map[string]string{
		"GIMARK_ADDR": addr, "GIMARK_DATA_DIR": filepath.Join(dir, "data"), "GIMARK_DB_DSN": filepath.Join(dir, "data", "gimark.db"),
		"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": strings.Repeat("s", 40), "GIMARK_PUBLIC_BASE_URL": "https://gi.example.gov.cn",
	}
	out, stop := serveFor(t, getenv, base)
	if c, _ := getStatus(t, base+"/metrics"); c != 404 {
		t.Fatalf("/metrics on the public port in production: %d", c)
	}
	if !strings.Contains(out.String(), "metrics not served") {
		t.Fatalf("production does not say where metrics went:\n%s", out.String())
	}
	stop()
	env["GIMARK_METRICS_PUBLIC"] = "true"
	_, stop = serveFor(t, getenv, base)
	if c, _ := getStatus(t, base+"/metrics"); c != 200 {
		t.Fatalf("/metrics with GIMARK_METRICS_PUBLIC=true: %d", c)
	}
	stop()
}
