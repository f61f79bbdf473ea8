// Package config reads gimark's settings from the environment (DESIGN.md "How it runs"),
// applies the laptop-safe defaults and refuses unsafe production settings before the service
// listens.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the service.
type Config struct {
	Addr              string
	Env               string // development | production
	DBDriver          string // sqlite | mysql
	DBDSN             string
	DataDir           string
	JWTSecret         []byte // empty in development: generated and kept in DataDir
	AdminUsername     string
	AdminPassword     string // empty: generated and printed once
	PublicBaseURL     string
	ScanWarnThreshold int
	VerifyRatePerMin  int
	MaxUploadBytes    int64  // GIMARK_MAX_UPLOAD_MB in bytes
	LogFormat         string // json | text
	LogLevel          string
	TrustedProxies    []string
	ShutdownTimeout   time.Duration
	PprofAddr         string // empty: no profiler; otherwise a loopback address

	// AllowHTTPBaseURL accepts an http:// PublicBaseURL in production
	// (GIMARK_ALLOW_HTTP_BASE_URL=true), for a bureau whose domain has no certificate yet.
	AllowHTTPBaseURL bool
	// MetricsAddr, when set, serves /metrics on its own listener and not on Addr.
	MetricsAddr string
	// MetricsPublic keeps /metrics on the public listener in production
	// (GIMARK_METRICS_PUBLIC=true); development serves it there unless MetricsAddr is set.
	MetricsPublic   bool
	TokenPurgeEvery time.Duration // how often expired refresh tokens are deleted

	// Settings without a variable: Load gives them the server's values; tests change them.
	AuthRatePerMin   int           // sign-in, registration and refresh per client address
	PublicRatePerMin int           // public catalog and register reads per client address
	PasswordCost     int           // bcrypt cost of new password hashes; 0: bcrypt's default
	ScanBuffer       int           // scan events buffered before they are dropped
	ScanFlushEvery   time.Duration // how often buffered scans are written
	ScanFoldEvery    time.Duration // how often written scans are folded into label counts (GIMARK_SCAN_FOLD_SEC)
	// RedisURL (GIMARK_REDIS_URL, redis://[:password@]host:port[/db]) shares rate limits, the
	// sign-in throttle and cache invalidations between instances; empty: each instance alone.
	RedisURL         string
	WebhookPollEvery time.Duration // how often the outbox is read for due webhook events; 0: no worker (tests drive it)

	// WebhookAllowPrivate accepts webhook endpoints on loopback and private networks (tests).
	WebhookAllowPrivate bool
	// WebhookRetryBase is the first webhook retry's delay; each next one doubles, up to 2 h.
	WebhookRetryBase time.Duration
	// ReportRatePerHour limits consumers' reports per client network an hour.
	ReportRatePerHour int
	// Rules are the signal rules' parameters (internal/signal's rule table).
	Rules RuleParams
}

// RuleParams are the parameters of the signal rules, each with its GIMARK_RULE_* variable.
type RuleParams struct {
	SpreadNetworks int           // spread: distinct client networks of one label…
	SpreadWindow   time.Duration // …within this window
	BurstScans     int           // burst: scans of one batch's labels from one network…
	BurstWindow    time.Duration // …within this window
	GuessCodes     int           // code guessing: distinct unknown codes from one network in an hour
	UnknownTries   int           // unknown code: tries of one never-issued code
}

// Production reports whether the strict checks apply.
func (c Config) Production() bool { return c.Env == "production" }

// MinSecretBytes is the shortest JWT secret production accepts.
const MinSecretBytes = 32

