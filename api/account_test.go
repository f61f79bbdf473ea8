package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gimark/internal/apitest"
	"gimark/internal/auth"
	"gimark/model"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := apitest.RegisterBody(t, "goji-farm")
		r := e.Post("/api/v1/auth/register", "", body)
		if r.Code != http.StatusCreated {
			t.Fatalf("register-201: %d %s", r.Code, r.Body)
		}
		got := r.Map(t)
		user := got["user"].(map[string]any)
		ent := got["enterprise"].(map[string]any)
		same(t, "registered user", map[string]any{"role": "enterprise", "username": "goji-farm"}, fields(user, "role", "username"))
		same(t, "registered enterprise", body["enterprise"].(map[string]any)["uscc"], ent["uscc"])
		if strings.Contains(string(r.Body), `"password`) || strings.Contains(string(r.Body), "hash") || strings.Contains(string(r.Body), body["password"].(string)) {
			t.Fatalf("password material returned: %s", r.Body)
		}
		if user["enterprise_id"].(float64) != ent["id"].(float64) {
			t.Fatalf("user not bound to its enterprise: %s", r.Body)
		}

		withUSCC := func(code string) map[string]any {
			b := apitest.RegisterBody(t, fmt.Sprintf("u%d", len(code)+int(time.Now().UnixNano()%100000)))
			b["enterprise"].(map[string]any)["uscc"] = code
			return b
		}
		dupUser := apitest.RegisterBody(t, "goji-farm")
		dupUserUpper := apitest.RegisterBody(t, "GOJI-FARM")
		tests := []struct {
			name  string
			body  any
			want  int
			field string
		}{
			{"register-422-bad-check-char", withUSCC("914403001922038217"), 422, "enterprise.uscc"},
			{"register-422-bad-org-check", withUSCC("91350100M000100Y53"), 422, "enterprise.uscc"},
			{"register-409-uscc-taken", withUSCC(body["enterprise"].(map[string]any)["uscc"].(string)), 409, "enterprise.uscc"},
			{"register-409-username-taken", dupUser, 409, "username"},
			{"register-409-username-taken-other-case", dupUserUpper, 409, "username"},
			{"register-422-short-password", map[string]any{"username": "abc", "password": "short", "enterprise": body["enterprise"]}, 422, "password"},
			{"register-422-missing-enterprise", map[string]any{"username": "abcd", "password": apitest.Password}, 422, "enterprise.name"},
			{"register-422-bad-region", func() any {
				b := apitest.RegisterBody(t, "region")
				b["enterprise"].(map[string]any)["region_code"] = "62A"
				return b
			}(), 422, "enterprise.region_code"},
			{"register-422-control-chars", func() any {
				b := apitest.RegisterBody(t, "ctrl")
				b["enterprise"].(map[string]any)["name"] = "bad\x00name"
				return b
			}(), 422, "enterprise.name"},
			{"register-422-wrong-type", `{"username": 12, "password": "x", "enterprise": {}}`, 422, "username"},
			{"register-400-unknown-field", `{"username": "abcd", "password": "x", "enterprise": {}, "role": "admin"}`, 400, "role"},
			{"register-400-malformed", `{"username": `, 400, ""},
			{"register-400-two-values", `{} {}`, 400, ""},
			{"register-400-empty", ``, 400, ""},
			{"register-400-invalid-utf8", []byte("{\"username\": \"\xff\xfe\"}"), 400, ""},
			{"register-413-too-large", `{"username": "` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Post("/api/v1/auth/register", "", tc.body)
				p := r.Problem(t, tc.want)
				if tc.field != "" && !p.HasField(tc.field) {
					t.Fatalf("problem does not name %s: %s", tc.field, r.Body)
				}
			})
		}
		// Nothing half-written: the refused registrations left one enterprise and one user.
		var n int64
		e.Store.DB().Model(&model.Enterprise{}).Count(&n)
		if n != 1 {
			t.Fatalf("enterprises after refused registrations: %d, want 1", n)
		}
	})
}

