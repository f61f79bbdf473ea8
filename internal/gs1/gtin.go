// Package gs1 reads and writes the GS1 identifiers gimark prints: GTINs (with their mod-10
// check digit) and GS1 Digital Link URIs for a trade item's lot and serial. It knows only the
// syntax; which GTINs exist is the trade-item store's business.
package gs1

import "errors"

// GTIN errors, each a distinct class so callers can say what is wrong.
var (
	ErrGTINLength     = errors.New("a GTIN has 8, 12, 13 or 14 digits")
	ErrGTINDigits     = errors.New("a GTIN has digits only")
	ErrGTINCheckDigit = errors.New("the GTIN's check digit is wrong")
)

// CheckDigit returns the GS1 mod-10 check digit of body (all digits, the GTIN without its
// last digit): weights 3,1,3,… from the rightmost digit, check = (10 − sum mod 10) mod 10.
func CheckDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// NormalizeGTIN checks a GTIN-8, -12, -13 or -14 and returns it as GTIN-14 (left-padded with
// zeros), the form a Digital Link path and gimark's storage use.
func NormalizeGTIN(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", ErrGTINLength
	}
	if !allDigits(s) {
		return "", ErrGTINDigits
	}
	if CheckDigit(s[:len(s)-1]) != s[len(s)-1] {
		return "", ErrGTINCheckDigit
	}
	return "00000000000000"[:14-len(s)] + s, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
