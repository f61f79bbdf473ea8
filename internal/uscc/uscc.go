// Package uscc validates and builds China's 18-character unified social
// credit codes (统一社会信用代码) as defined by GB 32100-2015.
//
// A code is laid out as:
//
//	position  1     registration authority code
//	position  2     organisation category (e.g. "91" enterprise, "93" cooperative)
//	positions 3-8   administrative division code (6 digits)
//	positions 9-17  organisation code per GB 11714 (8 body chars + 1 check char)
//	position  18    GB 32100 check character over positions 1-17
//
// Both check characters are verified, so a code that only satisfies the
// final checksum is still rejected.
package uscc

import (
	"strings"
	"unicode/utf8"
)

// Alphabet is the character set of a unified social credit code, in value
// order: the character at index i has value i in the final checksum. The
// letters I, O, S, V and Z are excluded because they are easily confused
// with digits or with each other.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// Length is the number of characters in a unified social credit code.
const Length = 18

// Reasons reported in Error.Reason, one per rule, in the order Validate
// checks them. They are stable so that API clients can branch on them.
const (
	ReasonLength   = "length"
	ReasonCharset  = "charset"
	ReasonRegion   = "region"
	ReasonOrgCheck = "org_check"
	ReasonCheck    = "check"
)

// Error reports which rule an invalid code broke.
type Error struct {
	// Reason is one of the Reason* constants.
	Reason string
	// Msg is a short English sentence suitable for an API error response.
	Msg string
}

// Error implements the error interface.
func (e *Error) Error() string { return "uscc: " + e.Msg }

// finalWeights are the GB 32100 weights for positions 1-17; they are
// 3^(i-1) mod 31, which is why every single-character substitution changes
// the checksum: 31 is prime and no weight is zero.
var finalWeights = [Length - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 weights for the 8 organisation code body chars.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// alphabetValue maps an ASCII byte to its value in Alphabet, or -1.
var alphabetValue = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(Alphabet); i++ {
		t[Alphabet[i]] = int8(i)
	}
	return t
}()

// Normalize trims surrounding white space and upper-cases ASCII letters.
// Only ASCII is folded so that the result never changes length in a
// surprising way and look-alike characters (such as O for 0) are left for
// Validate to reject rather than silently "corrected".
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	var lower bool
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			lower = true
			break
		}
	}
	if !lower {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Validate normalises s and returns the normalised code, or an *Error
// naming the first rule that failed: length, charset, region, org_check or
// check, in that order.
func Validate(s string) (string, error) {
	code := Normalize(s)
	// Count runes, not bytes, so that a code with one full-width or other
	// non-ASCII character is reported as a charset problem, which is what
	// the user actually got wrong.
	if utf8.RuneCountInString(code) != Length {
		return "", &Error{ReasonLength, "unified social credit code must be exactly 18 characters long"}
	}
	for i := 0; i < len(code); i++ {
		if alphabetValue[code[i]] < 0 {
			return "", &Error{ReasonCharset, "unified social credit code may only contain digits and the letters A-Y except I, O, S and V"}
		}
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", &Error{ReasonRegion, "characters 3-8 of a unified social credit code must be a 6-digit administrative division code"}
		}
	}
	if c, ok := orgCheck(code[8:16]); !ok || c != code[16] {
		return "", &Error{ReasonOrgCheck, "the organisation code in a unified social credit code has a wrong check character"}
	}
	if finalCheck(code[:17]) != code[17] {
		return "", &Error{ReasonCheck, "unified social credit code has a wrong check character"}
	}
	return code, nil
}

// Make builds a valid code from a 2-character prefix (authority and
// category, e.g. "91"), a 6-digit administrative division code and an
// 8-character organisation code body, computing both check characters.
// Inputs are taken literally (no normalisation) because they come from
// program code, where lower case would be a bug worth surfacing.
func Make(prefix, region, orgBody string) (string, error) {
	if len(prefix) != 2 || !inAlphabet(prefix) {
		return "", &Error{ReasonCharset, "prefix must be 2 characters from the unified social credit code alphabet"}
	}
	if len(region) != 6 || !allDigits(region) {
		return "", &Error{ReasonRegion, "region must be a 6-digit administrative division code"}
	}
	// The body must be in the USCC alphabet, not merely GB 11714's wider
	// A-Z, or the resulting code would fail Validate's charset rule.
	if len(orgBody) != 8 || !inAlphabet(orgBody) {
		return "", &Error{ReasonCharset, "organisation code body must be 8 characters from the unified social credit code alphabet"}
	}
	oc, _ := orgCheck(orgBody)
	head := prefix + region + orgBody + string(oc)
	return head + string(finalCheck(head)), nil
}

// orgCheck computes the GB 11714 check character for an 8-character
// organisation code body. GB 11714 values letters by their ordinary
// alphabet position (A=10 ... Z=35), unlike the USCC final checksum.
// ok is false if body contains a character GB 11714 does not allow.
func orgCheck(body string) (c byte, ok bool) {
	sum := 0
	for i := 0; i < len(orgWeights); i++ {
		var v int
		switch ch := body[i]; {
		case '0' <= ch && ch <= '9':
			v = int(ch - '0')
		case 'A' <= ch && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, false
		}
		sum += v * orgWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + r), true
	}
}

// finalCheck computes the GB 32100 check character over the first 17
// characters, which must all be in Alphabet.
func finalCheck(head string) byte {
	sum := 0
	for i, w := range finalWeights {
		sum += int(alphabetValue[head[i]]) * w
	}
	return Alphabet[(31-sum%31)%31]
}

func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if alphabetValue[s[i]] < 0 {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
