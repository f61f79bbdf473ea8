// Package decimal converts fixed-point decimal strings to and from int64
// counts of the smallest unit, so that money and quantities never pass
// through floating point.
//
// The accepted syntax is deliberately narrow, because these strings come
// from an API and ambiguity there becomes a bookkeeping error later:
//
//	digits [ "." digits ]
//
// where digits are one or more ASCII 0-9. There is no sign, exponent,
// white space, digit grouping or hex. Leading zeros in the integer part are
// accepted ("007.50" is 7.50) since they cannot change the value. The
// fractional part may have at most the allowed number of places, counting
// trailing zeros, so "1.230" is rejected for money: a client sending three
// places is likely confused about the unit.
package decimal

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors; Parse wraps exactly one of them with details, so callers
// should test with errors.Is.
var (
	// ErrSyntax means the string is not digits with an optional fraction.
	ErrSyntax = errors.New("decimal: invalid syntax")
	// ErrPrecision means the string has more fractional digits than allowed.
	ErrPrecision = errors.New("decimal: too many fractional digits")
	// ErrNegative means the string is a well-formed negative number.
	ErrNegative = errors.New("decimal: negative value")
	// ErrRange means the value exceeds the allowed maximum.
	ErrRange = errors.New("decimal: value out of range")
)

// MaxPlaces is the largest supported number of fractional digits; an int64
// has only 19 significant digits, so more places would be meaningless.
const MaxPlaces = 18

// Units used on the wire.
const (
	// YuanPlaces is the number of fractional digits of a CNY amount (fen).
	YuanPlaces = 2
	// KgPlaces is the number of fractional digits of a kg quantity (grams).
	KgPlaces = 3
	// MaxFen caps money at 10 trillion yuan, far above any real contract
	// yet about 9,000 times below math.MaxInt64, so report totals over
	// thousands of amounts cannot overflow.
	MaxFen int64 = 1_000_000_000_000_000
	// MaxGrams caps quantities at 10^12 kg for the same reason.
	MaxGrams int64 = 1_000_000_000_000_000
)

// Parse parses a non-negative decimal string with at most places fractional
// digits into an integer count of 10^-places units, refusing values above
// maxUnits units. Errors wrap ErrSyntax, ErrNegative, ErrPrecision or
// ErrRange, checked in that order. Parse panics if places is outside
// [0, MaxPlaces], which is a programming error rather than bad input.
func Parse(s string, places int, maxUnits int64) (int64, error) {
	checkPlaces(places)
	body := s
	neg := len(body) > 0 && body[0] == '-'
	if neg {
		body = body[1:]
	}
	intPart, frac, ok := split(body)
	if !ok {
		return 0, fmt.Errorf("%w: %s is not a plain decimal number such as \"12.50\"", ErrSyntax, quote(s))
	}
	if neg {
		return 0, fmt.Errorf("%w: %s", ErrNegative, quote(s))
	}
	if len(frac) > places {
		return 0, fmt.Errorf("%w: %s has more than %d fractional digits", ErrPrecision, quote(s), places)
	}
	// Treat the value as one digit string (integer digits, fraction digits,
	// then zero padding to places) and accumulate it with an overflow-safe
	// bound check, so no intermediate can exceed maxUnits.
	var v int64
	tooBig := false
	add := func(d int64) {
		if tooBig || maxUnits < d || v > (maxUnits-d)/10 {
			tooBig = true
			return
		}
		v = v*10 + d
	}
	for i := 0; i < len(intPart); i++ {
		add(int64(intPart[i] - '0'))
	}
	for i := 0; i < len(frac); i++ {
		add(int64(frac[i] - '0'))
	}
	for i := len(frac); i < places; i++ {
		add(0)
	}
	if tooBig {
		if maxUnits < 0 {
			return 0, fmt.Errorf("%w: %s (no value is allowed)", ErrRange, quote(s))
		}
		return 0, fmt.Errorf("%w: %s exceeds %s", ErrRange, quote(s), Format(maxUnits, places))
	}
	return v, nil
}

// Format writes v units of 10^-places as a decimal string with exactly
// places fractional digits, e.g. Format(237000000, 2) == "2370000.00".
// Negative values are formatted with a leading '-' ("-12.30") so that
// differences can be shown, even though Parse does not accept them.
// Format panics if places is outside [0, MaxPlaces].
func Format(v int64, places int) string {
	checkPlaces(places)
	// Negate in uint64 so that math.MinInt64 has a magnitude too.
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	// Pad so that there is at least one integer digit before the point.
	for len(digits) <= places {
		digits = "0" + digits
	}
	n := len(digits) - places
	out := make([]byte, 0, len(digits)+2)
	if v < 0 {
		out = append(out, '-')
	}
	out = append(out, digits[:n]...)
	if places > 0 {
		out = append(out, '.')
		out = append(out, digits[n:]...)
	}
	return string(out)
}

// ParseYuan parses a CNY amount such as "2370000.00" into fen, allowing at
// most 2 fractional digits and at most MaxFen.
func ParseYuan(s string) (fen int64, err error) { return Parse(s, YuanPlaces, MaxFen) }

// FormatFen formats fen as a yuan amount with exactly 2 fractional digits.
func FormatFen(fen int64) string { return Format(fen, YuanPlaces) }

// ParseKg parses a quantity in kg such as "1250.500" into grams, allowing
// at most 3 fractional digits and at most MaxGrams.
func ParseKg(s string) (grams int64, err error) { return Parse(s, KgPlaces, MaxGrams) }

// FormatGrams formats grams as kg with exactly 3 fractional digits.
func FormatGrams(g int64) string { return Format(g, KgPlaces) }

// split checks the grammar digits [ "." digits ] and returns both parts.
func split(s string) (intPart, frac string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	if i == len(s) {
		return s, "", true
	}
	if s[i] != '.' {
		return "", "", false
	}
	j := i + 1
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i+1 || j != len(s) {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func checkPlaces(places int) {
	if places < 0 || places > MaxPlaces {
		panic("decimal: places " + strconv.Itoa(places) + " out of range [0, 18]")
	}
}

// quote quotes untrusted input for an error message, shortening it so a
// huge request body cannot produce a huge error.
func quote(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
