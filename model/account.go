package model

import "time"

// Role is what an account may do.
type Role string

// The roles of DESIGN.md "Who uses it".
const (
	RoleAdmin      Role = "admin"
	RoleReviewer   Role = "reviewer"
	RoleEnterprise Role = "enterprise"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleReviewer || r == RoleEnterprise
}

// IsStaff reports whether r belongs to the bureau (sees every enterprise).
func (r Role) IsStaff() bool { return r == RoleAdmin || r == RoleReviewer }

// User is a sign-in account.
type User struct {
	ID           int64  `gorm:"column:id;primaryKey"`
	Username     string `gorm:"column:username"`
	PasswordHash string `gorm:"column:password_hash"`
	Role         Role   `gorm:"column:role"`
	EnterpriseID *int64 `gorm:"column:enterprise_id"`
	// MustChangePassword is set by an admin's reset to a one-time password: until the user
	// chooses a new one, the API answers every other request with 403
	// password_change_required.
	MustChangePassword bool      `gorm:"column:must_change_password"`
	CreatedAt          time.Time `gorm:"column:created_at"`
	UpdatedAt          time.Time `gorm:"column:updated_at"`
}

// TableName pins the table.
func (User) TableName() string { return "users" }

// Principal is the signed-in caller, as proven by an access token.
type Principal struct {
	UserID       int64
	Username     string
	Role         Role
	EnterpriseID int64 // 0 unless Role is enterprise
	// SessionID is the refresh-token family the access token was issued in (one sign-in);
	// a password change keeps this session and ends the others.
	SessionID string
	// MustChangePassword: the account signed in with a one-time password.
	MustChangePassword bool
}

// IsStaff reports whether the caller is a reviewer or admin.
func (p Principal) IsStaff() bool { return p.Role.IsStaff() }

// OwnsEnterprise reports whether the caller acts for enterprise id.
func (p Principal) OwnsEnterprise(id int64) bool {
	return p.Role == RoleEnterprise && p.EnterpriseID != 0 && p.EnterpriseID == id
}

// PasswordChange is one replacement of a user's password, applied with its audit event.
type PasswordChange struct {
	UserID     int64
	Hash       string // bcrypt hash of the new password
	MustChange bool   // a one-time password: the user must choose another at first use
	// KeepSession is the refresh-token family that survives (the caller's own sign-in);
	// every other family of the user is revoked. Empty: all are revoked.
	KeepSession string
	ActorID     *int64 // who did it; nil for the command line
	Action      string // audit action: user.password_change, user.password_reset, user.password_set
}

// RefreshToken is a stored, hashed refresh token. Tokens of one sign-in share a family so
// that the reuse of a spent token can revoke every descendant.
type RefreshToken struct {
	ID        int64      `gorm:"column:id;primaryKey"`
	UserID    int64      `gorm:"column:user_id"`
	FamilyID  string     `gorm:"column:family_id"`
	TokenHash string     `gorm:"column:token_hash"`
	ExpiresAt time.Time  `gorm:"column:expires_at"`
	UsedAt    *time.Time `gorm:"column:used_at"`
	RevokedAt *time.Time `gorm:"column:revoked_at"`
	CreatedAt time.Time  `gorm:"column:created_at"`
}

// TableName pins the table.
func (RefreshToken) TableName() string { return "refresh_tokens" }

// AuditEvent is one append-only record of a change a person made.
type AuditEvent struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	ActorID    *int64    `gorm:"column:actor_id"`
	Action     string    `gorm:"column:action"`
	ObjectType string    `gorm:"column:object_type"`
	ObjectID   int64     `gorm:"column:object_id"`
	FromState  string    `gorm:"column:from_state"`
	ToState    string    `gorm:"column:to_state"`
	Reason     string    `gorm:"column:reason"`
	At         time.Time `gorm:"column:at"`
}

// TableName pins the table.
func (AuditEvent) TableName() string { return "audit_events" }