func TestRegisterConcurrentSameUSCC(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		code := apitest.USCC(t)
		const n = 12
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				b := apitest.RegisterBody(t, fmt.Sprintf("racer%d", i))
				b["enterprise"].(map[string]any)["uscc"] = code
				codes[i] = e.Post("/api/v1/auth/register", "", b).Code
			}(i)
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			switch c {
			case 201:
				created++
			case 409:
			default:
				t.Fatalf("unexpected status %d (all: %v)", c, codes)
			}
		}
		if created != 1 {
			t.Fatalf("%d registrations of one USCC succeeded: %v", created, codes)
		}
	})
}

func TestConcurrentWritesNeverLock(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan string, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := e.Post("/api/v1/auth/register", "", apitest.RegisterBody(t, fmt.Sprintf("writer%d", i)))
				if r.Code != 201 {
					errs <- fmt.Sprintf("%d %s", r.Code, r.Body)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
	})
}

func TestLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a := e.Enterprise("shop")
		r := e.Post("/api/v1/auth/login", "", map[string]string{"username": "SHOP ", "password": apitest.Password})
		if r.Code != 200 {
			t.Fatalf("login-200 (case-insensitive username): %d %s", r.Code, r.Body)
		}
		var tk apitest.Tokens
		r.JSON(t, &tk)
		same(t, "token answer", apitest.Tokens{TokenType: "Bearer", ExpiresIn: 900}, tk, cmpopts.IgnoreFields(apitest.Tokens{}, "AccessToken", "RefreshToken"))
		if tk.AccessToken == "" || tk.RefreshToken == "" {
			t.Fatalf("token answer without tokens: %s", r.Body)
		}

		e.Post("/api/v1/auth/login", "", map[string]string{"username": "shop", "password": "wrong-password"}).Problem(t, 401)
		p := e.Post("/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "wrong-password"}).Problem(t, 401)
		if p.Code != "invalid_credentials" {
			t.Fatalf("code %q", p.Code)
		}

		// Refresh rotates: the new pair works, the old refresh token is spent.
		r = e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken})
		if r.Code != 200 {
			t.Fatalf("refresh-200: %d %s", r.Code, r.Body)
		}
		var tk2 apitest.Tokens
		r.JSON(t, &tk2)
		if tk2.RefreshToken == tk.RefreshToken {
			t.Fatal("refresh token not rotated")
		}
		if e.Get("/api/v1/me", tk2.AccessToken).Code != 200 {
			t.Fatal("new access token refused")
		}
		// Reuse of the spent token: 401, and the whole family (including tk2) is revoked.
		p = e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).Problem(t, 401)
		if p.Code != "token_reused" {
			t.Fatalf("code %q", p.Code)
		}
		e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk2.RefreshToken}).Problem(t, 401)
		e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": "garbage"}).Problem(t, 401)
		e.Post("/api/v1/auth/refresh", "", map[string]string{}).Problem(t, 401)

		// Logout revokes.
		tk3 := e.Login("shop", apitest.Password)
		if r := e.Post("/api/v1/auth/logout", tk3.AccessToken, map[string]string{"refresh_token": tk3.RefreshToken}); r.Code != 204 {
			t.Fatalf("logout-204: %d %s", r.Code, r.Body)
		}
		e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk3.RefreshToken}).Problem(t, 401)
		e.Post("/api/v1/auth/logout", "", map[string]string{"refresh_token": a.Refresh}).Problem(t, 401)

		// A user cannot log another user out.
		b := e.Enterprise("other")
		if r := e.Post("/api/v1/auth/logout", b.Token, map[string]string{"refresh_token": a.Refresh}); r.Code != 204 {
			t.Fatalf("logout: %d", r.Code)
		}
		if r := e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.Refresh}); r.Code != 200 {
			t.Fatalf("another user's logout revoked a's token: %d %s", r.Code, r.Body)
		}

		// Neither token ever reaches the log.
		if strings.Contains(e.Log.String(), tk.AccessToken) || strings.Contains(e.Log.String(), tk.RefreshToken) {
			t.Fatal("a token reached the log")
		}

		// Expired refresh token.
		tk4 := e.Login("shop", apitest.Password)
		e.Clock.Advance(auth.RefreshTTL + time.Minute)
		e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk4.RefreshToken}).Problem(t, 401)
	})
}

