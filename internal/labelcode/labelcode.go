// Package labelcode generates and verifies the codes printed on GI
// (geographical indication) product labels.
//
// A code is 16 payload symbols carrying 80 random bits followed by one check
// symbol, all in Crockford base32, for 17 symbols in total. The canonical
// form is upper case with no separators; Format groups it for printing and
// Parse accepts what people and URLs hand back.
//
// The check symbol is a Damm check over the quasigroup x*y = 2·x ⊕ y in
// GF(2^5) (reduction polynomial x^5 + x^2 + 1). It detects every
// single-symbol substitution and every transposition of two adjacent
// symbols, including a transposition with the check symbol itself. The
// state starts at 0, each symbol d moves it to 2·s ⊕ d, and the check symbol
// is 2·s of the payload's final state, so a whole valid code ends in state 0.
// Detection follows from two properties:
//
//   - each row and column of the quasigroup is a permutation, so changing
//     one symbol changes the state at that point and every later step maps
//     different states to different states;
//   - (s*x)*y = 4s ⊕ 2x ⊕ y, so (s*x)*y == (s*y)*x means 3·(x ⊕ y) = 0,
//     which forces x == y because 3 ≠ 0 in GF(32).
package labelcode

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Len is the number of symbols in a canonical code, check symbol included.
const Len = 17

// PayloadLen is the number of random symbols before the check symbol.
const PayloadLen = Len - 1

// Alphabet is Crockford's base32 alphabet in value order: the symbol at
// index i has value i. I, L, O and U are left out so that printed codes
// cannot be misread.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// MaxInputLen bounds the input Parse is willing to look at. It is far above
// any plausible spelling of a code and stops a public endpoint from scanning
// attacker-sized strings.
const MaxInputLen = 64

// FormattedLen is the length of the string returned by Format.
const FormattedLen = Len + len(groups) - 1

// payloadBytes is how many random bytes a payload consumes: 16 symbols of
// 5 bits each are exactly 80 bits.
const payloadBytes = PayloadLen * 5 / 8

var (
	// ErrMalformed reports input that is too long, has the wrong number of
	// symbols, or contains a character that is not a symbol or separator.
	ErrMalformed = errors.New("labelcode: malformed code")
	// ErrCheck reports a well-formed code whose check symbol does not match,
	// which almost always means a typo rather than a forged code.
	ErrCheck = errors.New("labelcode: check symbol mismatch")
)

// groups is the layout used by Format. Runs of four are easy to read aloud
// and copy; the last run takes the fifth symbol so the check symbol never
// stands alone.
var groups = [...]int{4, 4, 4, 5}

// Flags in the decode table. The low five bits hold the symbol value.
const (
	valueMask    = 0x1f
	flagNonCanon = 0x20 // valid symbol, but not in canonical spelling
	flagSep      = 0x40 // separator, skipped
	flagBad      = 0x80 // not allowed anywhere
)

// decode maps every byte to its symbol value plus flags, so Parse does a
// single table lookup per byte and never branches on character classes.
var decode = func() [256]byte {
	var t [256]byte
	for i := range t {
		t[i] = flagBad
	}
	for v := 0; v < len(Alphabet); v++ {
		c := Alphabet[v]
		t[c] = byte(v)
		if c >= 'A' && c <= 'Z' {
			t[c+'a'-'A'] = byte(v) | flagNonCanon
		}
	}
	// Crockford decoding: letters that look like digits read as those digits.
	for _, c := range "IiLl" {
		t[c] = 1 | flagNonCanon
	}
	for _, c := range "Oo" {
		t[c] = 0 | flagNonCanon
	}
	t['-'] = flagSep
	t[' '] = flagSep
	return t
}()

