package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/internal/apitest"
)

func TestConsoleSignInCookiesAndSignOut(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev1")
		c := newClient(t, e)

		p := c.get("/console/queue?status=submitted")
		if p.Code != http.StatusSeeOther || p.Header.Get("Location") != "/console/login?next=%2Fconsole%2Fqueue%3Fstatus%3Dsubmitted" {
			t.Fatalf("signed out: %d %q", p.Code, p.Header.Get("Location"))
		}
		login := c.get("/console/login")
		login.must(t, 200, `name="csrf_token"`)
		if ck := login.cookie("gimark_csrf"); ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("csrf cookie: %+v", ck)
		}

		// Wrong password: the form comes back with the username kept and the error shown.
		bad := c.login("REV1", "wrong-password-1")
		bad.must(t, http.StatusUnauthorized, `value="REV1"`, "用户名或密码错误")
		if strings.Contains(bad.Body, "wrong-password-1") {
			t.Fatal("the password was sent back")
		}

		ok := c.login(rev.Username, apitest.Password)
		if ok.Code != http.StatusSeeOther || ok.Header.Get("Location") != "/console" {
			t.Fatalf("login: %d %q %.300s", ok.Code, ok.Header.Get("Location"), ok.Body)
		}
		for _, name := range []string{"gimark_at", "gimark_rt", "gimark_csrf"} {
			ck := ok.cookie(name)
			if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/console" {
				t.Fatalf("cookie %s: %+v", name, ck)
			}
		}
		refresh := c.cookies["gimark_rt"].Value
		c.get("/console").must(t, http.StatusSeeOther)
		c.get("/console/queue").must(t, 200, "审核队列", "rev1")

		// Sign-out revokes the refresh family: the old token no longer refreshes.
		c.submit("/console/queue", "/console/logout", nil).must(t, http.StatusSeeOther)
		if _, err := e.Accounts.Refresh(t.Context(), refresh); err == nil {
			t.Fatal("refresh token still valid after sign-out")
		}
		if c.get("/console/queue").Code != http.StatusSeeOther {
			t.Fatal("still signed in after sign-out")
		}
	})
}

func TestConsoleSecureCookieOverTLS(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Reviewer("rev1")
		// Plain http with a forged X-Forwarded-Proto from an untrusted peer: not Secure.
		c := newClient(t, e)
		c.Header["X-Forwarded-Proto"] = "https"
		if ck := c.login("rev1", apitest.Password).cookie("gimark_at"); ck == nil || ck.Secure {
			t.Fatalf("untrusted X-Forwarded-Proto made the cookie Secure: %+v", ck)
		}
		// TLS: Secure.
		s := newClient(t, e)
		s.TLS = true
		if ck := s.login("rev1", apitest.Password).cookie("gimark_at"); ck == nil || !ck.Secure || !ck.HttpOnly {
			t.Fatalf("cookie over TLS: %+v", ck)
		}
	})
}

func TestConsoleRefreshesExpiredSession(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Reviewer("rev1")
		c := newClient(t, e)
		c.mustLogin("rev1", apitest.Password)
		e.Clock.Advance(20 * time.Minute) // the access token has expired

		// Two requests at once with the same spent refresh token: both stay signed in, and
		// the reuse detection is not tripped.
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl := newClient(t, e)
				for k, v := range c.cookies {
					cl.cookies[k] = v
				}
				codes[i] = cl.get("/console/queue").Code
			}()
		}
		wg.Wait()
		if codes[0] != 200 || codes[1] != 200 {
			t.Fatalf("concurrent refresh: %v", codes)
		}
		p := c.get("/console/queue")
		p.must(t, 200)
		if p.cookie("gimark_at") == nil || p.cookie("gimark_rt") == nil {
			t.Fatal("no rotated cookies")
		}
		c.get("/console/queue").must(t, 200)
	})
}

