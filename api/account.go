package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/account"
	"gimark/model"
)

type enterpriseBody struct {
	USCC                string `json:"uscc"`
	Name                string `json:"name"`
	LegalRepresentative string `json:"legal_representative"`
	Address             string `json:"address"`
	RegionCode          string `json:"region_code"`
	ContactPhone        string `json:"contact_phone"`
}

type registerRequest struct {
	Username   string         `json:"username"`
	Password   string         `json:"password"`
	Enterprise enterpriseBody `json:"enterprise"`
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type createUserRequest struct {
	Username string     `json:"username"`
	Password string     `json:"password"`
	Role     model.Role `json:"role"`
}

type userResponse struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	Role               model.Role `json:"role"`
	EnterpriseID       *int64     `json:"enterprise_id"`
	MustChangePassword bool       `json:"must_change_password"`
	CreatedAt          time.Time  `json:"created_at"`
}

func toUserResponse(u *model.User) userResponse {
	return userResponse{ID: u.ID, Username: u.Username, Role: u.Role, EnterpriseID: u.EnterpriseID,
		MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt.UTC()}
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

type passwordResetResponse struct {
	UserID             int64  `json:"user_id"`
	OneTimePassword    string `json:"one_time_password"`
	MustChangePassword bool   `json:"must_change_password"`
}

type enterpriseResponse struct {
	ID                  int64     `json:"id"`
	USCC                string    `json:"uscc"`
	Name                string    `json:"name"`
	LegalRepresentative string    `json:"legal_representative"`
	Address             string    `json:"address"`
	RegionCode          string    `json:"region_code"`
	ContactPhone        string    `json:"contact_phone"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

func toEnterpriseResponse(e *model.Enterprise) enterpriseResponse {
	return enterpriseResponse{ID: e.ID, USCC: e.USCC, Name: e.Name, LegalRepresentative: e.LegalRepresentative,
		Address: e.Address, RegionCode: e.RegionCode, ContactPhone: e.ContactPhone,
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
}

type tokenResponse struct {
	AccessToken        string `json:"access_token"`
	RefreshToken       string `json:"refresh_token"`
	TokenType          string `json:"token_type"`
	ExpiresIn          int    `json:"expires_in"`
	MustChangePassword bool   `json:"must_change_password"`
}

func toTokenResponse(t *account.TokenPair) tokenResponse {
	return tokenResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(t.ExpiresIn.Seconds()), MustChangePassword: t.MustChangePassword}
}

func (a *app) register(c *gin.Context) error {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e := req.Enterprise
	u, ent, err := a.Accounts.Register(c.Request.Context(), account.RegisterInput{
		Username: req.Username, Password: req.Password, USCC: e.USCC,
		Enterprise: model.EnterpriseInput{Name: e.Name, LegalRepresentative: e.LegalRepresentative,
			Address: e.Address, RegionCode: e.RegionCode, ContactPhone: e.ContactPhone},
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"user": toUserResponse(u), "enterprise": toEnterpriseResponse(ent)})
	return nil
}

func (a *app) login(c *gin.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.Accounts.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toTokenResponse(t))
	return nil
}

func (a *app) refresh(c *gin.Context) error {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.Accounts.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toTokenResponse(t))
	return nil
}

func (a *app) logout(c *gin.Context) error {
	var req refreshRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		return err
	}
	if err := a.Accounts.Logout(c.Request.Context(), principal(c), req.RefreshToken); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *app) me(c *gin.Context) error {
	u, err := a.Accounts.Me(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUserResponse(u))
	return nil
}

func (a *app) createUser(c *gin.Context) error {
	var req createUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := a.Accounts.CreateUser(c.Request.Context(), principal(c), account.CreateUserInput{Username: req.Username, Password: req.Password, Role: req.Role})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toUserResponse(u))
	return nil
}

// changePassword sets the caller's own password (204); the caller's sign-in stays, its
// other sign-ins end.
func (a *app) changePassword(c *gin.Context) error {
	var req passwordChangeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := a.Accounts.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword, c.ClientIP()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// resetPassword gives another account a one-time password (admin); it is shown once, here.
func (a *app) resetPassword(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := bindOptionalJSON(c, &struct{}{}); err != nil {
		return err
	}
	pw, err := a.Accounts.ResetPassword(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, passwordResetResponse{UserID: id, OneTimePassword: pw, MustChangePassword: true})
	return nil
}
