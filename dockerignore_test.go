package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestDockerignore reads .dockerignore with Docker's own matcher: the local database,
// documents, the repository history and secrets never reach the build context, and every
// file the image's `go build` needs (Go sources, go.mod, go.sum, embedded assets and
// migrations) still does.
func TestDockerignore(t *testing.T) {
	t.Parallel()
	f, err := os.Open(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	m, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"data", "data/gimark.db", "data/jwt.secret", "data/documents/ab/abcdef",
		".git", ".git/config", "gimark.db", "gimark.db-wal", "jwt.secret", "bench/data/x.db",
		".env", ".env.production", "tls.key", "server.pem", "secrets/admin_password",
	} {
		if ok, err := m.MatchesOrParentMatches(p); err != nil || !ok {
			t.Errorf("%s would be sent to the Docker build (%v)", p, err)
		}
	}
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && (d.Name() == ".git" || strings.HasPrefix(p, "data")) {
				return filepath.SkipDir
			}
			return err
		}
		needed := strings.HasSuffix(p, ".go") || p == "go.mod" || p == "go.sum" ||
			strings.HasPrefix(p, "assets/") || strings.HasPrefix(p, "migrations/") || strings.HasPrefix(p, "api/openapi.yaml")
		if !needed {
			return nil
		}
		if ok, err := m.MatchesOrParentMatches(p); err != nil || ok {
			t.Errorf("%s is needed by the image's build but .dockerignore drops it", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