func TestConsoleLoginSharesTheThrottle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Reviewer("rev1")
		for range 3 { // failures through the API count for the console too
			r := e.Post("/api/v1/auth/login", "", map[string]string{"username": "rev1", "password": "nope-nope-nope"})
			if r.Code != 401 {
				t.Fatalf("api login: %d", r.Code)
			}
		}
		c := newClient(t, e)
		c.login("rev1", "nope-nope-nope").must(t, 401)
		c.login("rev1", "nope-nope-nope").must(t, 401)
		locked := c.login("rev1", apitest.Password)
		locked.must(t, http.StatusTooManyRequests, "登录失败次数过多", `value="rev1"`)
		if locked.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

// TestConsoleCSRF: a cross-site post is refused whatever it carries, and so is a post
// without the token, with another user's token, or with a token for the signed-out form.
func TestConsoleCSRF(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		rev := e.Reviewer("rev1")
		id := e.Draft(ent, e.Product("靖远枸杞"))
		e.Act(ent.Token, id, "submit", nil, 200)

		c := newClient(t, e)
		c.mustLogin(rev.Username, apitest.Password)
		path := fmt.Sprintf("/console/filings/%d", id)
		action := path + "/transition"
		good := c.token(path)

		cross := newClient(t, e)
		cross.cookies = c.cookies
		cross.Header["Origin"] = "https://evil.example"
		cross.post(action, url.Values{"csrf_token": {good}, "action": {"approve"}}).must(t, http.StatusForbidden, "请求被拒绝")

		site := newClient(t, e)
		site.cookies = c.cookies
		site.Header["Sec-Fetch-Site"] = "cross-site"
		site.post(action, url.Values{"csrf_token": {good}, "action": {"approve"}}).must(t, http.StatusForbidden)

		ref := newClient(t, e)
		ref.cookies = c.cookies
		ref.Header["Origin"] = ""
		ref.Header["Referer"] = "http://evil.example/form.html"
		ref.post(action, url.Values{"csrf_token": {good}, "action": {"approve"}}).must(t, http.StatusForbidden)

		// "Origin: null" (a sandboxed frame, a data: URL) is not this site either.
		null := newClient(t, e)
		null.cookies = c.cookies
		null.Header["Origin"] = "null"
		null.post(action, url.Values{"csrf_token": {good}, "action": {"approve"}}).must(t, http.StatusForbidden)

		c.post(action, url.Values{"action": {"approve"}}).must(t, http.StatusForbidden)
		c.post(action, url.Values{"csrf_token": {"forged"}, "action": {"approve"}}).must(t, http.StatusForbidden)

		// A token minted for someone else (here: the enterprise's session) does not work.
		other := newClient(t, e)
		other.mustLogin(ent.Username, apitest.Password)
		c.post(action, url.Values{"csrf_token": {other.token("/console/filings")}, "action": {"approve"}}).must(t, http.StatusForbidden)

		// The upload form checks the token in its first part.
		oc := newClient(t, e)
		oc.mustLogin(ent.Username, apitest.Password)
		draft := e.BareDraft(ent, e.Product("景泰枸杞"))
		oc.upload(draft, "", "other", "a.pdf", pdf).must(t, http.StatusForbidden)
		oc.upload(draft, "forged", "other", "a.pdf", pdf).must(t, http.StatusForbidden)

		var f struct{ Status string }
		e.Get(fmt.Sprintf("/api/v1/filings/%d", id), rev.Token).JSON(t, &f)
		if f.Status != "submitted" {
			t.Fatalf("a refused post changed the filing: %s", f.Status)
		}
		var docs struct{ Documents []any }
		e.Get(fmt.Sprintf("/api/v1/filings/%d", draft), ent.Token).JSON(t, &docs)
		if len(docs.Documents) != 0 {
			t.Fatal("a refused upload was stored")
		}
		// The same post from the console's own page works.
		c.post(action, url.Values{"csrf_token": {good}, "action": {"approve"}}).must(t, http.StatusSeeOther)
	})
}

