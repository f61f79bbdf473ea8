package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsPointDown enforces the layering of STYLE.md: model imports no project package;
// only main, internal/app (the one wiring) and the test harness import api and
// internal/store; the HTTP edge (api and the console under it) never touches gorm, the
// store or a database driver; storage uses model and leaf helpers only.
func TestImportsPointDown(t *testing.T) {
	t.Parallel()
	imports := map[string][]string{} // package dir → project-relative or external imports
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "data" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[dir] = append(imports[dir], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	harness := map[string]bool{"internal/apitest": true, "internal/testdb": true, "bench": true}
	// Leaves are small helpers that import no project package; any layer may use them.
	leaves := map[string]bool{"internal/jsonw": true}
	for dir, imps := range imports {
		for _, p := range imps {
			project := strings.HasPrefix(p, "gimark/")
			switch {
			case dir == "model" && project:
				t.Errorf("model imports %s; model must import no project package", p)
			case (dir == "api" || strings.HasPrefix(dir, "api/")) && (strings.HasPrefix(p, "gorm.io/") || p == "gimark/internal/store" ||
				strings.Contains(p, "sqlite") || strings.Contains(p, "go-sql-driver") || p == "database/sql"):
				t.Errorf("%s imports %s; the HTTP edge never touches storage directly", dir, p)
			case (p == "gimark/api" || p == "gimark/internal/store") && dir != "." && dir != "internal/app" && !harness[dir] && !strings.HasPrefix(dir, "bench"):
				t.Errorf("%s imports %s; only main and internal/app wire api and store", dir, p)
			case leaves[dir] && project:
				t.Errorf("%s imports %s; a leaf helper imports no project package", dir, p)
			case dir == "internal/store" && project && p != "gimark/model" && p != "gimark/migrations" && !leaves[strings.TrimPrefix(p, "gimark/")]:
				t.Errorf("internal/store imports %s; storage depends only on model (and leaf helpers)", p)
			}
		}
	}
	for _, dir := range []string{"model", "api", "api/console", "internal/store"} {
		if len(imports[dir]) == 0 {
			t.Fatalf("no imports found in %s: the test is not looking at the project", dir)
		}
	}
}
