package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"gimark/internal/apitest"
	"gimark/model"
)

func refresh(e *apitest.Env, token string) *apitest.Response {
	return e.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": token})
}

// auditCount counts audit events of action on user id.
func auditCount(t *testing.T, e *apitest.Env, action string, userID int64, actor *int64) int64 {
	t.Helper()
	var n int64
	q := e.Store.DB().Model(&model.AuditEvent{}).Where("action = ? AND object_type = 'user' AND object_id = ?", action, userID)
	if actor == nil {
		q = q.Where("actor_id IS NULL")
	} else {
		q = q.Where("actor_id = ?", *actor)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestChangeOwnPassword: POST /me/password checks the current password, applies the
// registration rules, keeps the caller's session and ends the others, and is audited.
func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent")
		here := e.Login("ent", apitest.Password)  // the session that changes the password
		there := e.Login("ent", apitest.Password) // another device
		const next = "a-brand-new-password"

		for _, tc := range []struct {
			name  string
			body  any
			want  int
			field string
		}{
			{"422-wrong-current", map[string]string{"current_password": "not-the-password", "new_password": next}, 422, "current_password"},
			{"422-no-current", map[string]string{"new_password": next}, 422, "current_password"},
			{"422-short", map[string]string{"current_password": apitest.Password, "new_password": "short"}, 422, "new_password"},
			{"422-too-long", map[string]string{"current_password": apitest.Password, "new_password": string(make([]byte, 73))}, 422, "new_password"},
			{"422-same", map[string]string{"current_password": apitest.Password, "new_password": apitest.Password}, 422, "new_password"},
			{"400-unknown-field", map[string]string{"current_password": apitest.Password, "password": next}, 400, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := e.Post("/api/v1/me/password", here.AccessToken, tc.body).Problem(t, tc.want)
				if tc.field != "" && !p.HasField(tc.field) {
					t.Fatalf("problem %+v does not name %s", p, tc.field)
				}
			})
		}
		e.Post("/api/v1/me/password", "", map[string]string{"current_password": apitest.Password, "new_password": next}).Problem(t, 401)
		e.Login("ent", apitest.Password) // nothing changed yet

		r := e.Post("/api/v1/me/password", here.AccessToken, map[string]string{"current_password": apitest.Password, "new_password": next})
		if r.Code != http.StatusNoContent {
			t.Fatalf("change: %d %s", r.Code, r.Body)
		}
		refresh(e, there.RefreshToken).Problem(t, 401) // the other device is signed out
		if r := refresh(e, here.RefreshToken); r.Code != 200 {
			t.Fatalf("the changing session was ended: %d %s", r.Code, r.Body)
		}
		e.Post("/api/v1/auth/login", "", map[string]string{"username": "ent", "password": apitest.Password}).Problem(t, 401)
		e.Login("ent", next)
		if n := auditCount(t, e, "user.password_change", ent.UserID, &ent.UserID); n != 1 {
			t.Fatalf("%d audit events for the change", n)
		}
	})
}

// TestChangePasswordIsThrottled: wrong current passwords count towards the sign-in lock.
func TestChangePasswordIsThrottled(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent")
		wrong := map[string]string{"current_password": "guess-guess-guess", "new_password": "a-brand-new-password"}
		for range 5 {
			e.Post("/api/v1/me/password", ent.Token, wrong).Problem(t, 422)
		}
		if p := e.Post("/api/v1/me/password", ent.Token, wrong).Problem(t, 429); p.Code != "login_locked" {
			t.Fatalf("code %q", p.Code)
		}
	})
}

