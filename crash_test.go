package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"gimark/internal/store"
	"gimark/model"
)

// TestMain lets the test binary act as the gimark binary, so a test can start the server as
// a separate process and kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("GIMARK_TEST_RUN_SERVER") == "1" {
		if err := run(context.Background(), nil, os.Getenv, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKill9DuringBatch kills the server (SIGKILL, no shutdown) while it inserts a large
// label batch, restarts it, and checks the batch is either whole or absent and that labels
// issued before still verify.
func TestKill9DuringBatch(t *testing.T) {
	for _, db := range procDBs(t) {
		t.Run(db.name, func(t *testing.T) { kill9DuringBatch(t, db) })
	}
}

func kill9DuringBatch(t *testing.T, db procDB) {
	dir := t.TempDir()
	addr := freeAddr(t)
	envv := append(os.Environ(), "GIMARK_TEST_RUN_SERVER=1", "GIMARK_ADDR="+addr, "GIMARK_DATA_DIR="+dir,
		"GIMARK_ADMIN_PASSWORD=admin-password-1", "GIMARK_LOG_LEVEL=warn")
	for k, v := range db.env {
		envv = append(envv, k+"="+v)
	}
	start := func() *exec.Cmd { return startServerProcess(t, envv, addr) }
	srv := start()
	c := newClient(t, "http://"+addr)
	ent := c.setupApprovedFiling()
	c.call("POST", "/api/v1/filings/1/label-batches", ent, map[string]int{"quantity": 100})
	codes := c.codes(ent, 1)

	// Order a million labels and kill the server while it writes them.
	go func() {
		_, _ = c.try("POST", "/api/v1/filings/1/label-batches", ent, map[string]int{"quantity": 1_000_000})
	}()
	time.Sleep(1500 * time.Millisecond)
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()

	srv = start()
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	got := c.call("GET", "/api/v1/verify/"+codes[0], "", nil)
	if got["result"] != "genuine" {
		t.Fatalf("an earlier label after the crash: %v", got)
	}
	st, err := store.Open(context.Background(), db.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var batches []model.LabelBatch
	st.DB().Find(&batches)
	for _, b := range batches {
		var n int64
		st.DB().Model(&model.Label{}).Where("batch_id = ?", b.ID).Count(&n)
		if n != int64(b.Quantity) {
			t.Fatalf("batch %d has %d of its %d labels after the crash", b.ID, n, b.Quantity)
		}
	}
	var orphans int64
	st.DB().Model(&model.Label{}).Where("batch_id NOT IN (SELECT id FROM label_batches)").Count(&orphans)
	if orphans != 0 {
		t.Fatalf("%d labels without a batch", orphans)
	}
	t.Logf("after SIGKILL: %d batch(es) present, each whole", len(batches))
}

// startServerProcess runs this test binary as the server (GIMARK_TEST_RUN_SERVER in envv) and
// waits until it answers /readyz; the wait is generous because a -race build on a loaded
// two-core machine starts slowly.
func startServerProcess(t *testing.T, envv []string, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = envv
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
	}
	cmd.Process.Kill()
	t.Fatal("server did not start")
	return nil
}
