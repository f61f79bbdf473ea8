// Package standards finds the shared GS1 reference data (test vectors, schemas) that tests
// read from ../shared/standards beside the repository: CI places shared/ next to the clone.
// Missing data fails a test under CI=true and skips it elsewhere, so a laptop without the
// folder still runs the rest while CI can never pass by not testing.
package standards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the shared standards folder, or ends the test when it is missing.
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			// ../shared/standards beside the clone; a worktree nested one level deeper finds
			// it one folder further up.
			for _, rel := range []string{"..", filepath.Join("..", "..")} {
				p := filepath.Join(d, rel, "shared", "standards")
				if _, err := os.Stat(filepath.Join(p, "README.md")); err == nil {
					return p
				}
			}
			missing(t, filepath.Join(d, "..", "shared", "standards"))
			return ""
		}
		if filepath.Dir(d) == d {
			missing(t, "../shared/standards")
			return ""
		}
	}
}

func missing(t testing.TB, p string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("the shared GS1 reference data is missing at %s (CI places shared/ beside the clone)", p)
	}
	t.Skipf("the shared GS1 reference data is missing at %s; CI fails here", p)
}

// File reads a file under the standards folder.
func File(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TSV reads a tab-separated vector file: comment lines (#) and the header are dropped; each
// row maps the header's column names to its fields. Not encoding/csv: fields contain '"'.
func TSV(t testing.TB, rel string) []map[string]string {
	t.Helper()
	var header []string
	var rows []map[string]string
	for _, line := range strings.Split(string(File(t, rel)), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if header == nil {
			header = f
			continue
		}
		if len(f) != len(header) {
			t.Fatalf("%s: row %q has %d fields, header %d", rel, f[0], len(f), len(header))
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = f[i]
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", rel)
	}
	return rows
}
