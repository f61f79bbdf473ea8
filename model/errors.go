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

// FieldError names one invalid field of a request. Code says what is wrong for programs
// (and for the console's Chinese words); Message says it in English for API users.
type FieldError struct {
	Field   string `json:"field"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Args are the numbers or names the words for Code need (a maximum length, a range);
	// they are in Message already, so the API does not send them again.
	Args []any `json:"-"`
}

// Error is the error type every layer returns for expected failures.
type Error struct {
	Kind       Kind
	Code       Code   // machine-readable code; defaults to Kind
	Msg        string // shown to API users (English)
	Args       []any  // what the words for Code need besides (a state, an action)
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
		return string(e.Code)
	}
	return string(e.Kind)
}

// Errorf builds an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// CodeError builds an *Error with a machine code.
func CodeError(k Kind, code Code, msg string) *Error {
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

// Add records a problem with field: its code, and the English message made of format and
// args (the args are kept for the words of other languages).
func (f *Fields) Add(field string, code Code, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...), Args: args})
}

// Invalid is the validation error of one field (see Fields.Add).
func Invalid(field string, code Code, format string, args ...any) error {
	var f Fields
	f.Add(field, code, format, args...)
	return f.Err()
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
