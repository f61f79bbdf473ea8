package decimal

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil}, {"12", 1200, nil}, {"12.5", 1250, nil}, {"12.50", 1250, nil}, {"0.01", 1, nil},
		{"007", 700, nil}, {"2370000.00", 237000000, nil}, {"10000000000000.00", MaxFen, nil},
		{"", 0, ErrSyntax}, {"+1", 0, ErrSyntax}, {" 1", 0, ErrSyntax}, {"1 ", 0, ErrSyntax},
		{".5", 0, ErrSyntax}, {"5.", 0, ErrSyntax}, {"1e3", 0, ErrSyntax}, {"0x10", 0, ErrSyntax},
		{"１２", 0, ErrSyntax}, {"1.2.3", 0, ErrSyntax}, {"-", 0, ErrSyntax}, {"--1", 0, ErrSyntax},
		{"-1", 0, ErrNegative}, {"-0.01", 0, ErrNegative}, {"1.234", 0, ErrPrecision},
		{"10000000000000.01", 0, ErrRange}, {"99999999999999999999999", 0, ErrRange},
	}
	for _, tc := range tests {
		got, err := ParseYuan(tc.in)
		if !errors.Is(err, tc.err) || (tc.err == nil && got != tc.want) {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if g, err := ParseKg("1250.5"); err != nil || g != 1250500 {
		t.Fatalf("ParseKg: %d %v", g, err)
	}
	if _, err := ParseKg("1.2345"); !errors.Is(err, ErrPrecision) {
		t.Fatalf("ParseKg precision: %v", err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v      int64
		places int
		want   string
	}{
		{0, 2, "0.00"}, {1, 2, "0.01"}, {237000000, 2, "2370000.00"}, {-1230, 2, "-12.30"},
		{1250500, 3, "1250.500"}, {5, 0, "5"}, {math.MinInt64, 2, "-92233720368547758.08"},
	}
	for _, tc := range tests {
		if got := Format(tc.v, tc.places); got != tc.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tc.v, tc.places, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "12.5", "2370000.00", "-1", "1e3", ".5", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, places := range []int{2, 3} {
			v, err := Parse(s, places, MaxFen)
			if err != nil {
				continue
			}
			if v < 0 || v > MaxFen {
				t.Fatalf("Parse(%q) = %d out of range", s, v)
			}
			back, err := Parse(Format(v, places), places, MaxFen)
			if err != nil || back != v {
				t.Fatalf("round trip %q → %d → %q → %d, %v", s, v, Format(v, places), back, err)
			}
		}
	})
}