func TestRefreshConcurrentReuse(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Enterprise("twice")
		tk := e.Login("twice", apitest.Password)
		const n = 8
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).Code
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			if c == 200 {
				ok++
			} else if c != 401 {
				t.Fatalf("status %d", c)
			}
		}
		if ok > 1 {
			t.Fatalf("one refresh token was spent %d times: %v", ok, codes)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Enterprise("victim")
		bad := map[string]string{"username": "victim", "password": "guess-guess-guess"}
		for i := 0; i < 5; i++ {
			e.Post("/api/v1/auth/login", "", bad).Problem(t, 401)
		}
		r := e.Post("/api/v1/auth/login", "", map[string]string{"username": "victim", "password": apitest.Password})
		p := r.Problem(t, 429)
		if p.Code != "login_locked" {
			t.Fatalf("locked answer code %q, want login_locked", p.Code)
		}
		if r.Header.Get("Retry-After") == "" {
			t.Fatalf("locked answer without Retry-After: %v", r.Header)
		}
		e.Clock.Advance(16 * time.Minute)
		e.Login("victim", apitest.Password) // recovered

		// One address guessing across many usernames is locked too.
		for i := 0; i < 20; i++ {
			e.Post("/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("spray%d", i), "password": "guess-guess-guess"})
		}
		e.Post("/api/v1/auth/login", "", map[string]string{"username": "victim", "password": apitest.Password}).Problem(t, 429)
		// Another address is not affected.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"username": "victim", "password": apitest.Password}})
		_ = r
		e.Clock.Advance(16 * time.Minute)
		e.Login("victim", apitest.Password)
	})
}

func TestAuthEndpointsRateLimited(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{AuthRatePerMin: 3}, func(t *testing.T, e *apitest.Env) {
		for i := 0; i < 3; i++ {
			e.Post("/api/v1/auth/login", "", map[string]string{"username": "x", "password": "y"})
		}
		r := e.Post("/api/v1/auth/login", "", map[string]string{"username": "x", "password": "y"})
		r.Problem(t, 429)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		e.Clock.Advance(time.Minute)
		if c := e.Post("/api/v1/auth/login", "", map[string]string{"username": "x", "password": "y"}).Code; c != 401 {
			t.Fatalf("after a minute: %d, want 401", c)
		}
	})
}

