package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DBDriver != "sqlite" || c.DBDSN != "data/gimark.db" || c.DataDir != "data" ||
		c.ScanWarnThreshold != 20 || c.VerifyRatePerMin != 120 || c.MaxUploadMB != 10 ||
		c.PublicBaseURL != "http://localhost:8080" || c.AdminUsername != "admin" || c.Production() {
		t.Fatalf("defaults differ from DESIGN.md: %+v", c)
	}
}

func TestLoadRejects(t *testing.T) {
	long := strings.Repeat("k", 32)
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error, "" for success
	}{
		{"production-without-secret", map[string]string{"GIMARK_ENV": "production"}, "GIMARK_JWT_SECRET"},
		{"production-short-secret", map[string]string{"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": "short"}, "at least 32 bytes"},
		{"production-ok", map[string]string{"GIMARK_ENV": "production", "GIMARK_JWT_SECRET": long}, ""},
		{"bad-env", map[string]string{"GIMARK_ENV": "prod"}, "GIMARK_ENV"},
		{"pprof-loopback", map[string]string{"GIMARK_PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{"pprof-public", map[string]string{"GIMARK_PPROF_ADDR": ":6060"}, "GIMARK_PPROF_ADDR"},
		{"pprof-other-host", map[string]string{"GIMARK_PPROF_ADDR": "10.0.0.1:6060"}, "GIMARK_PPROF_ADDR"},
		{"bad-driver", map[string]string{"GIMARK_DB_DRIVER": "postgres"}, "GIMARK_DB_DRIVER"},
		{"mysql-needs-dsn", map[string]string{"GIMARK_DB_DRIVER": "mysql"}, "GIMARK_DB_DSN"},
		{"bad-threshold", map[string]string{"GIMARK_SCAN_WARN_THRESHOLD": "lots"}, "GIMARK_SCAN_WARN_THRESHOLD"},
		{"bad-url", map[string]string{"GIMARK_PUBLIC_BASE_URL": "ftp://x"}, "GIMARK_PUBLIC_BASE_URL"},
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

func TestMaskedHidesSecrets(t *testing.T) {
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
