package sheet

import (
	"io"
	"testing"
)

// BenchmarkWrite builds 1,000 labels on each template, for profiling (go test -bench Write
// -cpuprofile); bench/labelpdf measures the 10,000-label file against its baseline.
func BenchmarkWrite(b *testing.B) {
	labels := sampleLabels(1000, "HTTPS://GI.BAIYIN.GOV.CN/V/")
	for _, tpl := range Templates {
		b.Run(tpl.Name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := Write(io.Discard, tpl, sampleFacts(), nil, labels, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(labels))/1e3, "µs/label")
		})
	}
}
