package epcis

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gimark/internal/labelcode"
	"gimark/model"
)

// fakeStore streams n synthetic labels for one batch, as the database would in keyset chunks.
type fakeStore struct{ n int }

func (f fakeStore) EPCISSources(context.Context, model.EPCISFilter) ([]model.EPCISSource, error) {
	return []model.EPCISSource{{Kind: model.EPCISBatchOrdered, At: time.Unix(1_780_000_000, 0), FilingID: 1, BatchID: 1,
		FirstLabelID: 1, Quantity: f.n, GTIN: "06901234567892", Lot: "LOT-7", AuthorizationNumber: "GI-620421-2026-00001"}}, nil
}

func (f fakeStore) StreamLabels(_ context.Context, _ int64, fn func(int, string) error) error {
	codes, err := labelcode.NewBatch(5000)
	if err != nil {
		return err
	}
	for i := 0; i < f.n; i++ {
		if err := fn(i+1, codes[i%len(codes)]); err != nil {
			return err
		}
	}
	return nil
}

func (fakeStore) StreamBatchVoidLabels(context.Context, *model.EPCISSource, time.Time, func(int, string) error) error {
	return nil
}

func (fakeStore) LabelsByGTIN(context.Context, int64, time.Time) (map[string]int64, error) {
	return nil, nil
}

// BenchmarkExportBatch exports one batch of 100,000 and of 1,000,000 labels and reports the
// peak heap in use while it streams: flat in the batch size (events of MaxEPCs), not
// proportional to it.
func BenchmarkExportBatch(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("labels=%d", n), func(b *testing.B) {
			e := NewExporter(fakeStore{n: n}, "https://gi.example.cn", nil)
			var peak atomic.Uint64
			for range b.N {
				runtime.GC()
				done := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					var ms runtime.MemStats
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
						select {
						case <-done:
							return
						case <-time.After(5 * time.Millisecond):
						}
					}
				}()
				if err := e.Write(context.Background(), model.EPCISFilter{}, io.Discard); err != nil {
					b.Fatal(err)
				}
				close(done)
				wg.Wait()
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "labels/s")
		})
	}
}
