package labelcode

import (
	"strconv"
	"strings"
	"testing"
)

var sinkString string

func BenchmarkParse(b *testing.B) {
	code := testCodes(1)[0]
	inputs := []struct {
		name string
		in   string
	}{
		{"canonical", code},
		{"lower-hyphenated", strings.ToLower(Format(code))},
		{"bad-check", code[:Len-1] + string(otherSymbol(code[Len-1]))},
		{"too-long", strings.Repeat("0", 4096)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString, _ = Parse(in.in)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkString, _ = New()
	}
}

// BenchmarkNewBatch reports ns/code, the figure that matters when issuing
// labels by the million.
func BenchmarkNewBatch(b *testing.B) {
	for _, n := range []int{1000, 1_000_000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				codes, err := NewBatch(n)
				if err != nil {
					b.Fatal(err)
				}
				sinkString = codes[n-1]
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/code")
		})
	}
}
