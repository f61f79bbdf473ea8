// Package app builds gimark from its configuration, store, logger and clock: every service,
// the hooks between them, the HTTP handler and the background jobs. The server (main) and the
// handler-test harness (internal/apitest) both call New, so what the tests run is what the
// server runs; only the settings differ.
package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gimark/api"
	"gimark/internal/account"
	"gimark/internal/auth"
	"gimark/internal/catalog"
	"gimark/internal/cluster"
	"gimark/internal/config"
	"gimark/internal/enterprise"
	"gimark/internal/epcis"
	"gimark/internal/filestore"
	"gimark/internal/filing"
	"gimark/internal/label"
	"gimark/internal/metrics"
	"gimark/internal/report"
	"gimark/internal/resolver"
	"gimark/internal/sales"
	"gimark/internal/scanstats"
	"gimark/internal/signal"
	"gimark/internal/specialmark"
	"gimark/internal/store"
	"gimark/internal/tradeitem"
	"gimark/internal/verify"
	"gimark/internal/webhook"
	"gimark/model"
)

// App is the assembled application.
type App struct {
	Handler  http.Handler
	Secret   []byte // the token secret in use (configured or generated)
	Accounts *account.Service
	Filings  *filing.Service
	Labels   *label.Service
	Verify   *verify.Service
	Recorder *verify.Recorder // started by New: verification records scans from the first request
	Metrics  *metrics.Metrics
	// Signals: the rules the recorder runs, consumers' reports, webhook endpoints and the
	// outbox's delivery worker (run between Start and Stop when cfg.WebhookPollEvery > 0).
	Rules    *signal.Rules
	Reports  *signal.Reports
	Webhooks *webhook.Service
	Deliver  *webhook.Worker

	cfg   config.Config
	store *store.Store
	log   *slog.Logger
	clock func() time.Time
	jobs  []job

	// ticker makes a job's ticker; the package's tests replace it to tick by hand.
	ticker  func(d time.Duration) (<-chan time.Time, func())
	mu      sync.Mutex
	stop    chan struct{}      // closed by Stop; nil before Start
	cancel  context.CancelFunc // cancels the jobs' runs in flight
	running sync.WaitGroup     // the jobs' goroutines

	shared     *cluster.Redis // nil without GIMARK_REDIS_URL
	ownsShared bool           // New opened it, so Stop closes it
}

// Option changes how New builds the application; the server passes none.
type Option func(*options)

type options struct {
	labelCodes func(n int) ([]string, error)
	redis      *cluster.Redis
}

// WithRedis shares state through r (tests: a Redis under a key prefix of their own) instead
// of connecting to cfg.RedisURL.
func WithRedis(r *cluster.Redis) Option {
	return func(o *options) { o.redis = r }
}

// WithLabelCodes replaces the label code generator (tests force a collision or a failure
// half-way through a batch).
func WithLabelCodes(fn func(n int) ([]string, error)) Option {
	return func(o *options) { o.labelCodes = fn }
}

