package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"gimark/model"
)

// audit appends ev inside tx; every state change carries one.
func (s *Store) audit(tx *gorm.DB, ev *model.AuditEvent) error {
	if ev.At.IsZero() {
		ev.At = s.Now()
	}
	return tx.Create(ev).Error
}

// RegisterEnterprise creates an enterprise and its first user in one transaction.
func (s *Store) RegisterEnterprise(ctx context.Context, e *model.Enterprise, u *model.User) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Checked first for a precise message; the unique indexes still decide under races.
		var n int64
		if err := tx.Model(&model.User{}).Where("username = ?", u.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &model.Error{Kind: model.KindConflict, Code: "duplicate", Msg: "this username is taken",
				Fields: []model.FieldError{{Field: "username", Code: model.FieldUsernameTaken, Message: "this username is taken"}}}
		}
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		u.EnterpriseID = &e.ID
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		if err := s.audit(tx, &model.AuditEvent{ActorID: &u.ID, Action: "enterprise.register", ObjectType: "enterprise", ObjectID: e.ID}); err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &u.ID, Action: "user.create", ObjectType: "user", ObjectID: u.ID, ToState: string(u.Role)})
	})
	return translate(err, "enterprise")
}

// CreateUser creates a bureau account; actorID is the admin who did it (nil at bootstrap).
func (s *Store) CreateUser(ctx context.Context, u *model.User, actorID *int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		actor := actorID
		if actor == nil {
			actor = &u.ID
		}
		return s.audit(tx, &model.AuditEvent{ActorID: actor, Action: "user.create", ObjectType: "user", ObjectID: u.ID, ToState: string(u.Role)})
	})
	return translate(err, "user")
}

// UserByUsername finds an account by its (normalised) username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*model.User, error) {
	var u model.User
	err := s.rdb.WithContext(ctx).Where("username = ?", username).Take(&u).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// UserByID finds an account.
func (s *Store) UserByID(ctx context.Context, id int64) (*model.User, error) {
	var u model.User
	if err := s.rdb.WithContext(ctx).Take(&u, id).Error; err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// SetPassword replaces a user's password hash, sets or clears must_change_password, revokes
// the user's refresh-token families other than in.KeepSession and appends the audit event,
// in one transaction.
func (s *Store) SetPassword(ctx context.Context, in model.PasswordChange) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Model(&model.User{}).Where("id = ?", in.UserID).
			Updates(map[string]any{"password_hash": in.Hash, "must_change_password": in.MustChange, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		q := tx.Model(&model.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", in.UserID)
		if in.KeepSession != "" {
			q = q.Where("family_id <> ?", in.KeepSession)
		}
		if err := q.Update("revoked_at", now).Error; err != nil {
			return err
		}
		to := ""
		if in.MustChange {
			to = "must_change_password"
		}
		return s.audit(tx, &model.AuditEvent{ActorID: in.ActorID, Action: in.Action, ObjectType: "user", ObjectID: in.UserID, ToState: to, At: now})
	})
	return translate(err, "user")
}

// CountUsersByRole counts accounts of one role.
func (s *Store) CountUsersByRole(ctx context.Context, role model.Role) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.User{}).Where("role = ?", role).Count(&n).Error
	return n, translate(err, "user")
}

// CreateRefreshToken stores a new (hashed) refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, rt *model.RefreshToken) error {
	return translate(s.db.WithContext(ctx).Create(rt).Error, "refresh token")
}

// ErrTokenSpent says a refresh token was already used or revoked: its family is now revoked.
var ErrTokenSpent = errors.New("refresh token already used or revoked")

// RotateRefreshToken spends the token with oldHash and stores next in the same family, in
// one transaction. A token that is unknown or expired gives KindUnauthenticated; one that was
// already spent revokes its whole family (a stolen token was replayed) and gives ErrTokenSpent
// wrapped in KindUnauthenticated.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next *model.RefreshToken) (*model.RefreshToken, error) {
	now := s.Now()
	var old model.RefreshToken
	spent := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("token_hash = ?", oldHash).Take(&old).Error; err != nil {
			return err
		}
		if !old.ExpiresAt.After(now) {
			return model.CodeError(model.KindUnauthenticated, "token_expired", "the refresh token has expired")
		}
		// The conditional update is the race guard: of two concurrent uses exactly one wins.
		res := tx.Model(&model.RefreshToken{}).
			Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", old.ID).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			spent = true
			return ErrTokenSpent
		}
		next.UserID, next.FamilyID = old.UserID, old.FamilyID
		return tx.Create(next).Error
	})
	if spent {
		if rerr := s.RevokeRefreshFamily(ctx, old.FamilyID); rerr != nil {
			return nil, rerr
		}
		return nil, &model.Error{Kind: model.KindUnauthenticated, Code: "token_reused", Msg: "this refresh token was already used; sign in again", Err: ErrTokenSpent}
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, model.CodeError(model.KindUnauthenticated, "invalid_token", "the refresh token is not valid")
	}
	if err != nil {
		return nil, translate(err, "refresh token")
	}
	return &old, nil
}

// RevokeRefreshFamily revokes every token of a sign-in.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string) error {
	err := s.db.WithContext(ctx).Model(&model.RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", s.Now()).Error
	return translate(err, "refresh token")
}

// RevokeRefreshTokenOf revokes the family of the token with hash if it belongs to userID.
// Unknown tokens are ignored: logout always succeeds.
func (s *Store) RevokeRefreshTokenOf(ctx context.Context, hash string, userID int64) error {
	var rt model.RefreshToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND user_id = ?", hash, userID).Take(&rt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return translate(err, "refresh token")
	}
	return s.RevokeRefreshFamily(ctx, rt.FamilyID)
}

// PurgeRefreshTokens deletes tokens that expired before cutoff.
func (s *Store) PurgeRefreshTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ?", cutoff).Delete(&model.RefreshToken{})
	return res.RowsAffected, translate(res.Error, "refresh token")
}
