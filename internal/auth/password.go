// Package auth issues and verifies access tokens, hashes passwords and makes refresh tokens.
// It knows nothing of HTTP.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// Password rules. bcrypt reads at most 72 bytes, so longer passwords are refused rather than
// silently truncated.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// Hasher hashes and checks passwords with bcrypt.
type Hasher struct {
	Cost int // bcrypt cost; tests use bcrypt.MinCost
	// dummy is compared against when a username is unknown, so that a wrong username takes
	// as long as a wrong password and cannot be told apart by timing.
	dummy []byte
}

// NewHasher returns a Hasher with the given cost (0 means bcrypt.DefaultCost).
func NewHasher(cost int) *Hasher {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h := &Hasher{Cost: cost}
	h.dummy, _ = bcrypt.GenerateFromPassword([]byte("not-a-real-password"), cost)
	return h
}

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.Cost)
	return string(b), err
}

// Check reports whether password matches hash. An empty hash is compared against a dummy so
// the time taken does not reveal whether the account exists.
func (h *Hasher) Check(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// RandomToken returns n random bytes from crypto/rand, base64url-encoded without padding.
func RandomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// RandomHex returns n random bytes from crypto/rand as hex.
func RandomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// HashToken is how refresh tokens are stored: a stolen table does not yield usable tokens.
// The tokens carry 256 random bits, so a plain SHA-256 is enough (no salt or stretching).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// GeneratePassword returns a random password for a bootstrapped account.
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// ErrWeakSecret is returned for an HMAC key shorter than 32 bytes.
var ErrWeakSecret = errors.New("token secret must be at least 32 bytes")
