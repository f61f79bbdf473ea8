// Command gimark runs the GI special-mark service: filings, labels, verification and the
// brand-value reports of a city IP bureau. See README.md.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
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

	"gimark/api"
	"gimark/internal/account"
	"gimark/internal/auth"
	"gimark/internal/catalog"
	"gimark/internal/config"
	"gimark/internal/demo"
	"gimark/internal/enterprise"
	"gimark/internal/epcis"
	"gimark/internal/filestore"
	"gimark/internal/filing"
	"gimark/internal/label"
	"gimark/internal/metrics"
	"gimark/internal/report"
	"gimark/internal/resolver"
	"gimark/internal/sales"
	"gimark/internal/store"
	"gimark/internal/tradeitem"
	"gimark/internal/verify"
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
	secret, err := jwtSecret(cfg)
	if err != nil {
		return err
	}
	issuer, err := auth.NewIssuer(secret, nil)
	if err != nil {
		return err
	}
	accounts := account.New(st, auth.NewHasher(0), issuer, account.NewThrottle(nil), nil)
	created, generated, err := accounts.Bootstrap(ctx, cfg.AdminUsername, cfg.AdminPassword)
	if err != nil {
		return err
	}
	if !created && cfg.AdminPassword != "" {
		log.Warn("GIMARK_ADMIN_PASSWORD is set but an admin already exists: it only seeds the first admin and is ignored; change passwords with POST /api/v1/me/password or `gimark passwd USERNAME`")
	}
	if created {
		log.Info("admin account created", "username", cfg.AdminUsername)
		if generated != "" {
			// Printed once, outside the structured log, so it is not shipped to log storage.
			fmt.Fprintf(stdout, "\n  gimark: first admin %q created with password: %s\n  (shown once; set GIMARK_ADMIN_PASSWORD to choose it)\n\n", cfg.AdminUsername, generated)
		}
	}

	files, err := filestore.New(filepath.Join(cfg.DataDir, "documents"))
	if err != nil {
		return err
	}
	filings := filing.New(st, files, int64(cfg.MaxUploadMB)<<20)
	mets := metrics.New()
	for name, db := range st.Pools() {
		mets.WatchDB(name, db)
	}
	labels := label.New(st, cfg.PublicBaseURL)
	labels.Issued = mets.Issued
	// Scans are flushed every 200 ms; on SQLite their counts are folded into labels every
	// minute (verification counts the rest itself; signals may lag by that minute).
	recorder := verify.NewRecorder(st, log, 1<<16, 200*time.Millisecond, time.Minute)
	recorder.Dropped = mets.Dropped
	verifier := verify.New(st, recorder, cfg.ScanWarnThreshold, scanKey(secret), nil)
	verifier.Count = mets.Scan
	filings.OnChange = append(filings.OnChange, func(f *model.Filing) { verifier.InvalidateFiling(f.ID) })
	cat := catalog.New(st)
	cat.OnChange = func(int64) { verifier.InvalidateAll() }

	handler := api.New(api.Deps{
		Log:              log,
		Accounts:         accounts,
		Enterprises:      enterprise.New(st),
		Catalog:          cat,
		Filings:          filings,
		Labels:           labels,
		Verify:           verifier,
		Signals:          verify.NewSignals(st, cfg.ScanWarnThreshold),
		Sales:            sales.New(st, nil),
		Reports:          report.New(st, nil),
		TradeItems:       tradeitem.New(st),
		Resolver:         resolver.New(st, cfg.PublicBaseURL),
		EPCIS:            epcis.NewExporter(st, cfg.PublicBaseURL, nil),
		VerifyRatePerMin: cfg.VerifyRatePerMin,
		Ready:            st,
		Metrics:          mets,
		TrustedProxies:   cfg.TrustedProxies,
		ConsoleKey:       consoleKey(secret),
		MetricsElsewhere: !metricsOnMain(cfg),
	})
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // document uploads on slow links
		WriteTimeout:      30 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	if cfg.PprofAddr != "" {
		startProfiler(cfg.PprofAddr, log)
	}
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		if metricsSrv, err = startMetrics(cfg.MetricsAddr, mets, log); err != nil {
			return err
		}
	} else if !metricsOnMain(cfg) {
		log.Info("metrics not served: set GIMARK_METRICS_ADDR for their own listener, or GIMARK_METRICS_PUBLIC=true to serve /metrics on GIMARK_ADDR")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
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
	// No request is in flight any more: write every buffered scan before the database closes.
	if err := recorder.Close(sctx); err != nil {
		return fmt.Errorf("flush scans: %w", err)
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

// jwtSecret returns the configured secret, or in development one generated once and kept
// in the data folder so tokens survive a restart.
func jwtSecret(cfg config.Config) ([]byte, error) {
	if len(cfg.JWTSecret) > 0 {
		return cfg.JWTSecret, nil
	}
	if cfg.Production() {
		return nil, errors.New("GIMARK_JWT_SECRET is required in production")
	}
	path := filepath.Join(cfg.DataDir, "jwt.secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= config.MinSecretBytes {
		return b, nil
	}
	s, err := auth.RandomToken(48)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		return nil, fmt.Errorf("keep development JWT secret: %w", err)
	}
	return []byte(s), nil
}

// scanKey derives the key that salts client address hashes from the token secret, so no
// second secret has to be managed and the hashes cannot be reversed by guessing addresses
// without it.
func scanKey(secret []byte) []byte {
	sum := sha256.Sum256(append([]byte("gimark scan client hash\x00"), secret...))
	return sum[:]
}

// consoleKey derives the key that signs the web console's CSRF tokens from the token secret,
// so every instance shares it and no second secret has to be managed.
func consoleKey(secret []byte) []byte {
	sum := sha256.Sum256(append([]byte("gimark console csrf\x00"), secret...))
	return sum[:]
}

// metricsOnMain says whether /metrics is served on the public listener: in development unless
// it has its own (GIMARK_METRICS_ADDR); in production only when asked for
// (GIMARK_METRICS_PUBLIC=true), since the public port is what the internet reaches.
func metricsOnMain(cfg config.Config) bool {
	return cfg.MetricsPublic || cfg.MetricsAddr == "" && !cfg.Production()
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
