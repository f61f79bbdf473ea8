package api_test

import (
	"net/http"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// TestConsumerNearMissesGetTheChinesePage: a damaged link under /v/ is a phone user's page,
// never problem+json. Redirects are followed as a browser would.
func TestConsumerNearMissesGetTheChinesePage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		get := func(path string) *apitest.Response {
			t.Helper()
			r := e.Get(path, "")
			for i := 0; i < 3 && r.Code >= 300 && r.Code < 400; i++ {
				r = e.Get(r.Header.Get("Location"), "")
			}
			return r
		}
		for path, want := range map[string]string{
			"/v":                                    "请输入标签上的编码",
			"/v/":                                   "请输入标签上的编码",
			"/V/":                                   "请输入标签上的编码",
			"/v?code=":                              "请输入标签上的编码",
			"/v/ABCD-EFGH/extra":                    "请核对编码",
			"/v/ABCD/extra/more":                    "请核对编码",
			"/V/ABCD/extra":                         "请核对编码",
			"/v/ABCD-EFGH/":                         "请核对编码",
			"/v/%FF%FE%00":                          "请核对编码",
			"/v/%2F%2F":                             "请输入标签上的编码",
			"/v/%3Cscript%3E/x":                     "请核对编码",
			"/v/" + strings.Repeat("Z", 300) + "/x": "请核对编码",
		} {
			r := get(path)
			body := string(r.Body)
			if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, want) {
				t.Errorf("%s: %d %q, want the Chinese page with %q: %.300s", path, r.Code, r.Header.Get("Content-Type"), want, body)
				continue
			}
			if !strings.Contains(body, `<form method="get" action="/v">`) {
				t.Errorf("%s: no entry form", path)
			}
			if strings.Contains(body, `value="-"`) || strings.Contains(body, "<script>") {
				t.Errorf("%s: a pre-filled - or a script: %.500s", path, body)
			}
		}
		// Everything else still answers a machine with problem+json.
		e.Get("/api/v1/nothing-here", "").Problem(t, http.StatusNotFound)
		e.Get("/vx/ABCD", "").Problem(t, http.StatusNotFound)
	})
}

// TestLandingPage: the bare address is a small Chinese page of links, not a JSON 404.
func TestLandingPage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := e.Get("/", "")
		body := string(r.Body)
		if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("/: %d %q", r.Code, r.Header.Get("Content-Type"))
		}
		for _, link := range []string{`href="/console"`, `href="/console/registry"`, `href="/docs"`, `href="/v"`} {
			if !strings.Contains(body, link) {
				t.Errorf("no link %s on the landing page", link)
			}
		}
	})
}
