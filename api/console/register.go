package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/internal/account"
	"gimark/model"
)

// registerFields are the registration form's fields, in the order the page shows them.
var registerFields = []string{"username", "password", "uscc", "name", "legal_representative", "address", "region_code", "contact_phone"}

// registerFieldMap names the service's fields (enterprise.uscc…) by the form's.
var registerFieldMap = map[string]string{"enterprise.uscc": "uscc", "enterprise.name": "name",
	"enterprise.legal_representative": "legal_representative", "enterprise.address": "address",
	"enterprise.region_code": "region_code", "enterprise.contact_phone": "contact_phone"}

// RegisterForm is an enterprise's self-registration page.
func (h *Console) RegisterForm(c *gin.Context) error {
	if _, ok := principalOf(c); ok {
		c.Redirect(http.StatusSeeOther, "/console")
		return nil
	}
	return h.render(c, http.StatusOK, "register.html", h.newView(c, "企业注册", "register"))
}

// Register registers an enterprise and its first account through account.Service.Register
// (the USCC check digit, the region code, the phone: the rules of POST /api/v1/auth/register;
// the router puts the same rate limit on both), then signs the new account in.
func (h *Console) Register(c *gin.Context) error {
	v := h.newView(c, "企业注册", "register")
	for _, k := range registerFields {
		if k != "password" { // never sent back
			v.Form[k] = strings.TrimSpace(c.PostForm(k))
		}
	}
	password := c.PostForm("password")
	_, _, err := h.Accounts.Register(c.Request.Context(), account.RegisterInput{
		Username: v.Form["username"], Password: password, USCC: v.Form["uscc"],
		Enterprise: model.EnterpriseInput{Name: v.Form["name"], LegalRepresentative: v.Form["legal_representative"],
			Address: v.Form["address"], RegionCode: v.Form["region_code"], ContactPhone: v.Form["contact_phone"]},
	})
	if err != nil {
		r := &refusal{err: err, page: "register.html", v: v, fields: registerFieldMap}
		var me *model.Error
		if model.KindOf(err) == model.KindConflict && asModel(err, &me) && len(me.Fields) > 0 {
			// A username or USCC already taken: the words next to that field too.
			r.field = or(registerFieldMap[me.Fields[0].Field], me.Fields[0].Field)
		}
		return r
	}
	pair, err := h.Accounts.Login(c.Request.Context(), v.Form["username"], password, c.ClientIP())
	if err != nil {
		return err
	}
	h.sessions.start(c, pair)
	h.sessions.newCSRFCookie(c)
	c.Redirect(http.StatusSeeOther, "/console/filings?done=registered")
	return nil
}
