package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// same fails the test with a -want +got diff, naming every field that differs, when got is
// not want. want and got share a type, so a mismatch of types fails to compile.
func same[T any](t *testing.T, what string, want, got T, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

// fields picks keys out of a decoded JSON object, for comparing the members a test is about.
func fields(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}