// TestConsoleRefusesLikeTheAPI: the console calls the same service, so a rule the API
// enforces is refused the same way (same status) and explained next to the form.
func TestConsoleRefusesLikeTheAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		rev := e.Reviewer("rev1")
		draft := e.Draft(ent, e.Product("靖远枸杞"))
		c := newClient(t, e)
		c.mustLogin(rev.Username, apitest.Password)
		page := fmt.Sprintf("/console/filings/%d", draft)

		// Approving a draft: not a transition the state machine allows.
		api := e.Act(rev.Token, draft, "approve", nil, http.StatusConflict)
		var prob struct{ Code string }
		api.JSON(t, &prob)
		con := c.submit(page, page+"/transition", url.Values{"action": {"approve"}})
		if con.Code != api.Code || prob.Code != "invalid_transition" {
			t.Fatalf("console %d, api %d %s", con.Code, api.Code, prob.Code)
		}
		con.must(t, http.StatusConflict, "当前状态为「草稿」，不能「核准」")

		// Rejecting without a reason: refused with the field named, the typed quota kept.
		e.Act(ent.Token, draft, "submit", nil, 200)
		api = e.Act(rev.Token, draft, "reject", map[string]string{"reason": "  "}, http.StatusUnprocessableEntity)
		con = c.submit(page, page+"/transition", url.Values{"action": {"reject"}, "reason": {"  "}})
		if con.Code != api.Code {
			t.Fatalf("console %d, api %d", con.Code, api.Code)
		}
		con.must(t, http.StatusUnprocessableEntity, "请填写理由，企业会看到这段话")

		con = c.submit(page, page+"/transition", url.Values{"action": {"approve"}, "label_quota": {"0"}})
		con.must(t, http.StatusUnprocessableEntity, `name="label_quota" inputmode="numeric" value="0"`, "须为 1 到")

		// A filing of another enterprise does not exist for an enterprise, in both.
		other := e.Enterprise("ent2")
		oc := newClient(t, e)
		oc.mustLogin(other.Username, apitest.Password)
		if r := e.Get(fmt.Sprintf("/api/v1/filings/%d", draft), other.Token); r.Code != 404 {
			t.Fatalf("api: another enterprise's filing is %d", r.Code)
		}
		oc.get(page).must(t, http.StatusNotFound)
		// A reviewer action pressed by an enterprise: 403 as in the API.
		own := newClient(t, e)
		own.mustLogin(ent.Username, apitest.Password)
		e.Act(ent.Token, draft, "approve", nil, http.StatusForbidden)
		own.submit(page, page+"/transition", url.Values{"action": {"approve"}}).must(t, http.StatusForbidden)
	})
}

// TestConsoleEscapesUserContent: names typed by enterprises and admins are shown as text.
func TestConsoleEscapesUserContent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		hostile := `<script>alert("x")</script><img src=x onerror=alert(1)>`
		body := apitest.RegisterBody(t, "evil1")
		body["enterprise"].(map[string]any)["name"] = hostile + "公司"
		if r := e.Post("/api/v1/auth/register", "", body); r.Code != 201 {
			t.Fatalf("register: %d %s", r.Code, r.Body)
		}
		evil := apitest.Account{Username: "evil1", Token: e.Login("evil1", apitest.Password).AccessToken}
		rev := e.Reviewer("rev1")
		prod := e.Product(`枸杞"><b>粗体</b>`)
		id := e.Draft(evil, prod)
		e.Act(evil.Token, id, "submit", nil, 200)
		e.Act(rev.Token, id, "return", map[string]string{"reason": `请补充<iframe src="//evil">材料`}, 200)

		c := newClient(t, e)
		c.mustLogin(rev.Username, apitest.Password)
		for _, path := range []string{"/console/queue?status=returned", fmt.Sprintf("/console/filings/%d", id), "/console/enterprises", "/console/catalog"} {
			p := c.get(path)
			p.must(t, 200)
			for _, raw := range []string{"<script>alert", "<img src=x", "<b>粗体", "<iframe"} {
				if strings.Contains(p.Body, raw) {
					t.Fatalf("%s carries unescaped %q", path, raw)
				}
			}
		}
		c.get(fmt.Sprintf("/console/filings/%d", id)).must(t, 200, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;iframe")
		if p := c.get("/console/registry?q=" + url.QueryEscape("<script>")); strings.Contains(p.Body, "<script>") {
			t.Fatal("the registry search echoes markup")
		}
	})
}
