package console_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// isPage fails unless p is a console HTML page with status code and every text in want;
// no console answer is ever JSON.
func isPage(t *testing.T, what string, p *page, code int, want ...string) {
	t.Helper()
	if p.Code != code || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		i := strings.Index(p.Body, "<main>")
		t.Fatalf("%s: %d %q, want the %d page: %.1500s", what, p.Code, p.Header.Get("Content-Type"), code, p.Body[max(i, 0):])
	}
	for _, w := range want {
		if !strings.Contains(p.Body, w) {
			t.Fatalf("%s: the page lacks %q: %.1500s", what, w, p.Body)
		}
	}
	for _, m := range errorText.FindAllStringSubmatch(p.Body, -1) {
		if english.MatchString(m[1]) {
			t.Fatalf("%s: English in the error %q", what, m[1])
		}
	}
}

var (
	errorText = regexp.MustCompile(`class="(?:error|field-error)"[^>]*>([^<]*)<`)
	english   = regexp.MustCompile(`[A-Za-z]{2,} [A-Za-z]{2,}`)
)

// TestConsoleRefusalsArePages: every refusal on a console path is the console's page with
// the Chinese words, next to the field where there is one: unknown pages (404), a wrong
// method, another role's page (403), an upload over the limit (413, from the body-size
// middleware or while reading), a file of the wrong type (415), and sign-in throttling
// (429, with the wait in Chinese only).
func TestConsoleRefusalsArePages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		draft := e.Draft(ent, e.Product("靖远枸杞"))
		c := newClient(t, e)
		c.mustLogin(ent.Username, apitest.Password)

		isPage(t, "unknown page", c.get("/console/nothing-here"), http.StatusNotFound, "找不到该页面或对象")
		isPage(t, "unknown page, signed out", newClient(t, e).get("/console/x/y"), http.StatusNotFound, "找不到该页面或对象")
		isPage(t, "wrong method", c.do(httptest.NewRequest("DELETE", "/console/login", nil)), http.StatusBadRequest, "请求无法识别")
		isPage(t, "another role's page", c.get("/console/queue"), http.StatusForbidden, "您无权进行此操作")

		// A document over the limit (1 MiB here): refused by the body-size check before a
		// byte is read would be JSON; the console's form reads up to the limit and says so
		// next to the file field of the filing page.
		fpage := fmt.Sprintf("/console/filings/%d", draft)
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 2<<20)...)
		p := c.upload(draft, c.token(fpage), "business_license", "big.pdf", big)
		isPage(t, "document over the limit", p, http.StatusRequestEntityTooLarge, "文件超过上传大小限制", `<form class="upload"`)
		if !strings.Contains(p.Body, `<span class="field-error">文件超过上传大小限制`) {
			t.Fatalf("the 413 is not next to the file field: %.3000s", p.Body)
		}
		p = c.upload(draft, c.token(fpage), "business_license", "notes.txt", []byte("plain text, not a document"))
		isPage(t, "a file of the wrong type", p, http.StatusUnsupportedMediaType, `<span class="field-error">只接受 PDF、JPEG 或 PNG 文件`)

		// A sales CSV over 1 MiB: the sales page, the words next to the file field.
		csv := "product_id,period,channel,platform,country,amount_cny,quantity_kg\n" + strings.Repeat("1,2020-01,offline,,"+strings.Repeat("X", 600)+",1.00,1\n", 2000)
		isPage(t, "sales CSV over the limit", c.uploadCSV(c.token("/console/sales"), csv), http.StatusRequestEntityTooLarge,
			`<span class="field-error">文件太大。`, "用 CSV 文件批量填报")

		// Any other form over the body limit: the error page, not problem+json.
		form := url.Values{"csrf_token": {c.token("/console/filings/new")}, "production_address": {strings.Repeat("x", 2<<20)}}
		isPage(t, "a form over the body limit", c.post("/console/filings", form), http.StatusRequestEntityTooLarge, "超过")
	})
	// Sign-in: throttled per address (3 a minute here), then the wait in Chinese only.
	apitest.EachWith(t, apitest.Options{AuthRatePerMin: 3}, func(t *testing.T, e *apitest.Env) {
		s := newClient(t, e)
		var last *page
		for range 4 {
			last = s.login("nobody", "wrong-password-1")
		}
		isPage(t, "sign-in rate limit", last, http.StatusTooManyRequests, "请求过于频繁，请 ", " 秒后再试。")
		if last.Header.Get("Retry-After") == "" || strings.Contains(last.Body, "too many") {
			t.Fatalf("429: Retry-After %q, English on the page: %.1500s", last.Header.Get("Retry-After"), last.Body)
		}
	})
}

// TestConsoleLockoutSaysHowLongInChinese: the account lockout says how many minutes to
// wait, with no English after it.
func TestConsoleLockoutSaysHowLongInChinese(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Reviewer("rev1")
		c := newClient(t, e)
		var p *page
		for range 6 {
			p = c.login("rev1", "nope-nope-nope")
		}
		isPage(t, "lockout", p, http.StatusTooManyRequests, "登录失败次数过多，请 15 分钟后再试。", `value="rev1"`)
		if strings.Contains(p.Body, "（") || strings.Contains(p.Body, "try again") {
			t.Fatalf("English on the lockout page: %.1500s", p.Body)
		}
	})
}
