// Package decimal converts the fixed-point decimal strings of the API ("2370000.00" yuan,
// "1250.500" kg) to and from int64 counts of the smallest unit (fen, grams). No floats.
package decimal

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Parse errors; each returned error wraps one of these.
var (
	ErrSyntax    = errors.New("not a decimal number")
	ErrPrecision = errors.New("too many decimal places")
	ErrNegative  = errors.New("negative value")
	ErrRange     = errors.New("value out of range")
)

// Bounds of money and quantities: 10^15 fen (ten trillion yuan) and 10^15 grams.
const (
	MaxFen   int64 = 1_000_000_000_000_000
	MaxGrams int64 = 1_000_000_000_000_000
)

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000}

// Parse reads a non-negative decimal with at most places fractional digits as an integer
// count of 10^-places units, refusing values above max. It accepts "12", "12.5", "0.01" and
// leading zeros; it refuses signs, spaces, exponents, ".5", "5." and anything but ASCII digits.
func Parse(s string, places int, max int64) (int64, error) {
	if places < 0 || places >= len(pow10) {
		return 0, fmt.Errorf("decimal: unsupported places %d", places)
	}
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrSyntax)
	}
	if s[0] == '-' {
		if rest := s[1:]; rest != "" && rest[0] != '-' && !errors.Is(parseErr(rest, places, max), ErrSyntax) {
			return 0, fmt.Errorf("%w: %q", ErrNegative, s)
		}
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || (hasPoint && frac == "") || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	if len(frac) > places {
		return 0, fmt.Errorf("%w: %q has more than %d", ErrPrecision, s, places)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 18 {
		return 0, fmt.Errorf("%w: %q", ErrRange, s)
	}
	w := int64(0)
	if whole != "" {
		var err error
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, fmt.Errorf("%w: %q", ErrRange, s)
		}
	}
	if w > max/pow10[places] {
		return 0, fmt.Errorf("%w: %q", ErrRange, s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		f *= pow10[places-len(frac)]
	}
	v := w*pow10[places] + f
	if v > max {
		return 0, fmt.Errorf("%w: %q", ErrRange, s)
	}
	return v, nil
}

func parseErr(s string, places int, max int64) error {
	_, err := Parse(s, places, max)
	return err
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Format writes v units as a decimal with exactly places fractional digits.
func Format(v int64, places int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v) // also right for math.MinInt64 in two's complement
	}
	s := strconv.FormatUint(u, 10)
	if places > 0 {
		if len(s) <= places {
			s = strings.Repeat("0", places-len(s)+1) + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// ParseYuan reads an amount of CNY with at most two decimals into fen.
func ParseYuan(s string) (int64, error) { return Parse(s, 2, MaxFen) }

// FormatFen writes fen as yuan with two decimals ("2370000.00").
func FormatFen(fen int64) string { return Format(fen, 2) }

// ParseKg reads a quantity in kg with at most three decimals into grams.
func ParseKg(s string) (int64, error) { return Parse(s, 3, MaxGrams) }

// FormatGrams writes grams as kg with three decimals ("1250.500").
func FormatGrams(g int64) string { return Format(g, 3) }
