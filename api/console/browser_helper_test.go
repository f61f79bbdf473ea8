package console_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// client is a minimal browser over the real router: it keeps cookies, sends forms the way a
// browser does (same-origin Origin header) and never follows redirects on its own.
type client struct {
	t       *testing.T
	e       *apitest.Env
	cookies map[string]*http.Cookie
	// Header is added to every request (e.g. a hostile Origin).
	Header map[string]string
	TLS    bool
}

func newClient(t *testing.T, e *apitest.Env) *client {
	return &client{t: t, e: e, cookies: map[string]*http.Cookie{}, Header: map[string]string{}}
}

type page struct {
	Code   int
	Header http.Header
	Body   string
	Set    []*http.Cookie
}

func (c *client) do(r *http.Request) *page {
	c.t.Helper()
	for _, ck := range c.cookies {
		r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	if c.TLS {
		r.TLS = &tls.ConnectionState{}
	}
	for k, v := range c.Header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.e.Handler.ServeHTTP(w, r)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return &page{Code: w.Code, Header: w.Header(), Body: w.Body.String(), Set: res.Cookies()}
}

func (c *client) get(path string) *page {
	c.t.Helper()
	return c.do(httptest.NewRequest("GET", path, nil))
}

// post sends a form with the page's CSRF token unless form already sets csrf_token.
func (c *client) post(path string, form url.Values) *page {
	c.t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(r)
}

var tokenRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token reads the CSRF token from a page the client may open.
func (c *client) token(path string) string {
	c.t.Helper()
	p := c.get(path)
	m := tokenRe.FindStringSubmatch(p.Body)
	if m == nil {
		c.t.Fatalf("no csrf token on %s (%d): %.300s", path, p.Code, p.Body)
	}
	return html.UnescapeString(m[1])
}

// submit opens from, reads its token and posts form to action.
func (c *client) submit(from, action string, form url.Values) *page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.token(from))
	return c.post(action, form)
}

func (c *client) login(username, password string) *page {
	c.t.Helper()
	return c.submit("/console/login", "/console/login", url.Values{"username": {username}, "password": {password}})
}

func (c *client) mustLogin(username, password string) {
	c.t.Helper()
	if p := c.login(username, password); p.Code != http.StatusSeeOther {
		c.t.Fatalf("console login %s: %d %.500s", username, p.Code, p.Body)
	}
}

// upload posts a multipart form: csrf_token, kind, file, in that order as a browser does.
func (c *client) upload(filingID int64, token, kind, filename string, content []byte) *page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token != "" {
		_ = mw.WriteField("csrf_token", token)
	}
	_ = mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	r := httptest.NewRequest("POST", fmt.Sprintf("/console/filings/%d/documents", filingID), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Origin", "http://example.com")
	return c.do(r)
}

func (p *page) must(t *testing.T, code int, contains ...string) {
	t.Helper()
	if p.Code != code {
		t.Fatalf("status %d, want %d: %.800s", p.Code, code, p.Body)
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q: %.1500s", s, p.Body)
		}
	}
}

func (p *page) cookie(name string) *http.Cookie {
	for _, c := range p.Set {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var pdf = append([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"), bytes.Repeat([]byte("x"), 2000)...)
