package report

import "testing"

func TestShare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		part, whole int64
		want        string
	}{
		{0, 0, ""}, {0, 10, "0.0"}, {1, 3, "33.3"}, {2, 3, "66.7"}, {10, 10, "100.0"}, {15, 10, "150.0"},
	} {
		if got := Share(tc.part, tc.whole); got != tc.want {
			t.Errorf("Share(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                   "",
		"靖远枸杞":               "靖远枸杞",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"+1":                 "'+1",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"-1+1":               "'-1+1",
		"-12.5":              "-12.5", // a negative change stays a number
		"-cmd|' /C calc'!A0": "'-cmd|' /C calc'!A0",
		"12.5":               "12.5",
	} {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseYear(t *testing.T) {
	t.Parallel()
	if y, err := ParseYear(""); y != 0 || err != nil {
		t.Errorf("empty: %d %v", y, err)
	}
	if y, err := ParseYear("2021"); y != 2021 || err != nil {
		t.Errorf("2021: %d %v", y, err)
	}
	for _, junk := range []string{"abc", "2021x", "20.5", " 2021"} {
		if _, err := ParseYear(junk); err == nil {
			t.Errorf("ParseYear(%q): no error", junk)
		}
	}
}