// TestAdminPasswordReset: an admin gives a user a one-time password; the user's sessions end;
// signing in with it says so, and every endpoint but /me, the password change and sign-out
// refuses with password_change_required until a new password is set.
func TestAdminPasswordReset(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent")
		rev := e.Reviewer("rev")
		old := e.Login("ent", apitest.Password)
		admin := e.Login("admin", apitest.AdminPassword)
		var adminID int64
		e.Store.DB().Model(&model.User{}).Select("id").Where("username = 'admin'").Scan(&adminID)
		path := fmt.Sprintf("/api/v1/users/%d/password-reset", ent.UserID)

		e.Post(path, ent.Token, nil).Problem(t, 403)
		e.Post(path, rev.Token, nil).Problem(t, 403)
		e.Post(path, "", nil).Problem(t, 401)
		e.Post("/api/v1/users/99999/password-reset", admin.AccessToken, nil).Problem(t, 404)
		if p := e.Post(fmt.Sprintf("/api/v1/users/%d/password-reset", adminID), admin.AccessToken, nil).Problem(t, 409); p.Code != "own_password" {
			t.Fatalf("own reset: %+v", p)
		}

		r := e.Post(path, admin.AccessToken, nil)
		var reset struct {
			UserID             int64  `json:"user_id"`
			OneTimePassword    string `json:"one_time_password"`
			MustChangePassword bool   `json:"must_change_password"`
		}
		r.JSON(t, &reset)
		if r.Code != 200 || reset.UserID != ent.UserID || len(reset.OneTimePassword) < 10 || !reset.MustChangePassword || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("reset: %d %s %v", r.Code, r.Body, r.Header)
		}
		refresh(e, old.RefreshToken).Problem(t, 401) // signed out everywhere
		e.Post("/api/v1/auth/login", "", map[string]string{"username": "ent", "password": apitest.Password}).Problem(t, 401)
		if n := auditCount(t, e, "user.password_reset", ent.UserID, &adminID); n != 1 {
			t.Fatalf("%d audit events for the reset", n)
		}

		otp := e.Login("ent", reset.OneTimePassword)
		if !otp.MustChangePassword {
			t.Fatal("sign-in with a one-time password does not say a change is required")
		}
		for _, p := range []string{"/api/v1/filings", "/api/v1/label-batches", fmt.Sprintf("/api/v1/enterprises/%d", ent.EnterpriseID), "/api/v1/reports/summary"} {
			if pr := e.Get(p, otp.AccessToken).Problem(t, 403); pr.Code != "password_change_required" {
				t.Fatalf("%s: %+v", p, pr)
			}
		}
		if pr := e.Post("/api/v1/filings", otp.AccessToken, map[string]any{"product_id": 1}).Problem(t, 403); pr.Code != "password_change_required" {
			t.Fatalf("create filing: %+v", pr)
		}
		var me struct {
			MustChangePassword bool `json:"must_change_password"`
		}
		e.Get("/api/v1/me", otp.AccessToken).JSON(t, &me)
		if !me.MustChangePassword {
			t.Fatal("/me does not say a change is required")
		}
		// A refreshed token still carries the mark until the password is changed.
		var again apitest.Tokens
		refresh(e, otp.RefreshToken).JSON(t, &again)
		if !again.MustChangePassword {
			t.Fatal("refresh dropped the mark")
		}
		e.Get("/api/v1/filings", again.AccessToken).Problem(t, 403)

		if r := e.Post("/api/v1/me/password", again.AccessToken, map[string]string{"current_password": reset.OneTimePassword, "new_password": "chosen-by-the-user"}); r.Code != 204 {
			t.Fatalf("change after reset: %d %s", r.Code, r.Body)
		}
		var fresh apitest.Tokens
		refresh(e, again.RefreshToken).JSON(t, &fresh)
		if fresh.MustChangePassword || fresh.AccessToken == "" {
			t.Fatalf("after the change: %+v", fresh)
		}
		if r := e.Get("/api/v1/filings", fresh.AccessToken); r.Code != 200 {
			t.Fatalf("after the change: %d %s", r.Code, r.Body)
		}
		e.Get("/api/v1/me", fresh.AccessToken).JSON(t, &me)
		if me.MustChangePassword {
			t.Fatal("/me still says a change is required")
		}
		if e.Login("ent", "chosen-by-the-user").MustChangePassword {
			t.Fatal("a normal sign-in says a change is required")
		}
	})
}