// New builds the application. clock is the time every service reads (time.Now in the server,
// a settable clock in tests); st must be open and migrated. The scan recorder starts at once;
// the scheduled jobs run between Start and Stop.
func New(cfg config.Config, st *store.Store, log *slog.Logger, clock func() time.Time, opts ...Option) (*App, error) {
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	if cfg.ScanBuffer <= 0 || cfg.ScanFlushEvery <= 0 || cfg.ScanFoldEvery <= 0 || cfg.TokenPurgeEvery <= 0 {
		return nil, errors.New("app: scan buffer, scan intervals and token purge interval must be positive (use config.Load)")
	}
	secret, err := jwtSecret(cfg)
	if err != nil {
		return nil, err
	}
	issuer, err := auth.NewIssuer(secret, clock)
	if err != nil {
		return nil, err
	}
	files, err := filestore.New(filepath.Join(cfg.DataDir, "documents"))
	if err != nil {
		return nil, err
	}
	mets := metrics.New()
	for name, db := range st.Pools() {
		mets.WatchDB(name, db)
	}

	// Shared state for several instances (GIMARK_REDIS_URL); nil: this instance alone.
	shared := o.redis
	if shared == nil && cfg.RedisURL != "" {
		if shared, err = cluster.Open(context.Background(), cfg.RedisURL, "", log); err != nil {
			return nil, err
		}
	}
	if shared != nil {
		shared.Fallback = mets.RedisFallback
	}
	throttle := account.NewThrottle(clock)
	if shared != nil {
		throttle.Shared = shared.Failures()
	}
	accounts := account.New(st, auth.NewHasher(cfg.PasswordCost), issuer, throttle, clock)
	recorder := verify.NewRecorder(st, log, cfg.ScanBuffer, cfg.ScanFlushEvery, cfg.ScanFoldEvery,
		verify.ClientKey(scanKey(secret)), verify.OnDropped(mets.Dropped))
	verifier := verify.New(st, recorder, cfg.ScanWarnThreshold, clock, mets.Scan)
	// Verification caches filing, product and batch facts: state changes and catalog edits
	// drop them here and, through Redis, on every instance.
	invalidate := cluster.Invalidator(shared, verifier)
	filings := filing.New(st, files, cfg.MaxUploadBytes, func(f *model.Filing) { invalidate(cluster.Invalidation{Kind: "filing", ID: f.ID}) })
	cat := catalog.New(st, func(int64) { invalidate(cluster.Invalidation{Kind: "all"}) })
	marks := specialmark.New(st, files)
	// Print files are built under the file store's tmp folder while they are hashed, recorded
	// and sent (internal/label/print.go).
	labels := label.New(st, cfg.PublicBaseURL, label.Options{Issued: mets.Issued, NewCodes: o.labelCodes,
		Marks: marks, TempDir: filepath.Join(cfg.DataDir, "documents", "tmp")})
	labels.OnBatchChange = func(id int64) { invalidate(cluster.Invalidation{Kind: "batch", ID: id}) }

	// Counterfeit signals: the rule table judges every written flush of scans, in the
	// recorder's writer; networks are kept only as keyed hashes.
	reportFiles, err := filestore.New(filepath.Join(cfg.DataDir, "reports"))
	if err != nil {
		return nil, err
	}
	nets := signal.NewNetworker(scanKey(secret))
	rules := signal.NewRules(st, log, signal.Params{OverScanned: int64(cfg.ScanWarnThreshold),
		SpreadNetworks: cfg.Rules.SpreadNetworks, SpreadWindow: cfg.Rules.SpreadWindow, BurstScans: cfg.Rules.BurstScans,
		BurstWindow: cfg.Rules.BurstWindow, GuessCodes: cfg.Rules.GuessCodes, UnknownTries: int64(cfg.Rules.UnknownTries)})
	recorder.Observe(rules, nets.Pair)
	reports := signal.NewReports(st, reportFiles, reportKey(secret), nets, cfg.ReportRatePerHour, clock)
	hooks := webhook.New(st, cfg.WebhookAllowPrivate)
	deliver := webhook.NewWorker(st, log, cfg.WebhookAllowPrivate, clock)
	deliver.Base = cfg.WebhookRetryBase
	if cfg.WebhookPollEvery > 0 {
		deliver.Poll = cfg.WebhookPollEvery
	}

	handler := api.New(api.Deps{
		Log:              log,
		Accounts:         accounts,
		Enterprises:      enterprise.New(st),
		Catalog:          cat,
		Filings:          filings,
		Labels:           labels,
		SpecialMarks:     marks,
		Verify:           verifier,
		Sales:            sales.New(st, clock),
		Reports:          report.New(st, clock),
		TradeItems:       tradeitem.New(st),
		Resolver:         resolver.New(st, cfg.PublicBaseURL),
		EPCIS:            epcis.NewExporter(st, cfg.PublicBaseURL, clock),
		SignalCases:      signal.New(st),
		ConsumerReports:  reports,
		Webhooks:         hooks,
		ScanStats:        scanstats.New(st, clock),
		Rules:            rules,
		VerifyRatePerMin: cfg.VerifyRatePerMin,
		Ready:            st,
		Metrics:          mets,
		TrustedProxies:   cfg.TrustedProxies,
		AuthRatePerMin:   cfg.AuthRatePerMin,
		PublicRatePerMin: cfg.PublicRatePerMin,
		Now:              clock,
		Limits:           cluster.Limits(shared, clock),
		ConsoleKey:       consoleKey(secret),
		MetricsElsewhere: !cfg.MetricsOnMain(),
	})
	a := &App{Handler: handler, Secret: secret, Accounts: accounts, Filings: filings, Labels: labels,
		Verify: verifier, Recorder: recorder, Metrics: mets, Rules: rules, Reports: reports, Webhooks: hooks, Deliver: deliver,
		cfg: cfg, store: st, log: log, clock: clock, ticker: realTicker, shared: shared, ownsShared: o.redis == nil}
	a.jobs = []job{{name: "purge expired refresh tokens", every: cfg.TokenPurgeEvery, run: a.purgeRefreshTokens}}
	return a, nil
}

