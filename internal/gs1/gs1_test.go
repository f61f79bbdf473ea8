package gs1

import (
	"errors"
	"strings"
	"testing"

	"gimark/internal/standards"
)

func TestGTINVectors(t *testing.T) {
	t.Parallel()
	rows := standards.TSV(t, "digital-link/gtin.tsv")
	for _, r := range rows {
		t.Run(r["gtin"], func(t *testing.T) {
			got, err := NormalizeGTIN(r["gtin"])
			if r["valid"] == "yes" {
				if err != nil || got != r["gtin14"] {
					t.Fatalf("NormalizeGTIN(%q) = %q, %v; want %q", r["gtin"], got, err, r["gtin14"])
				}
			} else if err == nil {
				t.Fatalf("NormalizeGTIN(%q) = %q, want an error", r["gtin"], got)
			}
			if want := r["expected_check"]; want != "-" {
				g := r["gtin"]
				if c := CheckDigit(g[:len(g)-1]); string(c) != want {
					t.Fatalf("CheckDigit(%q) = %c, want %s", g[:len(g)-1], c, want)
				}
			}
		})
	}
	if len(rows) < 20 {
		t.Fatalf("only %d GTIN vectors", len(rows))
	}
}

func TestDLVectors(t *testing.T) {
	t.Parallel()
	rows := standards.TSV(t, "digital-link/vectors.tsv")
	for _, r := range rows {
		t.Run(r["id"], func(t *testing.T) {
			d, err := ParseDL(r["uri"])
			if r["valid"] != "yes" {
				var de *DLError
				if !errors.As(err, &de) {
					t.Fatalf("ParseDL(%q) = %+v, %v; want a DLError", r["uri"], d, err)
				}
				if de.Class != r["error_class"] {
					t.Fatalf("ParseDL(%q): class %q, want %q", r["uri"], de.Class, r["error_class"])
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDL(%q): %v", r["uri"], err)
			}
			dash := func(s string) string {
				if s == "" {
					return "-"
				}
				return s
			}
			if d.GTIN != r["gtin14"] || dash(d.Lot) != r["lot_10"] || dash(d.Serial) != r["serial_21"] {
				t.Fatalf("ParseDL(%q) = %+v; want gtin %s lot %s serial %s", r["uri"], d, r["gtin14"], r["lot_10"], r["serial_21"])
			}
			var other []string
			if d.CPV != "" {
				other = append(other, "22="+d.CPV)
			}
			for k, v := range d.Attributes {
				other = append(other, k+"="+v+"(query)")
			}
			if got := dash(strings.Join(other, ",")); got != r["other_ais"] {
				t.Fatalf("other AIs %q, want %q", got, r["other_ais"])
			}
		})
	}
}

func TestPathRoundTrip(t *testing.T) {
	t.Parallel()
	for _, lot := range []string{"", "LOT-7", "AB/1", `X"Y%<>?`, "a+b c"[:3]} {
		p := Path("09520123456788", lot, "ABCDEFGHJKMNPQRST")
		d, err := ParseDLPath(p, "")
		if err != nil || d.Lot != lot || d.Serial != "ABCDEFGHJKMNPQRST" || d.GTIN != "09520123456788" {
			t.Fatalf("Path(%q) = %s parses to %+v, %v", lot, p, d, err)
		}
	}
}

// FuzzParseDL: the parser never panics, and whatever it accepts is a valid key (check digit,
// lengths, character set) that formats back to a path parsing to the same values.
func FuzzParseDL(f *testing.F) {
	for _, s := range []string{"https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
		"/01/09506000134376/10/AB%2F1/21/X%22Y", "/gtin/1", "/01/0952012345678A", "/x/01/10614141073464/22/a/10/b/21/c/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDL(s)
		if err != nil {
			return
		}
		if _, err := NormalizeGTIN(d.GTIN); err != nil || len(d.GTIN) != 14 {
			t.Fatalf("accepted GTIN %q: %v", d.GTIN, err)
		}
		for _, v := range []string{d.Lot, d.Serial, d.CPV} {
			if v != "" && !ValidCSET82(v, MaxLot) {
				t.Fatalf("accepted value %q outside CSET 82", v)
			}
		}
		back, err := ParseDLPath(Path(d.GTIN, d.Lot, d.Serial), "")
		if err != nil || back.GTIN != d.GTIN || back.Lot != d.Lot || back.Serial != d.Serial {
			t.Fatalf("round trip of %+v: %+v, %v", d, back, err)
		}
	})
}
