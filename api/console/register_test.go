package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

func registerForm(t *testing.T, username string) url.Values {
	b := apitest.RegisterBody(t, username)
	e := b["enterprise"].(map[string]any)
	v := url.Values{"username": {username}, "password": {apitest.Password}}
	for _, k := range []string{"uscc", "name", "legal_representative", "address", "region_code", "contact_phone"} {
		v.Set(k, e[k].(string))
	}
	return v
}

// TestConsoleSelfRegistration: an enterprise registers in the console under the API's rules
// (USCC check digit, region code, phone), with each error next to its field and what was
// typed kept (never the password), and is then signed in. The sign-in page links to it.
func TestConsoleSelfRegistration(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := newClient(t, e)
		c.get("/console/login").must(t, 200, `href="/console/register"`)
		c.get("/console/register").must(t, 200, "企业注册", `name="uscc"`)

		form := registerForm(t, "newco")
		good := form.Get("uscc")
		form.Set("uscc", good[:17]+map[bool]string{true: "1", false: "2"}[good[17] != '1']) // a wrong check character
		form.Set("region_code", "62042")
		form.Set("contact_phone", "call me")
		bad := c.submit("/console/register", "/console/register", form)
		bad.must(t, http.StatusUnprocessableEntity, "不是有效的统一社会信用代码", "须为六位行政区划代码", "须为电话号码",
			`value="62042"`, `value="newco"`, `value="`+form.Get("name")+`"`)
		if strings.Contains(bad.Body, apitest.Password) {
			t.Fatal("the password was sent back")
		}
		if r := e.Post("/api/v1/auth/login", "", map[string]string{"username": "newco", "password": apitest.Password}); r.Code != 401 {
			t.Fatalf("a refused registration left an account: %d", r.Code)
		}

		form = registerForm(t, "newco")
		ok := c.submit("/console/register", "/console/register", form)
		if ok.Code != http.StatusSeeOther || ok.Header.Get("Location") != "/console/filings?done=registered" || ok.cookie("gimark_at") == nil {
			t.Fatalf("register: %d %q %.500s", ok.Code, ok.Header.Get("Location"), ok.Body)
		}
		c.get("/console/filings?done=registered").must(t, 200, "注册成功", "newco</a> · 企业")

		// The same USCC or username again: the service's refusal next to the field.
		again := newClient(t, e)
		dup := registerForm(t, "otherco")
		dup.Set("uscc", form.Get("uscc"))
		again.submit("/console/register", "/console/register", dup).must(t, http.StatusConflict, `<span class="field-error">与现有记录重复。该统一社会信用代码已登记。</span>`, `value="otherco"`)
		again.submit("/console/register", "/console/register", registerForm(t, "newco")).must(t, http.StatusConflict, `<span class="field-error">与现有记录重复。该用户名已被使用。</span>`)
	})
}

// TestConsoleRegistrationIsRateLimited: the console's registration shares the limit of the
// API's public auth endpoints, and says so in Chinese.
func TestConsoleRegistrationIsRateLimited(t *testing.T) {
	apitest.EachWith(t, apitest.Options{AuthRatePerMin: 2}, func(t *testing.T, e *apitest.Env) {
		c := newClient(t, e)
		tok := c.token("/console/register")
		for i, want := range []int{422, 422, 429} {
			form := url.Values{"csrf_token": {tok}, "username": {"x"}}
			p := c.post("/console/register", form)
			if p.Code != want {
				t.Fatalf("attempt %d: %d, want %d: %.300s", i, p.Code, want, p.Body)
			}
			if want == 429 && !strings.Contains(p.Body, "请求过于频繁") {
				t.Fatalf("429 page: %.1000s", p.Body)
			}
		}
	})
}
