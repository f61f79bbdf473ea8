package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: ":8080", Env: "development", DBDriver: "sqlite", DBDSN: "data/gimark.db", DataDir: "data",
		AdminUsername: "admin", PublicBaseURL: "http://localhost:8080", ScanWarnThreshold: 20, VerifyRatePerMin: 120,
		MaxUploadBytes: 10 << 20, LogFormat: "json", LogLevel: "info", ShutdownTimeout: 30 * time.Second,
		TokenPurgeEvery: time.Hour, AuthRatePerMin: 30, PublicRatePerMin: 600,
		ScanBuffer: 1 << 16, ScanFlushEvery: 200 * time.Millisecond, ScanFoldEvery: time.Minute,
		WebhookPollEvery: 2 * time.Second, WebhookRetryBase: 30 * time.Second, ReportRatePerHour: 5,
		Rules: RuleParams{SpreadNetworks: 3, SpreadWindow: 24 * time.Hour, BurstScans: 50, BurstWindow: 10 * time.Minute,
			GuessCodes: 20, UnknownTries: 2},
	}
	if diff := cmp.Diff(want, c, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("defaults differ from DESIGN.md (-want +got):\n%s", diff)
	}
	if c.Production() {
		t.Fatal("the default is production")
	}
}

// TestScanFoldDefaults: counts fold every minute on SQLite and every 10 s on MySQL, where
// another instance's scans show only once folded; either may be set up to a minute.
func TestScanFoldDefaults(t *testing.T) {
	t.Parallel()
	mysql := map[string]string{"GIMARK_DB_DRIVER": "mysql", "GIMARK_DB_DSN": "u@tcp(db)/g"}
	for _, tc := range []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, time.Minute},
		{mysql, 10 * time.Second},
		{map[string]string{"GIMARK_DB_DRIVER": "mysql", "GIMARK_DB_DSN": "u@tcp(db)/g", "GIMARK_SCAN_FOLD_SEC": "60"}, time.Minute},
		{map[string]string{"GIMARK_SCAN_FOLD_SEC": "5"}, 5 * time.Second},
	} {
		c, err := Load(env(tc.env))
		if err != nil || c.ScanFoldEvery != tc.want {
			t.Errorf("%v: fold every %v (%v), want %v", tc.env, c.ScanFoldEvery, err, tc.want)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 32)
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error, "" for success
	}{
		{"production-without-secret", map[string]string{"GIMARK_ENV": "production"}, "GIMARK_JWT_SECRET"},
		{"production-short-secret", map[string]string{"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": "short"}, "at least 32 bytes"},
		{"production-ok", map[string]string{"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": long, "GIMARK_PUBLIC_BASE_URL": "https://gi.example.gov.cn"}, ""},
		{"bad-env", map[string]string{"GIMARK_ENV": "prod"}, "GIMARK_ENV"},
		{"pprof-loopback", map[string]string{"GIMARK_PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{"pprof-public", map[string]string{"GIMARK_PPROF_ADDR": ":6060"}, "GIMARK_PPROF_ADDR"},
		{"pprof-other-host", map[string]string{"GIMARK_PPROF_ADDR": "10.0.0.1:6060"}, "GIMARK_PPROF_ADDR"},
		{"bad-driver", map[string]string{"GIMARK_DB_DRIVER": "postgres"}, "GIMARK_DB_DRIVER"},
		{"mysql-needs-dsn", map[string]string{"GIMARK_DB_DRIVER": "mysql"}, "GIMARK_DB_DSN"},
		{"bad-threshold", map[string]string{"GIMARK_SCAN_WARN_THRESHOLD": "lots"}, "GIMARK_SCAN_WARN_THRESHOLD"},
		{"bad-purge-interval", map[string]string{"GIMARK_TOKEN_PURGE_MIN": "0"}, "GIMARK_TOKEN_PURGE_MIN"},
		{"bad-url", map[string]string{"GIMARK_PUBLIC_BASE_URL": "ftp://x"}, "GIMARK_PUBLIC_BASE_URL"},
		{"url-too-long", map[string]string{"GIMARK_PUBLIC_BASE_URL": "https://gi.example.gov.cn/" + strings.Repeat("p", 200)}, "at most 200"},
		{"webhook-private-yes", map[string]string{"GIMARK_WEBHOOK_ALLOW_PRIVATE": "true"}, ""},
		{"webhook-private-bad", map[string]string{"GIMARK_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "GIMARK_WEBHOOK_ALLOW_PRIVATE"},
		{"spread-one-network", map[string]string{"GIMARK_RULE_SPREAD_NETWORKS": "1"}, "GIMARK_RULE_SPREAD_NETWORKS"},
		{"report-rate-zero", map[string]string{"GIMARK_REPORT_RATE_PER_HOUR": "0"}, "GIMARK_REPORT_RATE_PER_HOUR"},
		{"fold-over-a-minute", map[string]string{"GIMARK_DB_DRIVER": "mysql", "GIMARK_DB_DSN": "u@tcp(db)/g", "GIMARK_SCAN_FOLD_SEC": "61"}, "GIMARK_SCAN_FOLD_SEC"},
		{"all-errors-at-once", map[string]string{"GIMARK_ENV": "production", "GIMARK_DB_DRIVER": "pg"}, "GIMARK_DB_DRIVER"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
			if tc.name == "all-errors-at-once" && !strings.Contains(err.Error(), "GIMARK_JWT_SECRET") {
				t.Fatalf("errors are not all collected: %v", err)
			}
		})
	}
}

// TestProductionBaseURL: in production the base URL printed in every QR code must be set
// explicitly and reachable by a consumer's phone; every problem is reported at once.
func TestProductionBaseURL(t *testing.T) {
	t.Parallel()
	prod := func(kv ...string) map[string]string {
		m := map[string]string{"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": strings.Repeat("k", 32)}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error, "" for success
	}{
		{"unset", prod(), "GIMARK_PUBLIC_BASE_URL is required"},
		{"default-spelled-out", prod("GIMARK_PUBLIC_BASE_URL", "http://localhost:8080"), "https"},
		{"https-localhost", prod("GIMARK_PUBLIC_BASE_URL", "https://localhost"), "localhost"},
		{"http-refused", prod("GIMARK_PUBLIC_BASE_URL", "http://gi.example.gov.cn"), "GIMARK_ALLOW_HTTP_BASE_URL"},
		{"http-allowed", prod("GIMARK_PUBLIC_BASE_URL", "http://gi.example.gov.cn", "GIMARK_ALLOW_HTTP_BASE_URL", "true"), ""},
		{"allow-http-junk", prod("GIMARK_PUBLIC_BASE_URL", "https://gi.example.gov.cn", "GIMARK_ALLOW_HTTP_BASE_URL", "sure"), "GIMARK_ALLOW_HTTP_BASE_URL"},
		{"loopback-ip", prod("GIMARK_PUBLIC_BASE_URL", "https://127.0.0.1"), "loopback"},
		{"loopback-v6", prod("GIMARK_PUBLIC_BASE_URL", "https://[::1]:8443"), "loopback"},
		{"private-10", prod("GIMARK_PUBLIC_BASE_URL", "https://10.1.2.3"), "private"},
		{"private-192", prod("GIMARK_PUBLIC_BASE_URL", "https://192.168.1.10:8080"), "private"},
		{"private-fd", prod("GIMARK_PUBLIC_BASE_URL", "https://[fd00::1]"), "private"},
		{"link-local", prod("GIMARK_PUBLIC_BASE_URL", "https://169.254.10.1"), "link-local"},
		{"unspecified", prod("GIMARK_PUBLIC_BASE_URL", "https://0.0.0.0"), "no reachable host"},
		{"single-label", prod("GIMARK_PUBLIC_BASE_URL", "https://gimark"), "single-label"},
		{"dot-local", prod("GIMARK_PUBLIC_BASE_URL", "https://gimark.local"), "local network"},
		{"relative", prod("GIMARK_PUBLIC_BASE_URL", "gi.example.gov.cn"), "GIMARK_PUBLIC_BASE_URL"},
		{"public-ip", prod("GIMARK_PUBLIC_BASE_URL", "https://203.0.113.7"), ""},
		{"https-with-path", prod("GIMARK_PUBLIC_BASE_URL", "https://www.example.gov.cn/gi"), ""},
		{"development-default-ok", map[string]string{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if v := tc.env["GIMARK_ALLOW_HTTP_BASE_URL"]; v == "true" && !c.AllowHTTPBaseURL {
					t.Fatal("GIMARK_ALLOW_HTTP_BASE_URL not read")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	// Collected with the other problems, as every configuration error is.
	_, err := Load(env(map[string]string{"GIMARK_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "GIMARK_JWT_SECRET") || !strings.Contains(err.Error(), "GIMARK_PUBLIC_BASE_URL") {
		t.Fatalf("errors are not all collected: %v", err)
	}
}

func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"GIMARK_METRICS_ADDR": "127.0.0.1:9100"}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9100" {
		t.Fatalf("%v %q", err, c.MetricsAddr)
	}
	for _, bad := range []map[string]string{
		{"GIMARK_METRICS_ADDR": "9100"},
		{"GIMARK_METRICS_ADDR": ":8080"},
		{"GIMARK_METRICS_PUBLIC": "perhaps"},
	} {
		if _, err := Load(env(bad)); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}

func TestMaskedHidesSecrets(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"GIMARK_DB_DRIVER": "mysql", "GIMARK_DB_DSN": "gimark:hunter2@tcp(db:3306)/gimark", "GIMARK_JWT_SECRET": strings.Repeat("s", 40)}))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Masked() {
		if s, ok := v.(string); ok && (strings.Contains(s, "hunter2") || strings.Contains(s, "ssss")) {
			t.Fatalf("secret leaked in %q", s)
		}
	}
}
