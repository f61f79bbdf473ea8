package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText trims s and reports whether it is valid UTF-8 without control characters.
// Names and addresses end up on printed labels and public pages, so control characters are
// refused rather than stored.
func CleanText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return s, false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return s, false
		}
	}
	return s, true
}

// RequireText validates a required single-line text field of at most max characters and
// returns it trimmed.
func RequireText(f *Fields, field, s string, max int) string {
	s, ok := CleanText(s)
	switch {
	case !ok:
		f.Add(field, FieldBadText, "must be valid text without control characters")
	case s == "":
		f.Add(field, FieldRequired, "is required")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, FieldTooLong, "must be at most %d characters", max)
	}
	return s
}

// OptionalText is RequireText for a field that may be empty.
func OptionalText(f *Fields, field, s string, max int) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return RequireText(f, field, s, max)
}

// RequireRegionCode validates a six-digit administrative division code (GB/T 2260).
func RequireRegionCode(f *Fields, field, s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		f.Add(field, FieldRegionCode, "must be a six-digit administrative division code")
	}
	return s
}

// RequirePhone validates a contact telephone number: digits with an optional leading +,
// spaces and hyphens, 5 to 20 digits.
func RequirePhone(f *Fields, field, s string) string {
	s = strings.TrimSpace(s)
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == '-', r == ' ':
		default:
			f.Add(field, FieldPhone, "must be a telephone number (digits, +, - and spaces)")
			return s
		}
	}
	if digits < 5 || digits > 20 {
		f.Add(field, FieldPhoneDigits, "must have 5 to 20 digits")
	}
	return s
}

// SearchText validates a ?q= search term: text without control characters, at most 100
// characters, trimmed.
func SearchText(q string) (string, error) {
	q, ok := CleanText(q)
	if !ok || utf8.RuneCountInString(q) > 100 {
		return "", Invalid("q", FieldSearchText, "must be text of at most 100 characters")
	}
	return q, nil
}