// Load reads GIMARK_* variables through getenv (os.Getenv in main, a map in tests). It
// collects every problem so an operator fixes them all at once.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	// secret reads NAME or the file named by NAME_FILE (for container secrets).
	secret := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if path := getenv(name + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		return ""
	}
	boolVar := func(name string) bool {
		switch v := strings.ToLower(get(name, "")); v {
		case "", "false", "0", "no":
			return false
		case "true", "1", "yes":
			return true
		default:
			errs = append(errs, fmt.Errorf("%s must be true or false, got %q", name, v))
			return false
		}
	}
	intVar := func(name string, def, min, max int) int {
		v := get(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			errs = append(errs, fmt.Errorf("%s must be an integer from %d to %d, got %q", name, min, max, v))
			return def
		}
		return n
	}

	foldSec := 60
	if get("GIMARK_DB_DRIVER", "sqlite") == "mysql" {
		foldSec = 10
	}
	c := Config{
		Addr:              get("GIMARK_ADDR", ":8080"),
		Env:               get("GIMARK_ENV", "development"),
		DBDriver:          get("GIMARK_DB_DRIVER", "sqlite"),
		DataDir:           get("GIMARK_DATA_DIR", "data"),
		JWTSecret:         []byte(secret("GIMARK_JWT_SECRET")),
		AdminUsername:     get("GIMARK_ADMIN_USERNAME", "admin"),
		AdminPassword:     secret("GIMARK_ADMIN_PASSWORD"),
		PublicBaseURL:     strings.TrimRight(get("GIMARK_PUBLIC_BASE_URL", "http://localhost:8080"), "/"),
		ScanWarnThreshold: intVar("GIMARK_SCAN_WARN_THRESHOLD", 20, 1, 1_000_000),
		VerifyRatePerMin:  intVar("GIMARK_VERIFY_RATE_PER_MIN", 120, 1, 1_000_000),
		MaxUploadBytes:    int64(intVar("GIMARK_MAX_UPLOAD_MB", 10, 1, 1024)) << 20,
		LogFormat:         get("GIMARK_LOG_FORMAT", "json"),
		LogLevel:          get("GIMARK_LOG_LEVEL", "info"),
		ShutdownTimeout:   time.Duration(intVar("GIMARK_SHUTDOWN_TIMEOUT_SEC", 30, 1, 3600)) * time.Second,
		PprofAddr:         get("GIMARK_PPROF_ADDR", ""),
		AllowHTTPBaseURL:  boolVar("GIMARK_ALLOW_HTTP_BASE_URL"),
		MetricsAddr:       get("GIMARK_METRICS_ADDR", ""),
		MetricsPublic:     boolVar("GIMARK_METRICS_PUBLIC"),
		TokenPurgeEvery:   time.Duration(intVar("GIMARK_TOKEN_PURGE_MIN", 60, 1, 7*24*60)) * time.Minute,
		AuthRatePerMin:    30,
		PublicRatePerMin:  600,
		// Scans are flushed every 200 ms; their counts are folded into labels every minute on
		// SQLite, every 10 s on MySQL, where another instance's scans show in an instance's
		// answers only once folded (each counts its own itself; signals lag by a fold too).
		ScanBuffer:     1 << 16,
		ScanFlushEvery: 200 * time.Millisecond,
		ScanFoldEvery:  time.Duration(intVar("GIMARK_SCAN_FOLD_SEC", foldSec, 1, 60)) * time.Second,
		RedisURL:       secret("GIMARK_REDIS_URL"),
		// Each instance reads the webhook outbox every 2 s (claims keep instances apart).
		WebhookPollEvery:    2 * time.Second,
		WebhookAllowPrivate: boolVar("GIMARK_WEBHOOK_ALLOW_PRIVATE"),
		ReportRatePerHour:   intVar("GIMARK_REPORT_RATE_PER_HOUR", 5, 1, 100_000),
		WebhookRetryBase:    time.Duration(intVar("GIMARK_WEBHOOK_RETRY_BASE_SEC", 30, 1, 3600)) * time.Second,
		Rules: RuleParams{
			SpreadNetworks: intVar("GIMARK_RULE_SPREAD_NETWORKS", 3, 2, 1000),
			SpreadWindow:   time.Duration(intVar("GIMARK_RULE_SPREAD_WINDOW_HOURS", 24, 1, 24*30)) * time.Hour,
			BurstScans:     intVar("GIMARK_RULE_BURST_SCANS", 50, 2, 1_000_000),
			BurstWindow:    time.Duration(intVar("GIMARK_RULE_BURST_WINDOW_MIN", 10, 1, 24*60)) * time.Minute,
			GuessCodes:     intVar("GIMARK_RULE_GUESS_CODES", 20, 2, 1_000_000),
			UnknownTries:   intVar("GIMARK_RULE_UNKNOWN_TRIES", 2, 1, 1_000_000),
		},
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("GIMARK_METRICS_ADDR must be host:port, got %q", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("GIMARK_METRICS_ADDR must differ from GIMARK_ADDR (%q); set GIMARK_METRICS_PUBLIC=true to serve /metrics there", c.Addr))
		}
	}
	// The profiler shows internals and costs CPU on demand: loopback only.
	if c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs = append(errs, fmt.Errorf("GIMARK_PPROF_ADDR must be a loopback host:port, got %q", c.PprofAddr))
		}
	}
	if v := get("GIMARK_TRUSTED_PROXIES", ""); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
		}
	}
	dsn := secret("GIMARK_DB_DSN")

	switch c.Env {
	case "development", "production":
	default:
		errs = append(errs, fmt.Errorf("GIMARK_ENV must be development or production, got %q", c.Env))
	}
	switch c.DBDriver {
	case "sqlite":
		if dsn == "" {
			dsn = "data/gimark.db"
		}
	case "mysql":
		if dsn == "" {
			errs = append(errs, errors.New("GIMARK_DB_DSN is required when GIMARK_DB_DRIVER=mysql"))
		}
	default:
		errs = append(errs, fmt.Errorf("GIMARK_DB_DRIVER must be sqlite or mysql, got %q", c.DBDriver))
	}
	c.DBDSN = dsn
	switch c.LogFormat {
	case "json", "text":
	default:
		errs = append(errs, fmt.Errorf("GIMARK_LOG_FORMAT must be json or text, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("GIMARK_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("GIMARK_PUBLIC_BASE_URL must be an http(s) URL without query, got %q", c.PublicBaseURL))
	} else if len(c.PublicBaseURL) > 200 {
		// Each label batch records it, and a long URL makes every QR code a larger symbol.
		errs = append(errs, fmt.Errorf("GIMARK_PUBLIC_BASE_URL must be at most 200 characters, got %d", len(c.PublicBaseURL)))
	}
	if len(c.JWTSecret) > 0 && len(c.JWTSecret) < MinSecretBytes {
		errs = append(errs, fmt.Errorf("GIMARK_JWT_SECRET must be at least %d bytes", MinSecretBytes))
	}
	if c.Production() {
		if len(c.JWTSecret) == 0 {
			errs = append(errs, fmt.Errorf("GIMARK_JWT_SECRET (at least %d bytes) is required when GIMARK_ENV=production", MinSecretBytes))
		}
		if c.AdminPassword != "" && len(c.AdminPassword) < 12 {
			errs = append(errs, errors.New("GIMARK_ADMIN_PASSWORD must be at least 12 characters in production"))
		}
		// Every QR code printed carries this URL: a label that points at localhost or an
		// office network is waste, and a printed label cannot be corrected.
		if strings.TrimSpace(getenv("GIMARK_PUBLIC_BASE_URL")) == "" {
			errs = append(errs, errors.New("GIMARK_PUBLIC_BASE_URL is required when GIMARK_ENV=production: it is printed in every label's QR code (e.g. https://gi.example.gov.cn)"))
		} else if err := checkPublicBaseURL(c.PublicBaseURL, c.AllowHTTPBaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// checkPublicBaseURL refuses, in production, a base URL that consumers' phones cannot reach:
// not https (unless allowHTTP), or a host that is loopback, private, link-local, unspecified
// or a name without a public domain (localhost, a single label, .local, .internal).
func checkPublicBaseURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil // reported by the general URL check
	}
	bad := func(why string) error {
		return fmt.Errorf("GIMARK_PUBLIC_BASE_URL %q %s in production: it is printed in every label's QR code", raw, why)
	}
	switch {
	case u.Scheme == "http" && !allowHTTP:
		return bad("must use https (set GIMARK_ALLOW_HTTP_BASE_URL=true to accept http)")
	case u.User != nil:
		return bad("must not carry a user or password")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip := net.ParseIP(host); ip != nil {
		switch {
		case ip.IsLoopback():
			return bad("points at a loopback address")
		case ip.IsPrivate():
			return bad("points at a private network address")
		case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
			return bad("points at a link-local address")
		case ip.IsUnspecified() || ip.IsMulticast():
			return bad("points at no reachable host")
		}
		return nil
	}
	switch {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return bad("points at localhost")
	case !strings.Contains(host, "."):
		return bad("needs a public domain name, not a single-label host")
	case strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".lan") || strings.HasSuffix(host, ".home.arpa"):
		return bad("points at a local network name")
	}
	return nil
}

// MetricsOnMain says whether /metrics is served on the public listener: in development unless
// it has its own (GIMARK_METRICS_ADDR); in production only when asked for
// (GIMARK_METRICS_PUBLIC=true), since the public port is what the internet reaches.
func (c Config) MetricsOnMain() bool {
	return c.MetricsPublic || c.MetricsAddr == "" && !c.Production()
}

// Masked returns the settings as log attributes with secrets hidden.
func (c Config) Masked() []any {
	return []any{
		"addr", c.Addr, "env", c.Env, "db_driver", c.DBDriver, "db_dsn", maskDSN(c.DBDSN),
		"data_dir", c.DataDir, "public_base_url", c.PublicBaseURL, "jwt_secret_set", len(c.JWTSecret) > 0,
		"scan_warn_threshold", c.ScanWarnThreshold, "verify_rate_per_min", c.VerifyRatePerMin,
		"max_upload_mb", c.MaxUploadBytes >> 20, "metrics_addr", c.MetricsAddr, "token_purge_every", c.TokenPurgeEvery.String(),
		"webhook_allow_private", c.WebhookAllowPrivate,
		"redis", maskRedis(c.RedisURL), "scan_fold_every", c.ScanFoldEvery.String(),
	}
}

// maskRedis hides a Redis URL's password ("" when unset).
func maskRedis(u string) string {
	p, err := url.Parse(u)
	if err != nil || u == "" {
		return ""
	}
	return p.Redacted()
}

// maskDSN hides a MySQL password ("user:secret@tcp(...)" → "user:***@tcp(...)").
func maskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	userinfo := dsn[:at]
	if colon := strings.Index(userinfo, ":"); colon >= 0 {
		return userinfo[:colon] + ":***" + dsn[at:]
	}
	return dsn
}