func signed(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a := e.Enterprise("target")
		now := e.Clock.Now()
		valid := jwt.MapClaims{"sub": fmt.Sprint(a.UserID), "role": "enterprise", "eid": a.EnterpriseID, "name": "target",
			"iss": "gimark", "aud": "gimark-api", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		with := func(k string, v any) jwt.MapClaims {
			c := jwt.MapClaims{}
			for kk, vv := range valid {
				c[kk] = vv
			}
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		// Sanity: our forged-but-correctly-signed token is accepted, so the refusals below
		// are about the attack, not the harness.
		if r := e.Get("/api/v1/me", signed(t, jwt.SigningMethodHS256, e.Secret, valid)); r.Code != 200 {
			t.Fatalf("control token refused: %d %s", r.Code, r.Body)
		}
		parts := strings.Split(a.Token, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		claims["role"] = "admin"
		tampered, _ := json.Marshal(claims)
		roleTampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tampered) + "." + parts[2]
		noneToken := signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, with("role", "admin"))

		tests := []struct{ name, token string }{
			{"me-401-none-alg", noneToken},
			{"me-401-none-alg-stripped", strings.TrimSuffix(noneToken, ".")},
			{"me-401-wrong-key", signed(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 48)), valid)},
			{"me-401-hs512", signed(t, jwt.SigningMethodHS512, e.Secret, valid)},
			{"me-401-role-tampered", roleTampered},
			{"me-401-signature-cut", parts[0] + "." + parts[1] + "."},
			{"me-401-expired", signed(t, jwt.SigningMethodHS256, e.Secret, with("exp", now.Add(-time.Second).Unix()))},
			{"me-401-no-exp", signed(t, jwt.SigningMethodHS256, e.Secret, with("exp", nil))},
			{"me-401-wrong-issuer", signed(t, jwt.SigningMethodHS256, e.Secret, with("iss", "evil"))},
			{"me-401-wrong-audience", signed(t, jwt.SigningMethodHS256, e.Secret, with("aud", "other"))},
			{"me-401-unknown-role", signed(t, jwt.SigningMethodHS256, e.Secret, with("role", "root"))},
			{"me-401-enterprise-without-eid", signed(t, jwt.SigningMethodHS256, e.Secret, with("eid", nil))},
			{"me-401-garbage", "not.a.token"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.Get("/api/v1/me", tc.token).Problem(t, 401)
			})
		}
		e.Get("/api/v1/me", "").Problem(t, 401)
		if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}}); r.Code != 401 {
			t.Fatalf("basic auth: %d", r.Code)
		}
		// A real token expires after 15 minutes.
		e.Clock.Advance(16 * time.Minute)
		p := e.Get("/api/v1/me", a.Token).Problem(t, 401)
		if p.Code != "token_expired" {
			t.Fatalf("code %q", p.Code)
		}
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a := e.Enterprise("me-ent")
		m := e.Get("/api/v1/me", a.Token).Map(t)
		same(t, "me", map[string]any{"username": "me-ent", "role": "enterprise", "enterprise_id": float64(a.EnterpriseID), "id": float64(a.UserID)},
			fields(m, "username", "role", "enterprise_id", "id"))
		m = e.Get("/api/v1/me", e.AdminToken()).Map(t)
		same(t, "admin me", map[string]any{"role": "admin", "enterprise_id": nil}, fields(m, "role", "enterprise_id"))
	})
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.AdminToken()
		rev := e.Reviewer("rev1")
		ent := e.Enterprise("ent1")
		ok := map[string]any{"username": "rev2", "password": apitest.Password, "role": "reviewer"}
		tests := []struct {
			name  string
			token string
			body  any
			want  int
			field string
		}{
			{"create-201-reviewer", admin, ok, 201, ""},
			{"create-201-admin", admin, map[string]any{"username": "admin2", "password": apitest.Password, "role": "admin"}, 201, ""},
			{"create-409-taken", admin, ok, 409, "username"},
			{"create-422-enterprise-role", admin, map[string]any{"username": "x-ent", "password": apitest.Password, "role": "enterprise"}, 422, "role"},
			{"create-422-unknown-role", admin, map[string]any{"username": "x-root", "password": apitest.Password, "role": "root"}, 422, "role"},
			{"create-422-short-password", admin, map[string]any{"username": "x-short", "password": "123", "role": "reviewer"}, 422, "password"},
			{"create-422-long-password", admin, map[string]any{"username": "x-long", "password": strings.Repeat("p", 73), "role": "reviewer"}, 422, "password"},
			{"create-422-bad-username", admin, map[string]any{"username": "a b", "password": apitest.Password, "role": "reviewer"}, 422, "username"},
			{"create-403-reviewer", rev.Token, ok, 403, ""},
			{"create-403-enterprise", ent.Token, ok, 403, ""},
			{"create-401-anonymous", "", ok, 401, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Post("/api/v1/users", tc.token, tc.body)
				if tc.want == 201 {
					if r.Code != 201 || strings.Contains(string(r.Body), `"password`) || strings.Contains(string(r.Body), "hash") || strings.Contains(string(r.Body), apitest.Password) {
						t.Fatalf("%d %s", r.Code, r.Body)
					}
					return
				}
				p := r.Problem(t, tc.want)
				if tc.field != "" && !p.HasField(tc.field) {
					t.Fatalf("problem does not name %s: %s", tc.field, r.Body)
				}
			})
		}
		e.Login("rev2", apitest.Password)
		if strings.Contains(e.Log.String(), apitest.Password) || strings.Contains(e.Log.String(), apitest.AdminPassword) {
			t.Fatal("a password reached the log")
		}
	})
}
