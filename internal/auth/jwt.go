package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gimark/model"
)

// Token lifetimes.
const (
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 7 * 24 * time.Hour
	issuer     = "gimark"
	audience   = "gimark-api"
)

// Claims are the access token's claims.
type Claims struct {
	Role         model.Role `json:"role"`
	EnterpriseID int64      `json:"eid,omitempty"`
	Username     string     `json:"name"`
	// SessionID is the refresh-token family of the sign-in ("sid", OpenID Connect's name).
	SessionID string `json:"sid,omitempty"`
	// MustChangePassword marks a sign-in with a one-time password.
	MustChangePassword bool `json:"pwc,omitempty"`
	jwt.RegisteredClaims
}

// Issuer signs and verifies access tokens with HS256.
type Issuer struct {
	secret []byte
	now    func() time.Time
	parser *jwt.Parser
}

// NewIssuer returns an Issuer; the secret must be at least 32 bytes.
func NewIssuer(secret []byte, now func() time.Time) (*Issuer, error) {
	if len(secret) < 32 {
		return nil, ErrWeakSecret
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{
		secret: secret,
		now:    now,
		// The algorithm is pinned: tokens signed with anything else (including "none") fail.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(now),
		),
	}, nil
}

// Issue signs an access token for u in the sign-in (refresh-token family) session.
func (i *Issuer) Issue(u *model.User, session string) (string, error) {
	now := i.now()
	var eid int64
	if u.EnterpriseID != nil {
		eid = *u.EnterpriseID
	}
	c := Claims{
		Role: u.Role, EnterpriseID: eid, Username: u.Username, SessionID: session, MustChangePassword: u.MustChangePassword,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   strconv.FormatInt(u.ID, 10),
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(i.secret)
}

// Verify checks an access token and returns its principal.
func (i *Issuer) Verify(token string) (model.Principal, error) {
	var c Claims
	_, err := i.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return i.secret, nil })
	if err != nil {
		code := model.Code("invalid_token")
		if errors.Is(err, jwt.ErrTokenExpired) {
			code = "token_expired"
		}
		return model.Principal{}, &model.Error{Kind: model.KindUnauthenticated, Code: code, Msg: "the access token is not valid", Err: err}
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 || !c.Role.Valid() || (c.Role == model.RoleEnterprise) != (c.EnterpriseID > 0) {
		return model.Principal{}, &model.Error{Kind: model.KindUnauthenticated, Code: "invalid_token", Msg: "the access token is not valid", Err: fmt.Errorf("bad claims sub=%q role=%q", c.Subject, c.Role)}
	}
	return model.Principal{UserID: id, Username: c.Username, Role: c.Role, EnterpriseID: c.EnterpriseID,
		SessionID: c.SessionID, MustChangePassword: c.MustChangePassword}, nil
}
