package uscc

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// realCodes are published codes of real organisations, so they check the
// algorithm against the standard rather than against itself.
var realCodes = []string{
	"914403001922038216", // enterprise, Shenzhen, numeric org code
	"91350100M000100Y43", // enterprise, Fuzhou, org code with letters
}

func reasonOf(t *testing.T, err error) string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Msg == "" || !strings.HasSuffix(e.Error(), e.Msg) {
		t.Fatalf("error %#v has an unusable message", e)
	}
	return e.Reason
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"914403001922038216", "914403001922038216"},
		{"  91350100m000100y43\t", "91350100M000100Y43"},
		{"\n91350100M000100Y43 ", "91350100M000100Y43"},
		{"abc xyz", "ABC XYZ"},
		// Look-alikes are not mapped; Validate rejects them instead.
		{"o1", "O1"},
		// Non-ASCII letters are left alone so length and meaning are kept.
		{"ı", "ı"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"914403001922038216", "914403001922038216"},
		{"91350100M000100Y43", "91350100M000100Y43"},
		{"91350100m000100y43", "91350100M000100Y43"},
		{"  91350100M000100Y43  ", "91350100M000100Y43"},
		{"\t914403001922038216\n", "914403001922038216"},
	}
	for _, tt := range tests {
		got, err := Validate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Validate(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", ReasonLength},
		{"blank", "   ", ReasonLength},
		{"17 chars", "91440300192203821", ReasonLength},
		{"19 chars", "9144030019220382160", ReasonLength},
		{"old 15-digit registration number", "440301103023839", ReasonLength},
		{"inner space", "9144030019 2038216", ReasonCharset},
		{"full-width digit", "９14403001922038216", ReasonCharset},
		{"letter O for zero", "91440300192203821O", ReasonCharset},
		{"letter I", "9I4403001922038216", ReasonCharset},
		{"letter Z", "91440300192203821Z", ReasonCharset},
		{"hyphen", "91440300-922038216", ReasonCharset},
		{"letter in region", "9144A3001922038216", ReasonRegion},
		{"org check wrong", "914403001922038226", ReasonOrgCheck},
		{"final check wrong", "914403001922038217", ReasonCheck},
		{"final check wrong, lettered", "91350100M000100Y44", ReasonCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(tt.in)
			if err == nil {
				t.Fatalf("Validate(%q) = %q, nil; want %s error", tt.in, got, tt.reason)
			}
			if got != "" {
				t.Errorf("Validate(%q) returned code %q along with an error", tt.in, got)
			}
			if r := reasonOf(t, err); r != tt.reason {
				t.Errorf("Validate(%q) reason = %q, want %q (%v)", tt.in, r, tt.reason, err)
			}
		})
	}
}

// TestValidateSingleSubstitution checks the property the final checksum is
// designed for: no single mistyped character goes unnoticed.
func TestValidateSingleSubstitution(t *testing.T) {
	t.Parallel()
	// Out-of-alphabet characters, plus lower-case ones that normalise to
	// alphabet letters and so act as ordinary substitutions.
	extra := "IOSVZ-_ .a" + "jy"
	for _, code := range realCodes {
		for pos := 0; pos < Length; pos++ {
			for _, sub := range Alphabet + extra {
				if strings.ToUpper(string(sub)) == code[pos:pos+1] {
					continue
				}
				bad := code[:pos] + string(sub) + code[pos+1:]
				if got, err := Validate(bad); err == nil {
					t.Errorf("Validate(%q) = %q, nil; corruption at position %d accepted", bad, got, pos+1)
				}
			}
		}
	}
}

// TestValidateOrgCheckOnly covers codes whose final checksum is right but
// whose embedded organisation code is not, which a final-check-only
// validator would wrongly accept.
func TestValidateOrgCheckOnly(t *testing.T) {
	t.Parallel()
	for _, code := range realCodes {
		for _, c := range "0123456789X" {
			if byte(c) == code[16] {
				continue
			}
			head := code[:16] + string(c)
			bad := head + string(finalCheck(head))
			_, err := Validate(bad)
			if err == nil {
				t.Errorf("Validate(%q) accepted a wrong organisation check character", bad)
				continue
			}
			if r := reasonOf(t, err); r != ReasonOrgCheck {
				t.Errorf("Validate(%q) reason = %q, want %q", bad, r, ReasonOrgCheck)
			}
		}
	}
}

// TestValidateRegionReason makes sure a lettered region is reported as
// such even when both checksums happen to hold.
func TestValidateRegionReason(t *testing.T) {
	t.Parallel()
	head := "91" + "4403A0" + "19220382"
	oc, _ := orgCheck(head[8:])
	head += string(oc)
	code := head + string(finalCheck(head))
	_, err := Validate(code)
	if err == nil {
		t.Fatalf("Validate(%q) accepted a lettered region", code)
	}
	if r := reasonOf(t, err); r != ReasonRegion {
		t.Errorf("Validate(%q) reason = %q, want %q", code, r, ReasonRegion)
	}
}

func TestOrgCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want byte
	}{
		{"19220382", '1'},
		{"M000100Y", '4'},
		// Sum 3*1 = 3 -> 11-3 = 8.
		{"10000000", '8'},
		// Sum 0 -> 11 -> '0'.
		{"00000000", '0'},
		// Sum 3*1+7*1+9*1+10*1+5*1+8*1+4*1+2*0 = 46 = 4*11+2 -> 9.
		{"11111110", '9'},
		// Sum 3*4 = 12, 12 mod 11 = 1, 11-1 = 10 -> 'X'.
		{"40000000", 'X'},
		// Letters use A=10 ... Z=35, so Z in the last slot adds 70 = 6*11+4 -> 7.
		{"0000000Z", '7'},
	}
	for _, tt := range tests {
		got, ok := orgCheck(tt.body)
		if !ok || got != tt.want {
			t.Errorf("orgCheck(%q) = %q, %v; want %q, true", tt.body, got, ok, tt.want)
		}
	}
	if _, ok := orgCheck("0000000-"); ok {
		t.Errorf("orgCheck accepted a non-alphanumeric body")
	}
}

func TestMakeRealCodes(t *testing.T) {
	t.Parallel()
	for _, code := range realCodes {
		got, err := Make(code[:2], code[2:8], code[8:16])
		if err != nil || got != code {
			t.Errorf("Make(%q, %q, %q) = %q, %v; want %q", code[:2], code[2:8], code[8:16], got, err, code)
		}
	}
}

func TestMakeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, prefix, region, body, reason string
	}{
		{"short prefix", "9", "440300", "19220382", ReasonCharset},
		{"long prefix", "911", "440300", "19220382", ReasonCharset},
		{"lower-case prefix", "9a", "440300", "19220382", ReasonCharset},
		{"excluded letter in prefix", "9I", "440300", "19220382", ReasonCharset},
		{"short region", "91", "44030", "19220382", ReasonRegion},
		{"lettered region", "91", "4403A0", "19220382", ReasonRegion},
		{"short body", "91", "440300", "1922038", ReasonCharset},
		{"long body", "91", "440300", "192203821", ReasonCharset},
		{"body letter outside alphabet", "91", "440300", "1922038Z", ReasonCharset},
		{"lower-case body", "91", "440300", "m000100y", ReasonCharset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Make(tt.prefix, tt.region, tt.body)
			if err == nil {
				t.Fatalf("Make(%q, %q, %q) = %q, nil; want error", tt.prefix, tt.region, tt.body, got)
			}
			if r := reasonOf(t, err); r != tt.reason {
				t.Errorf("reason = %q, want %q", r, tt.reason)
			}
		})
	}
}

func TestMakeRoundTrip(t *testing.T) {
	t.Parallel()
	// A fixed seed keeps failures reproducible.
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[rng.IntN(len(set))]
		}
		return string(b)
	}
	for i := 0; i < 20000; i++ {
		prefix, region, body := pick(Alphabet, 2), pick("0123456789", 6), pick(Alphabet, 8)
		code, err := Make(prefix, region, body)
		if err != nil {
			t.Fatalf("Make(%q, %q, %q): %v", prefix, region, body, err)
		}
		if code[:16] != prefix+region+body {
			t.Fatalf("Make(%q, %q, %q) = %q does not keep its inputs", prefix, region, body, code)
		}
		got, err := Validate(code)
		if err != nil || got != code {
			t.Fatalf("Validate(Make(%q, %q, %q) = %q) = %q, %v", prefix, region, body, code, got, err)
		}
		if got, err := Validate(strings.ToLower(code)); err != nil || got != code {
			t.Fatalf("Validate(%q) = %q, %v; want %q", strings.ToLower(code), got, err, code)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, c := range realCodes {
		f.Add(c)
		f.Add(strings.ToLower(c))
		f.Add(" " + c + " ")
	}
	f.Add("")
	f.Add("91440300192203821O")
	f.Add("９14403001922038216")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := Validate(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" || e.Msg == "" {
				t.Fatalf("Validate(%q) returned unexpected error %#v", s, err)
			}
			if code != "" {
				t.Fatalf("Validate(%q) returned %q with error %v", s, code, err)
			}
			return
		}
		if len(code) != Length {
			t.Fatalf("Validate(%q) accepted %q of length %d", s, code, len(code))
		}
		if n := Normalize(code); n != code {
			t.Fatalf("accepted code %q normalises to %q", code, n)
		}
		if again, err := Validate(code); err != nil || again != code {
			t.Fatalf("accepted code %q re-validates as %q, %v", code, again, err)
		}
		if made, err := Make(code[:2], code[2:8], code[8:16]); err != nil || made != code {
			t.Fatalf("Make rebuilds accepted code %q as %q, %v", code, made, err)
		}
	})
}
