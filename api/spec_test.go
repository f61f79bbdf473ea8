package api_test

import (
	"strings"
	"testing"

	"gimark/api"
	"gimark/internal/apitest"
)

// TestEveryRouteIsInTheContract walks the router and fails for a route api/openapi.yaml does
// not describe, and for a documented operation the router does not serve.
func TestEveryRouteIsInTheContract(t *testing.T) {
	t.Parallel()
	spec, err := api.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(t.Context()); err != nil {
		t.Fatalf("api/openapi.yaml is not valid OpenAPI: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range spec.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		served := map[string]bool{}
		for _, r := range e.Routes() {
			if strings.HasPrefix(r.Path, "/console") {
				continue // the browser console is HTML for people, tested on its own, not API
			}
			key := r.Method + " " + ginToOpenAPI(r.Path)
			served[key] = true
			if !documented[key] {
				t.Errorf("%s is served but not in api/openapi.yaml", key)
			}
		}
		for key := range documented {
			if !served[key] {
				t.Errorf("%s is in api/openapi.yaml but not served", key)
			}
		}
		r := e.Get("/docs", "")
		if r.Code != 200 || !strings.Contains(string(r.Body), "/api/v1/filings/{id}/approve") {
			t.Fatalf("/docs: %d", r.Code)
		}
		if r := e.Get("/openapi.yaml", ""); r.Code != 200 || !strings.HasPrefix(string(r.Body), "openapi: 3.1") {
			t.Fatalf("/openapi.yaml: %d", r.Code)
		}
	})
}

// ginToOpenAPI turns /filings/:id into /filings/{id}.
func ginToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
