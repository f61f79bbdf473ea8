// Package account registers enterprises and bureau accounts, signs people in and rotates
// their tokens (API.md "Auth and accounts").
package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gimark/internal/auth"
	"gimark/internal/uscc"
	"gimark/model"
)

// Store is the storage the account service needs.
type Store interface {
	RegisterEnterprise(ctx context.Context, e *model.Enterprise, u *model.User) error
	CreateUser(ctx context.Context, u *model.User, actorID *int64) error
	UserByUsername(ctx context.Context, username string) (*model.User, error)
	UserByID(ctx context.Context, id int64) (*model.User, error)
	CountUsersByRole(ctx context.Context, role model.Role) (int64, error)
	CreateRefreshToken(ctx context.Context, rt *model.RefreshToken) error
	RotateRefreshToken(ctx context.Context, oldHash string, next *model.RefreshToken) (*model.RefreshToken, error)
	RevokeRefreshTokenOf(ctx context.Context, hash string, userID int64) error
	SetPassword(ctx context.Context, in model.PasswordChange) error
}

// Service is the account logic.
type Service struct {
	store    Store
	hasher   *auth.Hasher
	issuer   *auth.Issuer
	throttle *Throttle
	now      func() time.Time
}

// New wires a Service.
func New(store Store, hasher *auth.Hasher, issuer *auth.Issuer, throttle *Throttle, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, hasher: hasher, issuer: issuer, throttle: throttle, now: now}
}

// Issuer verifies access tokens (used by the HTTP middleware).
func (s *Service) Issuer() *auth.Issuer { return s.issuer }

// TokenPair is what a sign-in or refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	// MustChangePassword: signed in with a one-time password; only the password change,
	// /me and sign-out answer until a new one is set.
	MustChangePassword bool
}

// RegisterInput is a self-registration of an enterprise and its first account.
type RegisterInput struct {
	Username   string
	Password   string
	USCC       string
	Enterprise model.EnterpriseInput
}

// NormalizeUsername is how usernames are compared: trimmed and lower-case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateUsername(f *model.Fields, s string) string {
	s = NormalizeUsername(s)
	if len(s) < 3 || len(s) > 64 {
		f.Add("username", model.FieldUsernameLength, "must be 3 to 64 characters")
		return s
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			f.Add("username", model.FieldUsernameChars, "may contain only letters, digits and . _ - @")
			break
		}
	}
	return s
}

func validatePassword(f *model.Fields, field, p string) {
	switch {
	case len([]rune(p)) < auth.MinPasswordLen:
		f.Add(field, model.FieldPasswordShort, "must be at least %d characters", auth.MinPasswordLen)
	case len(p) > auth.MaxPasswordLen:
		f.Add(field, model.FieldPasswordLong, "must be at most %d bytes", auth.MaxPasswordLen)
	}
}

// Register creates an enterprise and its first enterprise account.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*model.User, *model.Enterprise, error) {
	var f model.Fields
	in.Username = validateUsername(&f, in.Username)
	validatePassword(&f, "password", in.Password)
	code, err := uscc.Validate(in.USCC)
	if err != nil {
		msg := "is not a valid unified social credit code"
		var ue *uscc.Error
		if errors.As(err, &ue) {
			msg = ue.Msg
		}
		f.Add("enterprise.uscc", model.FieldUSCC, "%s", msg)
	}
	in.Enterprise.Validate(&f, "enterprise.")
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return nil, nil, fmt.Errorf("hash password: %w", err)
	}
	e := &model.Enterprise{USCC: code, Name: in.Enterprise.Name, LegalRepresentative: in.Enterprise.LegalRepresentative,
		Address: in.Enterprise.Address, RegionCode: in.Enterprise.RegionCode, ContactPhone: in.Enterprise.ContactPhone}
	u := &model.User{Username: in.Username, PasswordHash: hash, Role: model.RoleEnterprise}
	if err := s.store.RegisterEnterprise(ctx, e, u); err != nil {
		return nil, nil, err
	}
	return u, e, nil
}

// CreateUserInput is an admin creating a bureau account.
type CreateUserInput struct {
	Username string
	Password string
	Role     model.Role
}

