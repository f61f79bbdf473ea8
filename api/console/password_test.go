package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gimark/internal/apitest"
)

// TestConsolePasswordChangeAndReset: every user changes their own password in the console
// (account.Service.ChangePassword, field errors next to the fields); an admin resets another
// user's password and sees the one-time password once; a sign-in with it is held on the
// change-password page for every console page until it is changed.
func TestConsolePasswordChangeAndReset(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		ec.get("/console/filings").must(t, 200, `href="/console/password"`)
		ec.get("/console/password").must(t, 200, "修改密码", `name="current_password"`, `name="new_password"`)

		change := func(c *client, current, next string) *page {
			return c.submit("/console/password", "/console/password", url.Values{"current_password": {current}, "new_password": {next}})
		}
		bad := change(ec, "not-my-password", "a-brand-new-password")
		bad.must(t, http.StatusUnprocessableEntity, "当前密码不正确")
		if regexp.MustCompile(`not-my-password|a-brand-new-password`).MatchString(bad.Body) {
			t.Fatal("a password was sent back")
		}
		change(ec, apitest.Password, "short").must(t, http.StatusUnprocessableEntity, "至少 10 个字符")
		change(ec, apitest.Password, apitest.Password).must(t, http.StatusUnprocessableEntity, "新密码不能与当前密码相同")
		ok := change(ec, apitest.Password, "a-brand-new-password")
		if ok.Code != http.StatusSeeOther || ok.Header.Get("Location") != "/console/password?done=1" {
			t.Fatalf("change: %d %q %.300s", ok.Code, ok.Header.Get("Location"), ok.Body)
		}
		ec.get("/console/password?done=1").must(t, 200, "密码已修改")
		ec.get("/console/filings").must(t, 200, "我的申请") // this sign-in stays
		newClient(t, e).login(ent.Username, apitest.Password).must(t, http.StatusUnauthorized)
		newClient(t, e).mustLogin(ent.Username, "a-brand-new-password")

		// The admin's reset.
		ac := newClient(t, e)
		ac.mustLogin("admin", apitest.AdminPassword)
		ac.get("/console/users").must(t, 200, "重置密码")
		ec.get("/console/users").must(t, http.StatusForbidden)
		ac.submit("/console/users", "/console/users/password-reset", url.Values{"username": {"nobody"}}).
			must(t, http.StatusUnprocessableEntity, "没有这个用户名的账号", `value="nobody"`)
		ac.submit("/console/users", "/console/users/password-reset", url.Values{"username": {"admin"}}).
			must(t, http.StatusConflict, "请在“修改密码”中修改自己的密码")
		reset := ac.submit("/console/users", "/console/users/password-reset", url.Values{"username": {" ENT1 "}})
		reset.must(t, 200, "一次性密码", "只显示这一次")
		m := regexp.MustCompile(`class="mono big">([^<]+)<`).FindStringSubmatch(reset.Body)
		if m == nil {
			t.Fatalf("no one-time password shown: %.1500s", reset.Body)
		}
		otp := html.UnescapeString(m[1])
		if reset.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the one-time password may be cached: %q", reset.Header.Get("Cache-Control"))
		}
		if p := ac.get("/console/users"); regexp.MustCompile(regexp.QuoteMeta(otp)).MatchString(p.Body) {
			t.Fatal("the one-time password is shown again")
		}

		// Signed in with the one-time password: every page leads to the change-password page.
		oc := newClient(t, e)
		oc.mustLogin(ent.Username, otp)
		for _, path := range []string{"/console", "/console/filings", "/console/report", "/console/catalog"} {
			p := oc.get(path)
			if p.Code != http.StatusSeeOther || p.Header.Get("Location") != "/console/password" {
				t.Fatalf("%s with a one-time password: %d %q", path, p.Code, p.Header.Get("Location"))
			}
		}
		oc.get("/console/password").must(t, 200, "请先修改一次性密码")
		if p := oc.submit("/console/password", "/console/filings", url.Values{"product_id": {"1"}}); p.Code != http.StatusSeeOther || p.Header.Get("Location") != "/console/password" {
			t.Fatalf("a form post with a one-time password: %d %q", p.Code, p.Header.Get("Location"))
		}
		change(oc, otp, "my-own-password-2").must(t, http.StatusSeeOther)
		oc.get("/console/filings").must(t, 200, "我的申请")
	})
}
