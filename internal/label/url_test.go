package label

import (
	"testing"

	"gimark/internal/gs1"
	"gimark/internal/qr"
	"gimark/model"
)

// TestDigitalLinkQRVersions measures the QR version (level M, the labels' default) of a
// Digital Link label URL written as gimark prints it (scheme and host upper-cased, so the
// whole URI is in QR alphanumeric mode) against the same URL in lower case (byte mode), and
// checks the printed form is still a valid Digital Link with the same values.
func TestDigitalLinkQRVersions(t *testing.T) {
	t.Parallel()
	const code = "0123456789ABCDEFG" // 16 + 1 symbols, the length of every label code
	cases := []struct {
		base, lot    string
		upper, lower int // QR versions measured: as printed, and all lower case
	}{
		{"https://gi.example.cn", "", 3, 4},
		{"https://gi.example.cn", "2026-A1", 4, 4},
		{"https://gimark.baiyin.gov.cn", "LOT-7", 4, 5},
		{"https://gimark.baiyin.gov.cn", "", 4, 4},
		// A lower-case lot is kept as given (AI 10 is case-sensitive): its letters need byte
		// mode for that segment.
		{"https://gi.example.cn", "lot7", 4, 4},
	}
	for _, c := range cases {
		b := model.LabelBatch{GTIN: "06901234567892", Lot: c.lot}
		printed := b.LabelURL(c.base, code)
		d, err := gs1.ParseDL(printed)
		if err != nil || d.GTIN != b.GTIN || d.Lot != c.lot || d.Serial != code {
			t.Fatalf("%s does not parse back: %+v %v", printed, d, err)
		}
		up, err := qr.Version(printed)
		if err != nil {
			t.Fatal(err)
		}
		low, err := qr.Version(lower(printed))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-75s version %d; lower case %d", printed, up, low)
		if up != c.upper || low != c.lower {
			t.Errorf("%s: versions %d/%d, measured before as %d/%d", printed, up, low, c.upper, c.lower)
		}
		if up > low {
			t.Errorf("%s: upper case made the symbol larger", printed)
		}
	}
	// Without a GTIN the URL is as before: /V/CODE (version 3 on this host, in either case).
	var plain model.LabelBatch
	if v, _ := qr.Version(plain.LabelURL("https://gi.example.cn", code)); v != 3 {
		t.Errorf("plain label: version %d", v)
	}
	if got := plain.LabelURL("https://gi.example.cn/", code); got != "HTTPS://GI.EXAMPLE.CN/V/"+code {
		t.Fatalf("plain label URL %s", got)
	}
	if got := plain.LabelURL("https://gi.example.cn/gi", code); got != "HTTPS://GI.EXAMPLE.CN/gi/v/"+code {
		t.Fatalf("base with a path: %s", got)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