// Bootstrap creates the first admin (GIMARK_ADMIN_USERNAME) when no admin exists. generated
// is the password it made up when none was configured, to be shown once; it is "" otherwise.
func (a *App) Bootstrap(ctx context.Context) (created bool, generated string, err error) {
	created, generated, err = a.Accounts.Bootstrap(ctx, a.cfg.AdminUsername, a.cfg.AdminPassword)
	if err == nil && !created && a.cfg.AdminPassword != "" {
		a.log.Warn("GIMARK_ADMIN_PASSWORD is set but an admin already exists: it only seeds the first admin and is ignored; change passwords with POST /api/v1/me/password or `gimark passwd USERNAME`")
	}
	if created {
		a.log.Info("admin account created", "username", a.cfg.AdminUsername)
	}
	return created, generated, err
}

// job is work the application repeats on a schedule.
type job struct {
	name  string
	every time.Duration
	run   func(ctx context.Context) error
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Start runs the scheduled jobs until Stop: each runs once at once, then every interval.
// ctx's values reach each run; its end stops nothing (Stop does).
func (a *App) Start(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		return
	}
	a.stop = make(chan struct{})
	ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	// Other instances' invalidations reach this one's caches until Stop.
	cluster.Listen(ctx, a.shared, a.Verify)
	// The instance's heartbeat row, on its own clock: other instances see this one running.
	a.running.Add(1)
	go func() {
		defer a.running.Done()
		(&cluster.Heartbeat{Store: a.store, Shared: a.shared != nil, Log: a.log}).Run(ctx)
	}()
	for _, j := range a.jobs {
		tick, stopTicker := a.ticker(j.every)
		a.running.Add(1)
		go func() {
			defer a.running.Done()
			defer stopTicker()
			a.runJob(ctx, j)
			for {
				select {
				case <-a.stop:
					return
				case <-tick:
					a.runJob(ctx, j)
				}
			}
		}()
	}
	if a.cfg.WebhookPollEvery > 0 {
		// Not a job: a delivery may take longer than the poll interval a job's run would get.
		a.running.Add(1)
		go func() {
			defer a.running.Done()
			a.Deliver.Run(ctx)
		}()
	}
}

func (a *App) runJob(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, j.every)
	defer cancel()
	if err := j.run(ctx); err != nil {
		a.log.Error("scheduled job failed", "job", j.name, "err", err.Error())
	}
}

// Stop ends the scheduled jobs (cancelling a run in flight), then writes every buffered
// scan, waiting at most until ctx ends. Call it once no request is in flight any more, before
// the store closes.
func (a *App) Stop(ctx context.Context) error {
	a.mu.Lock()
	if a.stop != nil {
		select {
		case <-a.stop:
		default:
			close(a.stop)
			a.cancel()
		}
	}
	a.mu.Unlock()
	stopped := make(chan struct{})
	go func() { a.running.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		return fmt.Errorf("stop scheduled jobs: %w", ctx.Err())
	}
	if err := a.Recorder.Close(ctx); err != nil {
		return fmt.Errorf("flush scans: %w", err)
	}
	if a.shared != nil && a.ownsShared {
		_ = a.shared.Close()
	}
	return nil
}

// purgeRefreshTokens deletes refresh tokens past their expiry: they can no longer be used, and
// reuse of a rotated token is only detectable while it lives, so nothing needs them after.
func (a *App) purgeRefreshTokens(ctx context.Context) error {
	n, err := a.store.PurgeRefreshTokens(ctx, a.clock())
	if err != nil {
		return err
	}
	level := slog.LevelDebug
	if n > 0 {
		level = slog.LevelInfo
	}
	a.log.Log(ctx, level, "expired refresh tokens purged", "deleted", n)
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

// reportKey derives the key that signs the consumer report form's tokens from the token
// secret, so every instance accepts a form another instance served.
func reportKey(secret []byte) []byte {
	sum := sha256.Sum256(append([]byte("gimark consumer report\x00"), secret...))
	return sum[:]
}
