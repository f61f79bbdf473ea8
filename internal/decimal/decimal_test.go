package decimal

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var sentinels = []error{ErrSyntax, ErrPrecision, ErrNegative, ErrRange}

// errorKind returns the single sentinel err wraps, failing the test if it
// wraps none or several.
func errorKind(t *testing.T, err error) error {
	t.Helper()
	var found error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			if found != nil {
				t.Fatalf("error %v wraps both %v and %v", err, found, s)
			}
			found = s
		}
	}
	if found == nil {
		t.Fatalf("error %v wraps no sentinel", err)
	}
	return found
}

func TestParseYuan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"12", 1200, nil},
		{"12.5", 1250, nil},
		{"12.50", 1250, nil},
		{"0.01", 1, nil},
		{"0.5", 50, nil},
		{"0.00", 0, nil},
		{"007", 700, nil},
		{"00.10", 10, nil},
		{"2370000.00", 237000000, nil},
		{"10000000000000", MaxFen, nil},
		{"10000000000000.00", MaxFen, nil},
		{"000000000000000000000000000001.00", 100, nil},

		{"", 0, ErrSyntax},
		{".", 0, ErrSyntax},
		{"+1", 0, ErrSyntax},
		{" 1", 0, ErrSyntax},
		{"1 ", 0, ErrSyntax},
		{"1\n", 0, ErrSyntax},
		{".5", 0, ErrSyntax},
		{"5.", 0, ErrSyntax},
		{"1e3", 0, ErrSyntax},
		{"1E3", 0, ErrSyntax},
		{"0x10", 0, ErrSyntax},
		{"1,000.00", 0, ErrSyntax},
		{"1_000", 0, ErrSyntax},
		{"１２", 0, ErrSyntax},
		{"١٢", 0, ErrSyntax},
		{"1.2.3", 0, ErrSyntax},
		{"1..2", 0, ErrSyntax},
		{"NaN", 0, ErrSyntax},
		{"Inf", 0, ErrSyntax},
		{"-", 0, ErrSyntax},
		{"--1", 0, ErrSyntax},
		{"-+1", 0, ErrSyntax},
		{"- 1", 0, ErrSyntax},
		{"-.5", 0, ErrSyntax},

		{"-1", 0, ErrNegative},
		{"-0", 0, ErrNegative},
		{"-0.01", 0, ErrNegative},
		{"-1.234", 0, ErrNegative},

		{"1.234", 0, ErrPrecision},
		{"1.230", 0, ErrPrecision},
		{"0.001", 0, ErrPrecision},
		{"99999999999999999999.999", 0, ErrPrecision},

		{"10000000000000.01", 0, ErrRange},
		{"10000000000001", 0, ErrRange},
		{"92233720368547758.07", 0, ErrRange},
		{"92233720368547758.08", 0, ErrRange},
		{"99999999999999999999999", 0, ErrRange},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if tt.err == nil {
			if err != nil || got != tt.want {
				t.Errorf("ParseYuan(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseYuan(%q) = %d, nil; want %v", tt.in, got, tt.err)
			continue
		}
		if k := errorKind(t, err); k != tt.err || got != 0 {
			t.Errorf("ParseYuan(%q) = %d, %v; want 0, %v", tt.in, got, err, tt.err)
		}
	}
}

