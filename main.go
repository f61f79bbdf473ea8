// Command gimark runs the GI special-mark service: filings, labels, verification and the
// brand-value reports of a city IP bureau. See README.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"gimark/internal/account"
	"gimark/internal/app"
	"gimark/internal/auth"
	"gimark/internal/config"
	"gimark/internal/demo"
	"gimark/internal/filestore"
	"gimark/internal/metrics"
	"gimark/internal/store"
	"gimark/model"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gimark:", err)
		os.Exit(1)
	}
}

const usage = `usage: gimark [serve | migrate | demo | backup FILE | passwd USERNAME]
  serve            run the server (default)
  migrate          apply database migrations and exit
  demo             load the Baiyin demo dataset (running it twice changes nothing)
  backup FILE      write a consistent copy of the SQLite database to FILE while it runs
  passwd USERNAME  set USERNAME's password to the first line of standard input`

// stdin is where `gimark passwd` reads the new password (a variable so tests can feed it).
var stdin io.Reader = os.Stdin

// run is the composition root: config → logger → store → services → HTTP.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)

	switch cmd {
	case "serve", "migrate", "backup", "demo", "passwd":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}

	// The demo loader sets the store's clock so its records carry their demo dates.
	var clock *demo.Clock
	var now func() time.Time
	if cmd == "demo" {
		clock = &demo.Clock{}
		now = clock.Now
	}
	st, err := store.Open(ctx, store.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN, Logger: log, Now: now})
	if err != nil {
		return err
	}
	defer st.Close()

	switch cmd {
	case "backup":
		if len(args) != 2 {
			return errors.New("usage: gimark backup FILE")
		}
		if err := st.Backup(ctx, args[1]); err != nil {
			return err
		}
		log.Info("backup written", "file", args[1])
		return nil
	}

	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("database ready", "driver", cfg.DBDriver, "migrations_applied", n)
	switch cmd {
	case "migrate":
		return nil
	case "demo":
		files, err := filestore.New(filepath.Join(cfg.DataDir, "documents"))
		if err != nil {
			return err
		}
		return demo.Load(ctx, st, clock, demo.Env{Files: files, PasswordFile: filepath.Join(cfg.DataDir, "demo-password.txt")}, stdout)
	case "passwd":
		return setPassword(ctx, st, args[1:], stdout)
	}
	return serve(ctx, cfg, log, st, stdout)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, stdout io.Writer) error {
	log.Info("starting", cfg.Masked()...)
	a, err := app.New(cfg, st, log, time.Now)
	if err != nil {
		return err
	}
	created, generated, err := a.Bootstrap(ctx)
	if err != nil {
		return err
	}
	if created && generated != "" {
		// Printed once, outside the structured log, so it is not shipped to log storage.
		fmt.Fprintf(stdout, "\n  gimark: first admin %q created with password: %s\n  (shown once; set GIMARK_ADMIN_PASSWORD to choose it)\n\n", cfg.AdminUsername, generated)
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // document uploads on slow links
		WriteTimeout:      30 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errors.Join(err, a.Stop(ctx))
	}
	a.Start(ctx)
	log.Info("listening", "addr", ln.Addr().String())
	if cfg.PprofAddr != "" {
		startProfiler(cfg.PprofAddr, log)
	}
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		if metricsSrv, err = startMetrics(cfg.MetricsAddr, a.Metrics, log); err != nil {
			return err
		}
	} else if !cfg.MetricsOnMain() {
		log.Info("metrics not served: set GIMARK_METRICS_ADDR for their own listener, or GIMARK_METRICS_PUBLIC=true to serve /metrics on GIMARK_ADDR")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, a.Stop(sctx))
	case <-ctx.Done():
	}
	// Graceful: stop accepting, let in-flight requests finish, then the deferred Close
	// closes the database.
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	// No request is in flight any more: stop the jobs and write every buffered scan before
	// the database closes.
	if err := a.Stop(sctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// setPassword is `gimark passwd USERNAME`: it reads one line from standard input (without
// echo at a terminal, through golang.org/x/term) and sets
// it as the user's password (for an operator who lost the admin password), signing the
// account out everywhere. The audit log records it without an actor.
func setPassword(ctx context.Context, st *store.Store, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: gimark passwd USERNAME  (the password is read from standard input)")
	}
	var password string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// Typed at a terminal: prompt, and do not echo it.
		fmt.Fprintf(stdout, "new password for %s: ", args[0])
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		password = string(b)
	} else {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	accounts := account.New(st, auth.NewHasher(0), nil, account.NewThrottle(nil), nil)
	if err := accounts.SetPassword(ctx, args[0], password); err != nil {
		var me *model.Error
		if errors.As(err, &me) && len(me.Fields) > 0 {
			return fmt.Errorf("passwd %s: the password %s", args[0], me.Fields[0].Message)
		}
		return fmt.Errorf("passwd %s: %w", args[0], err)
	}
	fmt.Fprintf(stdout, "gimark: password of %q set; its sessions are signed out\n", account.NormalizeUsername(args[0]))
	return nil
}

// startMetrics serves /metrics alone on addr (GIMARK_METRICS_ADDR), for the monitoring
// network. The listener is opened before returning, so a taken port fails the start.
func startMetrics(addr string, mets *metrics.Metrics, log *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", mets.Handler())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("GIMARK_METRICS_ADDR: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		log.Info("metrics listening", "addr", ln.Addr().String())
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err.Error())
		}
	}()
	return srv, nil
}

// startProfiler serves net/http/pprof on its own loopback listener (GIMARK_PPROF_ADDR), never
// on the public router.
func startProfiler(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		log.Info("profiler listening", "addr", addr)
		if err := srv.ListenAndServe(); err != nil {
			log.Error("profiler stopped", "err", err.Error())
		}
	}()
}
