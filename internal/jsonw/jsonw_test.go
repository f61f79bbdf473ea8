package jsonw

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func stdString(t testing.TB, s string) string {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(want)
}

func TestStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []string{"", "plain", "靖远枸杞", `quote " and \ backslash`, "<script>&amp;</script>",
		"\x00\x01\x1f\x7f", "tab\tline\nret\rbell\bform\f", "\u2028\u2029", "bad \xff\xfe utf8 \xe4\xb8", "emoji 🍇"}
	for _, s := range cases {
		if got, want := string(String(nil, s)), stdString(t, s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
	// Random bytes, biased towards the characters that need escaping.
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte("ab<>&\"\\\x00\x1f\x7f\xe2\x80\xa8\xa9\xff\xe4\xb8\x8d")
	for range 20000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte(rng.IntN(256))
			}
		}
		if got, want := string(String(nil, string(b))), stdString(t, string(b)); got != want {
			t.Fatalf("%q: got %s, want %s", b, got, want)
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("靖远<枸杞>\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(String(nil, s)), stdString(t, s); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func TestTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 8, 30, 1, 120000000, time.UTC)
	want, _ := json.Marshal(at)
	if got := string(Time(nil, at)); got != string(want) {
		t.Fatalf("time: got %s, want %s", got, want)
	}
}