// CreateUser creates a reviewer or admin account. Only admins may (the router checks the
// role; the check is repeated here so no other caller can bypass it).
func (s *Service) CreateUser(ctx context.Context, actor model.Principal, in CreateUserInput) (*model.User, error) {
	if actor.Role != model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "only an admin may create accounts")
	}
	var f model.Fields
	in.Username = validateUsername(&f, in.Username)
	validatePassword(&f, "password", in.Password)
	if in.Role != model.RoleReviewer && in.Role != model.RoleAdmin {
		f.Add("role", model.FieldRole, "must be reviewer or admin (enterprises register themselves)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	u := &model.User{Username: in.Username, PasswordHash: hash, Role: in.Role}
	if err := s.store.CreateUser(ctx, u, &actor.UserID); err != nil {
		return nil, err
	}
	return u, nil
}

var errBadCredentials = model.CodeError(model.KindUnauthenticated, "invalid_credentials", "wrong username or password")

// Login checks a password and returns a new token pair. Repeated failures for one username
// or from one address lock sign-in for a while (429 with Retry-After).
func (s *Service) Login(ctx context.Context, username, password, addr string) (*TokenPair, error) {
	username = NormalizeUsername(username)
	if locked, wait := s.throttle.Locked(username, addr); locked {
		return nil, &model.Error{Kind: model.KindRateLimited, Code: "login_locked",
			Msg: "too many failed sign-ins; try again later", RetryAfter: wait}
	}
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil && !model.IsKind(err, model.KindNotFound) {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	if len(password) > auth.MaxPasswordLen || !s.hasher.Check(hash, password) {
		s.throttle.Fail(username, addr)
		return nil, errBadCredentials
	}
	s.throttle.Succeed(username)
	family, err := auth.RandomHex(16)
	if err != nil {
		return nil, err
	}
	return s.issue(func(rt *model.RefreshToken) (*model.User, error) {
		rt.UserID, rt.FamilyID = u.ID, family
		return u, s.store.CreateRefreshToken(ctx, rt)
	})
}

// issue stores a fresh refresh token through save, which returns whose it is, and signs an
// access token for that user.
func (s *Service) issue(save func(*model.RefreshToken) (*model.User, error)) (*TokenPair, error) {
	refresh, err := auth.RandomToken(32)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	rt := &model.RefreshToken{TokenHash: auth.HashToken(refresh), ExpiresAt: now.Add(auth.RefreshTTL), CreatedAt: now}
	u, err := save(rt)
	if err != nil {
		return nil, err
	}
	access, err := s.issuer.Issue(u, rt.FamilyID)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: auth.AccessTTL, MustChangePassword: u.MustChangePassword}, nil
}

// Refresh spends a refresh token and returns a new pair in the same family. A token used a
// second time revokes the family: whoever holds the newer token must sign in again too.
func (s *Service) Refresh(ctx context.Context, token string) (*TokenPair, error) {
	if token == "" || len(token) > 256 {
		return nil, model.CodeError(model.KindUnauthenticated, "invalid_token", "the refresh token is not valid")
	}
	return s.issue(func(rt *model.RefreshToken) (*model.User, error) {
		old, err := s.store.RotateRefreshToken(ctx, auth.HashToken(token), rt)
		if err != nil {
			return nil, err
		}
		return s.store.UserByID(ctx, old.UserID)
	})
}

// Logout revokes the refresh token's family if it belongs to the caller.
func (s *Service) Logout(ctx context.Context, p model.Principal, token string) error {
	if token == "" {
		return nil
	}
	return s.store.RevokeRefreshTokenOf(ctx, auth.HashToken(token), p.UserID)
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, p model.Principal) (*model.User, error) {
	return s.store.UserByID(ctx, p.UserID)
}

// ChangePassword replaces the caller's password after checking the current one. The caller's
// own sign-in (the session of its access token) stays; every other refresh family of the
// account is revoked, so a device that knew the old password is signed out within an access
// token's lifetime. Wrong current passwords count towards the sign-in lock, so this cannot
// be used to guess a password past the throttle.
func (s *Service) ChangePassword(ctx context.Context, p model.Principal, current, next, addr string) error {
	if locked, wait := s.throttle.Locked(p.Username, addr); locked {
		return &model.Error{Kind: model.KindRateLimited, Code: "login_locked",
			Msg: "too many failed sign-ins; try again later", RetryAfter: wait}
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	var f model.Fields
	if current == "" {
		f.Add("current_password", model.FieldRequired, "is required")
	}
	validatePassword(&f, "new_password", next)
	if err := f.Err(); err != nil {
		return err
	}
	if len(current) > auth.MaxPasswordLen || !s.hasher.Check(u.PasswordHash, current) {
		s.throttle.Fail(u.Username, addr)
		return &model.Error{Kind: model.KindInvalid, Code: "wrong_password", Msg: "the current password is wrong",
			Fields: []model.FieldError{{Field: "current_password", Code: model.FieldWrongPassword, Message: "is wrong"}}}
	}
	if next == current {
		return model.Invalid("new_password", model.FieldSamePassword, "must differ from the current password")
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.store.SetPassword(ctx, model.PasswordChange{UserID: u.ID, Hash: hash, KeepSession: p.SessionID,
		ActorID: &p.UserID, Action: "user.password_change"})
}

// ResetPassword gives another account a generated one-time password, which its user must
// replace at the next sign-in, and signs that account out everywhere. Admins only; their
// own password is changed with ChangePassword.
func (s *Service) ResetPassword(ctx context.Context, actor model.Principal, userID int64) (string, error) {
	if actor.Role != model.RoleAdmin {
		return "", model.Errorf(model.KindForbidden, "only an admin may reset passwords")
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.ID == actor.UserID {
		return "", &model.Error{Kind: model.KindConflict, Code: "own_password",
			Msg: "change your own password with POST /api/v1/me/password"}
	}
	password, err := auth.GeneratePassword()
	if err != nil {
		return "", err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	err = s.store.SetPassword(ctx, model.PasswordChange{UserID: u.ID, Hash: hash, MustChange: true,
		ActorID: &actor.UserID, Action: "user.password_reset"})
	if err != nil {
		return "", err
	}
	s.throttle.Succeed(u.Username) // a locked-out user can sign in with the new password
	return password, nil
}

// FindUser returns the account named username, for an admin: the console's password reset
// names the account by its username. An unknown name is a field error on username.
func (s *Service) FindUser(ctx context.Context, actor model.Principal, username string) (*model.User, error) {
	if actor.Role != model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "only an admin may look up accounts")
	}
	u, err := s.store.UserByUsername(ctx, NormalizeUsername(username))
	if model.KindOf(err) == model.KindNotFound {
		return nil, model.Invalid("username", model.FieldUnknownUser, "no account has this username")
	}
	return u, err
}

// SetPassword sets username's password from the command line (`gimark passwd`), for an
// operator who lost the admin password: same rules as registration, every sign-in of the
// account revoked, audited without an actor.
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	var f model.Fields
	validatePassword(&f, "password", password)
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.store.UserByUsername(ctx, NormalizeUsername(username))
	if err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.store.SetPassword(ctx, model.PasswordChange{UserID: u.ID, Hash: hash, Action: "user.password_set"})
}

// Bootstrap creates the first admin when no admin exists. It returns the password it
// generated (empty when one was given or nothing was created).
func (s *Service) Bootstrap(ctx context.Context, username, password string) (created bool, generated string, err error) {
	n, err := s.store.CountUsersByRole(ctx, model.RoleAdmin)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		if password, err = auth.GeneratePassword(); err != nil {
			return false, "", err
		}
		generated = password
	}
	var f model.Fields
	username = validateUsername(&f, username)
	validatePassword(&f, "GIMARK_ADMIN_PASSWORD", password)
	if err := f.Err(); err != nil {
		return false, "", fmt.Errorf("bootstrap admin: %w", err)
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return false, "", err
	}
	if err := s.store.CreateUser(ctx, &model.User{Username: username, PasswordHash: hash, Role: model.RoleAdmin}, nil); err != nil {
		return false, "", fmt.Errorf("bootstrap admin: %w", err)
	}
	return true, generated, nil
}
