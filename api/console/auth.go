package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// safeNext keeps a post-sign-in redirect inside the console (no open redirect).
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/console"
}

func (h *Console) LoginForm(c *gin.Context) error {
	if _, ok := principalOf(c); ok {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	v := h.newView(c, "登录", "login")
	v.Form["next"] = safeNext(c.Query("next"))
	if c.Query("out") == "1" {
		v.Notice = "您已安全退出。"
	}
	return h.render(c, http.StatusOK, "login.html", v)
}

// login signs in through account.Service.Login, so the throttle that guards the API's
// sign-in guards this form too.
func (h *Console) Login(c *gin.Context) error {
	v := h.newView(c, "登录", "login")
	username, password := c.PostForm("username"), c.PostForm("password")
	v.Form["username"] = username // the password is never sent back
	v.Form["next"] = safeNext(c.PostForm("next"))
	if strings.TrimSpace(username) == "" {
		v.Fields["username"] = "必填。"
	}
	if password == "" {
		v.Fields["password"] = "必填。"
	}
	if len(v.Fields) > 0 {
		v.Error = "请填写用户名和密码。"
		return h.render(c, http.StatusUnprocessableEntity, "login.html", v)
	}
	pair, err := h.Accounts.Login(c.Request.Context(), username, password, c.ClientIP())
	if err != nil {
		return refuse(err, "login.html", v, nil, nil)
	}
	h.sessions.start(c, pair)
	// A new session gets a new CSRF cookie: a value planted before sign-in is worthless.
	h.sessions.newCSRFCookie(c)
	c.Redirect(http.StatusSeeOther, v.Form["next"])
	return nil
}

// logout revokes the refresh family (account.Service.Logout) and drops the cookies.
func (h *Console) Logout(c *gin.Context) error {
	p, _ := principalOf(c)
	if rt, err := c.Cookie(cookieRefresh); err == nil && rt != "" {
		if err := h.Accounts.Logout(c.Request.Context(), p, rt); err != nil {
			h.log.Warn("console sign-out", "request_id", c.GetString("request_id"), "err", err.Error())
		}
	}
	h.sessions.clear(c)
	c.Redirect(http.StatusSeeOther, "/console/login?out=1")
	return nil
}