// mul2 is multiplication by 2 in GF(2^5) modulo x^5 + x^2 + 1: the Damm
// step is s = mul2[s] ^ d, and the check symbol for a payload whose state is
// s is mul2[s].
var mul2 = func() [32]byte {
	var t [32]byte
	for x := range t {
		y := x << 1
		if x&0x10 != 0 {
			y ^= 0x25
		}
		t[x] = byte(y & valueMask)
	}
	return t
}()

// weight[i][d] is 2^(Len-1-i)·d, the share symbol d at position i
// contributes to the final state. A Damm step s = 2·s ⊕ d is linear, so the
// state after all Len symbols is the XOR of these shares. Independent
// lookups let the CPU overlap them, where stepping the state one symbol at a
// time is a chain of 17 dependent loads. weight[Len-1] is the identity, so
// the check symbol is the XOR of the payload symbols' shares.
var weight = func() [Len][32]byte {
	var w [Len][32]byte
	for d := range 32 {
		x := byte(d)
		for i := Len - 1; i >= 0; i-- {
			w[i][d] = x
			x = mul2[x]
		}
	}
	return w
}()

// New returns a fresh random code in canonical form. The error is kept so
// callers need not change if the randomness source ever becomes fallible.
func New() (string, error) {
	var r [payloadBytes]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("labelcode: reading randomness: %w", err)
	}
	var c [Len]byte
	encode(&c, &r)
	return string(c[:]), nil
}

// batchChunk is how many codes' worth of randomness AppendBatch reads at a
// time. Reading in chunks keeps the scratch buffer small however large the
// batch; measured throughput is the same as one read for the whole batch.
const batchChunk = 4096

// NewBatch returns n fresh random codes in canonical form.
//
// All n codes share one backing allocation (about 17 bytes per code), which
// makes issuing a million codes cheap. Holding any one code keeps that whole
// block alive; use strings.Clone on the few codes kept long-term if the rest
// of the batch is discarded.
func NewBatch(n int) ([]string, error) {
	return AppendBatch(nil, n)
}

// AppendBatch appends n fresh random codes to dst and returns the extended
// slice, for callers that reuse a slice across batches. The appended codes
// share one backing allocation, as with NewBatch.
func AppendBatch(dst []string, n int) ([]string, error) {
	if n < 0 || n > math.MaxInt/Len {
		return dst, fmt.Errorf("labelcode: invalid batch size %d", n)
	}
	if n == 0 {
		return dst, nil
	}
	// strings.Builder hands back its buffer without copying, so the whole
	// batch costs one allocation for the text instead of one per code.
	var sb strings.Builder
	sb.Grow(n * Len)
	chunk := min(n, batchChunk)
	rnd := make([]byte, chunk*payloadBytes)
	out := make([]byte, chunk*Len)
	for done := 0; done < n; {
		k := min(n-done, batchChunk)
		if _, err := rand.Read(rnd[:k*payloadBytes]); err != nil {
			return dst, fmt.Errorf("labelcode: reading randomness: %w", err)
		}
		for i := 0; i < k; i++ {
			encode((*[Len]byte)(out[i*Len:]), (*[payloadBytes]byte)(rnd[i*payloadBytes:]))
		}
		sb.Write(out[:k*Len])
		done += k
	}
	all := sb.String()
	dst = slices.Grow(dst, n)
	for i := 0; i < n; i++ {
		dst = append(dst, all[i*Len:(i+1)*Len])
	}
	return dst, nil
}

// Issuing codes in bulk spends much of its time turning random bits into
// symbols, so encode works on pairs of symbols (10 bits) at a time:
// pairWeight[p][v] is the check share of symbols 2p and 2p+1 and pairText[v]
// their two characters. Together the tables take 10 KiB.
var (
	pairWeight = func() (w [PayloadLen / 2][1024]byte) {
		for p := range w {
			for v := range 1024 {
				w[p][v] = weight[2*p][v>>5] ^ weight[2*p+1][v&valueMask]
			}
		}
		return w
	}()
	pairText = func() (t [1024]uint16) {
		for v := range t {
			t[v] = uint16(Alphabet[v>>5])<<8 | uint16(Alphabet[v&valueMask])
		}
		return t
	}()
)

