package labelcode

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// isCanonical reports whether s looks like a canonical code, judged without
// the package's own tables so that a table bug cannot hide itself.
func isCanonical(s string) bool {
	if len(s) != Len {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(Alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// testCodes returns n codes built from a fixed seed, so a failure in the
// exhaustive tests can be reproduced exactly.
func testCodes(n int) []string {
	rng := rand.New(rand.NewChaCha8([32]byte{'l', 'a', 'b', 'e', 'l'}))
	codes := make([]string, n)
	for i := range codes {
		var r [payloadBytes]byte
		for j := range r {
			r[j] = byte(rng.Uint32())
		}
		var c [Len]byte
		encode(&c, &r)
		codes[i] = string(c[:])
	}
	return codes
}

func TestMul2(t *testing.T) {
	t.Parallel()
	// x^5 = x^2 + 1 under the reduction polynomial, so 2·0x10 = 0x05.
	if got := mul2[0x10]; got != 0x05 {
		t.Fatalf("mul2[0x10] = %#x, want 0x05", got)
	}
	seen := make(map[byte]bool)
	for x, y := range mul2 {
		if y >= 32 {
			t.Fatalf("mul2[%d] = %d out of range", x, y)
		}
		seen[y] = true
	}
	if len(seen) != 32 {
		t.Fatalf("mul2 is not a permutation: %d distinct values", len(seen))
	}
}

// TestQuasigroup checks, over every state and symbol pair, the two
// properties the detection guarantees rest on.
func TestQuasigroup(t *testing.T) {
	t.Parallel()
	op := func(s, d byte) byte { return mul2[s] ^ d }
	for s := byte(0); s < 32; s++ {
		row := make(map[byte]bool)
		col := make(map[byte]bool)
		for x := byte(0); x < 32; x++ {
			row[op(s, x)] = true
			col[op(x, s)] = true
			for y := byte(0); y < 32; y++ {
				if x != y && op(op(s, x), y) == op(op(s, y), x) {
					t.Fatalf("not weakly totally anti-symmetric: s=%d x=%d y=%d", s, x, y)
				}
			}
		}
		if len(row) != 32 || len(col) != 32 {
			t.Fatalf("row or column %d is not a permutation", s)
		}
	}
}

func TestCheckVectors(t *testing.T) {
	t.Parallel()
	// want values are worked by hand; 0 means "take the reference value",
	// for payloads too long to work through on paper.
	tests := []struct {
		payload string
		want    byte
	}{
		{"0000000000000000", '0'},
		{"0000000000000001", '2'}, // s = 1, check = 2·1
		{"000000000000000Z", 'V'}, // s = 0x1f, 2·s = 0x3e ^ 0x25 = 0x1b
		{"1000000000000000", 'V'}, // check = x^16 = x^4+x^3+x+1 = 0x1b
		{"ZZZZZZZZZZZZZZZZ", 0},
		{"0123456789ABCDEF", 0},
	}
	for _, tt := range tests {
		want := tt.want
		ref := referenceCheck(tt.payload)
		if want == 0 {
			want = ref
		} else if ref != want {
			t.Fatalf("reference check for %q = %c, test table says %c", tt.payload, ref, want)
		}
		got, err := Check(tt.payload)
		if err != nil || got != want {
			t.Errorf("Check(%q) = %q, %v; want %q", tt.payload, got, err, want)
		}
		if _, err := Parse(tt.payload + string(want)); err != nil {
			t.Errorf("Parse(%q + check) = %v", tt.payload, err)
		}
	}
}

// referenceCheck is the check symbol computed straight from the definition
// in GF(2^5): carry-less doubling, then reduction by x^5 + x^2 + 1.
func referenceCheck(payload string) byte {
	double := func(x int) int {
		x <<= 1
		if x&0x20 != 0 {
			x ^= 0x25
		}
		return x
	}
	s := 0
	for i := 0; i < len(payload); i++ {
		s = double(s) ^ strings.IndexByte(Alphabet, payload[i])
	}
	return Alphabet[double(s)]
}

func TestCheckRejects(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		"",
		"000000000000000",   // 15
		"00000000000000000", // 17
		"000000000000000a",  // lower case is not canonical
		"000000000000000I",  // aliases are not canonical
		"000000000000000U",  // not a symbol
		"0000-00000000000",  // separators are not canonical
	} {
		if _, err := Check(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("Check(%q) err = %v, want ErrMalformed", p, err)
		}
	}
}

func TestEncodeMatchesCheck(t *testing.T) {
	t.Parallel()
	for _, c := range testCodes(1000) {
		want, err := Check(c[:PayloadLen])
		if err != nil || c[PayloadLen] != want || referenceCheck(c[:PayloadLen]) != want {
			t.Fatalf("code %s: check %q err %v", c, want, err)
		}
	}
}

// TestEncodeBits checks that every payload bit reaches the code: flipping
// any one of the 80 input bits changes the payload symbols.
func TestEncodeBits(t *testing.T) {
	t.Parallel()
	var zero [payloadBytes]byte
	var base [Len]byte
	encode(&base, &zero)
	if string(base[:]) != "00000000000000000" {
		t.Fatalf("encode(0) = %s", base[:])
	}
	seen := make(map[string]bool)
	for bit := 0; bit < payloadBytes*8; bit++ {
		r := zero
		r[bit/8] = 1 << (7 - bit%8)
		var c [Len]byte
		encode(&c, &r)
		p := string(c[:PayloadLen])
		if seen[p] || p == string(base[:PayloadLen]) {
			t.Fatalf("bit %d does not produce a distinct payload: %s", bit, p)
		}
		seen[p] = true
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for i := 0; i < 1000; i++ {
		c, err := New()
		if err != nil {
			t.Fatal(err)
		}
		if !isCanonical(c) {
			t.Fatalf("New() = %q, not canonical", c)
		}
		if got, err := Parse(c); err != nil || got != c {
			t.Fatalf("Parse(%q) = %q, %v", c, got, err)
		}
		if seen[c] {
			t.Fatalf("duplicate code %s", c)
		}
		seen[c] = true
	}
}

func TestNewBatch(t *testing.T) {
	t.Parallel()
	const n = 100_000
	codes, err := NewBatch(n)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != n {
		t.Fatalf("len = %d, want %d", len(codes), n)
	}
	seen := make(map[string]bool, n)
	for _, c := range codes {
		if !isCanonical(c) {
			t.Fatalf("code %q not canonical", c)
		}
		if got, err := Parse(c); err != nil || got != c {
			t.Fatalf("Parse(%q) = %q, %v", c, got, err)
		}
		if seen[c] {
			t.Fatalf("duplicate code %s", c)
		}
		seen[c] = true
	}
	// Every symbol should turn up in every payload position; with 100,000
	// codes a missing one would mean the bits are not reaching the output.
	for pos := 0; pos < PayloadLen; pos++ {
		var count [256]int
		for _, c := range codes {
			count[c[pos]]++
		}
		for i := 0; i < len(Alphabet); i++ {
			if count[Alphabet[i]] == 0 {
				t.Errorf("symbol %c never appears at position %d", Alphabet[i], pos)
			}
		}
	}
}

func TestAppendBatch(t *testing.T) {
	t.Parallel()
	dst := []string{"keep"}
	// Crosses a chunk boundary so the chunked reads are exercised.
	dst, err := AppendBatch(dst, batchChunk+3)
	if err != nil {
		t.Fatal(err)
	}
	if len(dst) != batchChunk+4 || dst[0] != "keep" {
		t.Fatalf("len = %d, dst[0] = %q", len(dst), dst[0])
	}
	for _, c := range dst[1:] {
		if _, err := Parse(c); err != nil {
			t.Fatalf("Parse(%q) = %v", c, err)
		}
	}
	if got, err := AppendBatch(dst[:1], 0); err != nil || len(got) != 1 {
		t.Fatalf("AppendBatch(_, 0) = %d codes, %v", len(got), err)
	}
	if _, err := NewBatch(-1); err == nil {
		t.Fatal("NewBatch(-1) succeeded")
	}
	if _, err := AppendBatch(nil, -1); err == nil {
		t.Fatal("AppendBatch(nil, -1) succeeded")
	}
}

// TestDetectsAllSingleErrors tries every substitution at every position and
// every adjacent transposition of distinct symbols, check symbol included,
// over many codes. The counts are asserted so the test cannot pass by
// trying nothing.
func TestDetectsAllSingleErrors(t *testing.T) {
	t.Parallel()
	const nCodes = 2000
	codes := testCodes(nCodes)
	var subs, swaps, sameNeighbours int
	b := make([]byte, Len)
	for _, code := range codes {
		if _, err := Parse(code); err != nil {
			t.Fatalf("Parse(%q) = %v", code, err)
		}
		for pos := 0; pos < Len; pos++ {
			copy(b, code)
			for v := 0; v < len(Alphabet); v++ {
				if Alphabet[v] == code[pos] {
					continue
				}
				b[pos] = Alphabet[v]
				if _, err := Parse(string(b)); !errors.Is(err, ErrCheck) {
					t.Fatalf("substitution %s -> %s: err = %v", code, b, err)
				}
				subs++
			}
		}
		for pos := 0; pos+1 < Len; pos++ {
			if code[pos] == code[pos+1] {
				sameNeighbours++
				continue
			}
			copy(b, code)
			b[pos], b[pos+1] = b[pos+1], b[pos]
			if _, err := Parse(string(b)); !errors.Is(err, ErrCheck) {
				t.Fatalf("transposition %s -> %s: err = %v", code, b, err)
			}
			swaps++
		}
	}
	if want := nCodes * Len * (len(Alphabet) - 1); subs != want {
		t.Fatalf("tested %d substitutions, want %d", subs, want)
	}
	if want := nCodes*(Len-1) - sameNeighbours; swaps != want || swaps < nCodes*(Len-1)*9/10 {
		t.Fatalf("tested %d transpositions (%d skipped as equal), want %d", swaps, sameNeighbours, want)
	}
	t.Logf("rejected %d substitutions and %d transpositions over %d codes", subs, swaps, nCodes)
}

func TestParse(t *testing.T) {
	t.Parallel()
	code := testCodes(1)[0]
	lower := strings.ToLower(code)
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"canonical", code, code, nil},
		{"lower case", lower, code, nil},
		{"mixed case", lower[:8] + code[8:], code, nil},
		{"formatted", Format(code), code, nil},
		{"formatted lower", strings.ToLower(Format(code)), code, nil},
		{"spaces", strings.Join(strings.Split(code, ""), " "), code, nil},
		{"leading and trailing", "  -" + code + "- ", code, nil},
		{"doubled hyphens", code[:4] + "--" + code[4:], code, nil},
		{"empty", "", "", ErrMalformed},
		{"only separators", "- - -", "", ErrMalformed},
		{"too short", code[:Len-1], "", ErrMalformed},
		{"too long", code + "0", "", ErrMalformed},
		{"U", code[:Len-1] + "U", "", ErrMalformed},
		{"u", code[:Len-1] + "u", "", ErrMalformed},
		{"punctuation", code[:Len-1] + ".", "", ErrMalformed},
		{"underscore separator", code[:4] + "_" + code[4:], "", ErrMalformed},
		{"tab", code[:4] + "\t" + code[4:], "", ErrMalformed},
		{"NUL", code[:Len-1] + "\x00", "", ErrMalformed},
		{"non-ASCII", code[:Len-1] + "é", "", ErrMalformed},
		{"fullwidth digit", code[:Len-1] + "０", "", ErrMalformed},
		{"invalid UTF-8", code[:Len-1] + "\xff", "", ErrMalformed},
		{"long input", code + strings.Repeat("-", MaxInputLen), "", ErrMalformed},
		{"long at limit", code + strings.Repeat("-", MaxInputLen-Len), code, nil},
		{"very long", strings.Repeat("0", 1<<20), "", ErrMalformed},
		{"bad check", code[:Len-1] + string(otherSymbol(code[Len-1])), "", ErrCheck},
		{"bad check lower", strings.ToLower(code[:Len-1] + string(otherSymbol(code[Len-1]))), "", ErrCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

// otherSymbol returns a symbol different from c.
func otherSymbol(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func TestParseAliases(t *testing.T) {
	t.Parallel()
	// Build codes whose payload contains 0 and 1 at known places, then spell
	// those symbols with the letters people confuse them with.
	zeros := strings.Repeat("0", PayloadLen-2) + "10"
	c, err := Check(zeros)
	if err != nil {
		t.Fatal(err)
	}
	code := zeros + string(c)
	for _, in := range []string{
		strings.ReplaceAll(code[:PayloadLen], "0", "O") + code[PayloadLen:],
		strings.ReplaceAll(code[:PayloadLen], "0", "o") + code[PayloadLen:],
		code[:PayloadLen-2] + "I0" + code[PayloadLen:],
		code[:PayloadLen-2] + "i0" + code[PayloadLen:],
		code[:PayloadLen-2] + "L0" + code[PayloadLen:],
		code[:PayloadLen-2] + "lO" + code[PayloadLen:],
	} {
		if got, err := Parse(in); err != nil || got != code {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, code)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	// Not parallel: testing.AllocsPerRun refuses to run beside other tests.
	code := testCodes(1)[0]
	tests := []struct {
		in   string
		want float64
	}{
		{code, 0},
		{strings.ToLower(Format(code)), 1},
		{code[:Len-1] + string(otherSymbol(code[Len-1])), 0},
		{"not a code", 0},
	}
	for _, tt := range tests {
		got := testing.AllocsPerRun(100, func() { _, _ = Parse(tt.in) })
		if got > tt.want {
			t.Errorf("Parse(%q) allocates %v times, want at most %v", tt.in, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	if got := Format("0123456789ABCDEFG"); got != "0123-4567-89AB-CDEFG" {
		t.Fatalf("Format = %q", got)
	}
	for _, code := range testCodes(500) {
		f := Format(code)
		if len(f) != FormattedLen {
			t.Fatalf("Format(%q) = %q, length %d", code, f, len(f))
		}
		if got, err := Parse(f); err != nil || got != code {
			t.Fatalf("Parse(Format(%q)) = %q, %v", code, got, err)
		}
	}
	for _, in := range []string{"", "short", "0123-4567-89AB-CDEFG"} {
		if got := Format(in); got != in {
			t.Errorf("Format(%q) = %q, want input unchanged", in, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	code := testCodes(1)[0]
	for _, s := range []string{
		code,
		strings.ToLower(code),
		Format(code),
		" " + strings.ToLower(Format(code)) + " ",
		code[:Len-1] + "U",
		code[:Len-1],
		code + "0",
		"OOOOOOOOOOOOOOOOO",
		"IIIIIIIIIIIIIIIII",
		"",
		"\xff\xfe",
		strings.Repeat("-", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			if got != "" {
				t.Fatalf("Parse(%q) returned %q with error %v", s, got, err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrCheck) {
				t.Fatalf("Parse(%q) returned unexpected error %v", s, err)
			}
			return
		}
		if len(s) > MaxInputLen {
			t.Fatalf("Parse accepted %d-byte input %q", len(s), s)
		}
		if !isCanonical(got) {
			t.Fatalf("Parse(%q) = %q, not canonical", s, got)
		}
		if again, err := Parse(got); err != nil || again != got {
			t.Fatalf("Parse(%q) = %q, %v; not idempotent", got, again, err)
		}
		if again, err := Parse(Format(got)); err != nil || again != got {
			t.Fatalf("Parse(Format(%q)) = %q, %v", got, again, err)
		}
		if c, err := Check(got[:PayloadLen]); err != nil || c != got[PayloadLen] {
			t.Fatalf("Check(%q) = %q, %v; code ends in %q", got[:PayloadLen], c, err, got[PayloadLen])
		}
	})
}
