// Package model holds gimark's domain types, their rules and the error vocabulary shared by
// every layer. It imports no other project package.
package model

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error; the HTTP edge maps each kind to one status code.
type Kind string

// The error kinds. Anything else is internal and shown to users only as "internal error".
const (
	KindMalformed       Kind = "malformed"        // 400: the request cannot be read
	KindUnauthenticated Kind = "unauthenticated"  // 401
	KindForbidden       Kind = "forbidden"        // 403: role does not allow it
	KindNotFound        Kind = "not_found"        // 404: also another enterprise's objects
	KindConflict        Kind = "conflict"         // 409: state conflict or duplicate
	KindTooLarge        Kind = "too_large"        // 413
	KindUnsupported     Kind = "unsupported_type" // 415
	KindInvalid         Kind = "invalid"          // 422: a field is wrong
	KindRateLimited     Kind = "rate_limited"     // 429
	KindUnavailable     Kind = "unavailable"      // 503: a dependency (the database) is down
	KindInternal        Kind = "internal"         // 500
)

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type every layer returns for expected failures.
type Error struct {
	Kind       Kind
	Code       string // machine-readable code; defaults to Kind
	Msg        string // shown to the user
	Fields     []FieldError
	RetryAfter time.Duration // for KindRateLimited
	Err        error         // cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// MachineCode is the `code` member of a problem document.
func (e *Error) MachineCode() string {
	if e.Code != "" {
		return e.Code
	}
	return string(e.Kind)
}

// Errorf builds an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// CodeError builds an *Error with a machine code.
func CodeError(k Kind, code, msg string) *Error {
	return &Error{Kind: k, Code: code, Msg: msg}
}

// KindOf returns the kind of err, or KindInternal for errors outside this vocabulary.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err is of kind k.
func IsKind(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Fields collects field errors; Err returns nil when there are none, else a KindInvalid error.
type Fields []FieldError

// Add records a problem with field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns the collected problems as one validation error, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: "validation_failed", Msg: "one or more fields are invalid", Fields: f}
}

// NotFound is the error for a missing object (or one the caller may not see).
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Msg: what + " not found"}
}