// encode writes the code for 80 random bits into c, taking the bits
// big-endian, five at a time. The two 40-bit halves, eight symbols each, are
// handled side by side.
func encode(c *[Len]byte, r *[payloadBytes]byte) {
	hi := uint64(r[0])<<32 | uint64(r[1])<<24 | uint64(r[2])<<16 | uint64(r[3])<<8 | uint64(r[4])
	lo := uint64(r[5])<<32 | uint64(r[6])<<24 | uint64(r[7])<<16 | uint64(r[8])<<8 | uint64(r[9])
	var check byte
	var textHi, textLo uint64
	for i := range 4 {
		shift := 30 - 10*uint(i)
		a := (hi >> shift) & 1023
		b := (lo >> shift) & 1023
		check ^= pairWeight[i][a] ^ pairWeight[4+i][b]
		textHi = textHi<<16 | uint64(pairText[a])
		textLo = textLo<<16 | uint64(pairText[b])
	}
	binary.BigEndian.PutUint64(c[0:8], textHi)
	binary.BigEndian.PutUint64(c[8:16], textLo)
	c[PayloadLen] = Alphabet[check&valueMask]
}

// Parse normalises a code typed by a person or taken from a URL and verifies
// its check symbol. Case is ignored, hyphens and spaces are skipped, and I, L
// and O read as 1, 1 and 0. It returns the canonical code, or ErrMalformed
// or ErrCheck.
//
// Parse does not allocate when s is already canonical (it returns s itself)
// and otherwise allocates only the returned string.
func Parse(s string) (string, error) {
	// Fast path: codes from our own URLs and QR labels are already canonical.
	if len(s) == Len {
		var st, flags byte
		for i := 0; i < Len; i++ {
			e := decode[s[i]]
			flags |= e &^ valueMask
			st ^= weight[i][e&valueMask]
		}
		switch {
		case flags == 0 && st == 0:
			return s, nil
		case flags == 0:
			return "", ErrCheck
		case flags&flagBad != 0:
			return "", ErrMalformed
		}
	}
	if len(s) > MaxInputLen {
		return "", ErrMalformed
	}
	var c [Len]byte
	var st byte
	n := 0
	for i := 0; i < len(s); i++ {
		e := decode[s[i]]
		if e&flagSep != 0 {
			continue
		}
		if e&flagBad != 0 || n == Len {
			return "", ErrMalformed
		}
		v := e & valueMask
		c[n] = Alphabet[v]
		st ^= weight[n][v]
		n++
	}
	if n != Len {
		return "", ErrMalformed
	}
	if st != 0 {
		return "", ErrCheck
	}
	return string(c[:]), nil
}

// Check returns the check symbol for a payload of PayloadLen canonical
// symbols, or ErrMalformed. It is exported for tests and for programs that
// mint codes from payloads chosen elsewhere.
func Check(payload string) (byte, error) {
	if len(payload) != PayloadLen {
		return 0, ErrMalformed
	}
	var st byte
	for i := 0; i < len(payload); i++ {
		e := decode[payload[i]]
		if e&^valueMask != 0 {
			return 0, ErrMalformed
		}
		st ^= weight[i][e]
	}
	return Alphabet[st&valueMask], nil
}

// Format returns a canonical code grouped for people, as in
// "ABCD-EFGH-JKMN-PQRST". Parse accepts the result. Input that is not Len
// bytes long is returned unchanged rather than mangled.
func Format(code string) string {
	if len(code) != Len {
		return code
	}
	var b [FormattedLen]byte
	i, j := 0, 0
	for g, size := range groups {
		if g > 0 {
			b[j] = '-'
			j++
		}
		j += copy(b[j:], code[i:i+size])
		i += size
	}
	return string(b[:])
}
