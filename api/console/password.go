package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// PasswordRoute is the page a sign-in with a one-time password is held on.
const PasswordRoute = "/console/password"

// mustChangeAllowed are the console paths a sign-in with a one-time password may open (as
// the API allows only /me, /me/password and sign-out).
var mustChangeAllowed = map[string]bool{PasswordRoute: true, "/console/logout": true, "/console/static/console.css": true}

// PasswordForm is every signed-in user's change-password page.
func (h *Console) PasswordForm(c *gin.Context) error {
	v := h.newView(c, "修改密码", "password")
	if c.Query("done") == "1" {
		v.Notice = "密码已修改。其他设备上的登录已退出。"
	} else if v.User.MustChangePassword {
		v.Error = messages["password_change_required"]
	}
	return h.render(c, http.StatusOK, "password.html", v)
}

// ChangePassword calls account.Service.ChangePassword (as POST /api/v1/me/password does): the
// current password is checked under the sign-in throttle, and the other sign-ins of the
// account end. This sign-in stays; its tokens are refreshed so that a one-time password's
// mark is gone from them.
func (h *Console) ChangePassword(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "修改密码", "password")
	err := h.Accounts.ChangePassword(c.Request.Context(), p, c.PostForm("current_password"), c.PostForm("new_password"), c.ClientIP())
	if err != nil {
		return refuse(err, "password.html", v, nil, nil) // passwords are never sent back
	}
	if rt, err := c.Cookie(cookieRefresh); err == nil && rt != "" {
		if pair, err := h.sessions.refresh(c.Request.Context(), rt); err == nil {
			h.sessions.start(c, pair)
		} else {
			h.log.Warn("console refresh after password change", "request_id", c.GetString("request_id"), "err", err.Error())
		}
	}
	c.Redirect(http.StatusSeeOther, PasswordRoute+"?done=1")
	return nil
}

// UsersPage is the admin's page for resetting another account's password.
func (h *Console) UsersPage(c *gin.Context) error {
	v := h.newView(c, "账号", "users")
	return h.render(c, http.StatusOK, "users.html", v)
}

type resetData struct {
	User     *model.User
	Password string
}

// ResetPassword gives the named account a one-time password (account.Service.ResetPassword,
// as POST /api/v1/users/{id}/password-reset): shown once, on this answer only, which no one
// caches (Headers sends no-store). The account must choose a new one at its next sign-in.
func (h *Console) ResetPassword(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "账号", "users")
	v.Form["username"] = strings.TrimSpace(c.PostForm("username"))
	u, err := h.Accounts.FindUser(c.Request.Context(), p, v.Form["username"])
	if err != nil {
		return refuse(err, "users.html", v, nil, nil)
	}
	pw, err := h.Accounts.ResetPassword(c.Request.Context(), p, u.ID)
	if err != nil {
		return &refusal{err: err, page: "users.html", v: v, field: "username"}
	}
	v.Data = resetData{User: u, Password: pw}
	v.Form["username"] = ""
	return h.render(c, http.StatusOK, "users.html", v)
}