func TestParseKg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"1250.500", 1250500, nil},
		{"1250.5", 1250500, nil},
		{"0.001", 1, nil},
		{"3", 3000, nil},
		{"1000000000000.000", MaxGrams, nil},
		{"1.2345", 0, ErrPrecision},
		{"1000000000000.001", 0, ErrRange},
		{"-0.5", 0, ErrNegative},
		{"1,5", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseKg(tt.in)
		if tt.err == nil {
			if err != nil || got != tt.want {
				t.Errorf("ParseKg(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || errorKind(t, err) != tt.err {
			t.Errorf("ParseKg(%q) = %d, %v; want %v", tt.in, got, err, tt.err)
		}
	}
}

// TestParseLimits covers places and maxUnits at their edges, where the
// overflow-safe accumulation matters most.
func TestParseLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		places   int
		maxUnits int64
		want     int64
		err      error
	}{
		{"9223372036854775807", 0, math.MaxInt64, math.MaxInt64, nil},
		{"9223372036854775808", 0, math.MaxInt64, 0, ErrRange},
		{"92233720368547758.07", 2, math.MaxInt64, math.MaxInt64, nil},
		{"92233720368547758.08", 2, math.MaxInt64, 0, ErrRange},
		{"9.223372036854775807", 18, math.MaxInt64, math.MaxInt64, nil},
		{"9.223372036854775808", 18, math.MaxInt64, 0, ErrRange},
		{"0.000000000000000001", 18, math.MaxInt64, 1, nil},
		{"18446744073709551616", 0, math.MaxInt64, 0, ErrRange},
		{"5", 0, 5, 5, nil},
		{"6", 0, 5, 0, ErrRange},
		{"0", 0, 0, 0, nil},
		{"0.1", 1, 0, 0, ErrRange},
		{"0", 0, -1, 0, ErrRange},
		{"1.5", 0, math.MaxInt64, 0, ErrPrecision},
		{"15", 0, math.MaxInt64, 15, nil},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.places, tt.maxUnits)
		if tt.err == nil {
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q, %d, %d) = %d, %v; want %d, nil", tt.in, tt.places, tt.maxUnits, got, err, tt.want)
			}
			continue
		}
		if err == nil || errorKind(t, err) != tt.err {
			t.Errorf("Parse(%q, %d, %d) = %d, %v; want %v", tt.in, tt.places, tt.maxUnits, got, err, tt.err)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"1.234", `decimal: too many fractional digits: "1.234" has more than 2 fractional digits`},
		{"-1", `decimal: negative value: "-1"`},
		{"10000000000000.01", `decimal: value out of range: "10000000000000.01" exceeds 10000000000000.00`},
		{"1e3", `decimal: invalid syntax: "1e3" is not a plain decimal number such as "12.50"`},
		{strings.Repeat("x", 100), `decimal: invalid syntax: "` + strings.Repeat("x", 40) + `"... is not a plain decimal number such as "12.50"`},
	}
	for _, tt := range tests {
		_, err := ParseYuan(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseYuan(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v      int64
		places int
		want   string
	}{
		{0, 2, "0.00"},
		{1, 2, "0.01"},
		{10, 2, "0.10"},
		{100, 2, "1.00"},
		{237000000, 2, "2370000.00"},
		{-1, 2, "-0.01"},
		{-1230, 2, "-12.30"},
		{1250500, 3, "1250.500"},
		{1, 3, "0.001"},
		{0, 0, "0"},
		{5, 0, "5"},
		{-5, 0, "-5"},
		{math.MaxInt64, 0, "9223372036854775807"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64, 2, "-92233720368547758.08"},
		{math.MaxInt64, 18, "9.223372036854775807"},
		{1, 18, "0.000000000000000001"},
	}
	for _, tt := range tests {
		if got := Format(tt.v, tt.places); got != tt.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tt.v, tt.places, got, tt.want)
		}
	}
}

func TestFormatHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"FormatFen", FormatFen(237000000), "2370000.00"},
		{"FormatFen negative", FormatFen(-5), "-0.05"},
		{"FormatGrams", FormatGrams(1250500), "1250.500"},
		{"FormatGrams zero", FormatGrams(0), "0.000"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestRoundTrip checks that canonical strings, which is what Format
// produces, survive Parse then Format unchanged.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s      string
		places int
	}{
		{"0.00", 2},
		{"0.01", 2},
		{"12.50", 2},
		{"2370000.00", 2},
		{"10000000000000.00", 2},
		{"1250.500", 3},
		{"0.001", 3},
		{"1000000000000.000", 3},
		{"7", 0},
	}
	for _, tt := range tests {
		v, err := Parse(tt.s, tt.places, math.MaxInt64)
		if err != nil {
			t.Errorf("Parse(%q, %d): %v", tt.s, tt.places, err)
			continue
		}
		if got := Format(v, tt.places); got != tt.s {
			t.Errorf("Format(Parse(%q)) = %q", tt.s, got)
		}
	}
}

func TestBadPlacesPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func()
	}{
		{"Parse negative", func() { _, _ = Parse("1", -1, 10) }},
		{"Parse too many", func() { _, _ = Parse("1", MaxPlaces+1, 10) }},
		{"Format negative", func() { _ = Format(1, -1) }},
		{"Format too many", func() { _ = Format(1, MaxPlaces+1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.f()
		})
	}
}

// canonical is an independent reference for what an accepted string means:
// leading zeros dropped and the fraction padded to places.
func canonical(s string, places int) string {
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if places == 0 {
		return intPart
	}
	return intPart + "." + frac + strings.Repeat("0", places-len(frac))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0", "12", "12.5", "0.01", "007", "2370000.00", "1250.500",
		"-1", "1e3", ".5", "5.", "+1", " 1", "１２", "1.234",
		"9223372036854775807", "99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, places := range []int{0, 2, 3, MaxPlaces} {
			for _, maxUnits := range []int64{MaxFen, math.MaxInt64} {
				v, err := Parse(s, places, maxUnits)
				if err != nil {
					errorKind(t, err)
					if v != 0 {
						t.Fatalf("Parse(%q, %d, %d) = %d with error %v", s, places, maxUnits, v, err)
					}
					continue
				}
				if v < 0 || v > maxUnits {
					t.Fatalf("Parse(%q, %d, %d) = %d, outside [0, maxUnits]", s, places, maxUnits, v)
				}
				out := Format(v, places)
				if want := canonical(s, places); out != want {
					t.Fatalf("Parse(%q, %d) = %d formats as %q, want %q", s, places, v, out, want)
				}
				back, err := Parse(out, places, maxUnits)
				if err != nil || back != v {
					t.Fatalf("Parse(Format(%d, %d) = %q) = %d, %v", v, places, out, back, err)
				}
			}
		}
	})
}
