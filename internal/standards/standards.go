// Package standards finds the shared GS1 reference data (test vectors, schemas) that tests
// read from ../shared/standards beside the repository: CI places shared/ next to the clone.
// Missing data fails a test under CI=true and skips it elsewhere, so a laptop without the
// folder still runs the rest while CI can never pass by not testing.
package standards

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
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

// Schema compiles a JSON Schema under the standards folder with
// github.com/santhosh-tekuri/jsonschema/v6; formats (uri, date-time) are asserted when
// formats is set (gimark's own documents), not for third-party fixtures that GS1 and
// openepcis validate without them. ecma selects an ECMA-262
// regular-expression engine (github.com/dlclark/regexp2) for schemas whose patterns Go's
// RE2 cannot compile, such as GS1's linkset schema (a look-ahead).
func Schema(t testing.TB, rel string, ecma, formats bool) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(File(t, rel)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if formats {
		c.AssertFormat()
	} else {
		// draft-07 schemas assert formats in this validator whatever the setting: make the
		// two the fixtures rely on annotations only, as Python's jsonschema does by default.
		for _, name := range []string{"uri", "date-time"} {
			c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
		}
	}
	if ecma {
		c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) {
			re, err := regexp2.Compile(s, regexp2.ECMAScript)
			if err != nil {
				return nil, err
			}
			return (*ecmaRegexp)(re), nil
		})
	}
	url := "file:///standards/" + rel
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// Validate checks a JSON document against a compiled schema.
func Validate(sch *jsonschema.Schema, body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }
