package store_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"gimark/internal/labelcode"
	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/model"
)

// BenchmarkIssueLabels issues one batch of GIMARK_BENCH_LABELS (default 200000) labels per
// iteration on each engine and reports labels/s:
//
//	GIMARK_TEST_MYSQL_DSN='root:@tcp(127.0.0.1:3306)/' go test -run='^$' -bench=IssueLabels -benchtime=3x ./internal/store
func BenchmarkIssueLabels(b *testing.B) {
	n := envInt("GIMARK_BENCH_LABELS", 200_000)
	for _, eng := range testdb.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) {
			s := eng.Open(b, nil)
			filing := approvedFiling(b, s)
			b.ResetTimer()
			for b.Loop() {
				bt := &model.LabelBatch{FilingID: filing.ID, Quantity: n, CreatedBy: 1}
				if err := s.CreateLabelBatch(b.Context(), bt, func(*model.Filing, int64) error { return nil }, labelcode.NewBatch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "labels/s")
		})
	}
}

// envInt is the integer in environment variable name, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// issueBatch issues n labels for a fresh approved filing.
func issueBatch(t testing.TB, s *store.Store, n int) *model.LabelBatch {
	f := approvedFiling(t, s)
	b := &model.LabelBatch{FilingID: f.ID, Quantity: n, CreatedBy: 1}
	if err := s.CreateLabelBatch(t.Context(), b, func(*model.Filing, int64) error { return nil }, labelcode.NewBatch); err != nil {
		t.Fatal(err)
	}
	return b
}

func approvedFiling(b testing.TB, s *store.Store) *model.Filing {
	ctx := b.Context()
	e := &model.Enterprise{USCC: "B00000000000000001", Name: "e", LegalRepresentative: "x", Address: "x", RegionCode: "620421", ContactPhone: "1"}
	u := &model.User{Username: "bench", PasswordHash: "x", Role: model.RoleEnterprise}
	if err := s.RegisterEnterprise(ctx, e, u); err != nil {
		b.Fatal(err)
	}
	p := &model.Product{Name: "p", Kind: model.ProtectedProduct, ReferenceNumber: "x", RegionCode: "620421", Active: true}
	if err := s.CreateProduct(ctx, p, u.ID); err != nil {
		b.Fatal(err)
	}
	pid := p.ID
	f := &model.Filing{EnterpriseID: e.ID, ProductID: pid, LiveProductID: &pid, Kind: model.FilingNew, Status: model.StatusApproved, ProductionAddress: "x", AnnualOutputGrams: 1}
	if err := s.CreateFiling(ctx, f, u.ID); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkRecordScans writes one scan flush (GIMARK_BENCH_FLUSH, default 1000, scans of random labels out of
// GIMARK_BENCH_LABELS, default 1000000, one in 50 an unknown code) per iteration and reports
// the cost per scan: the write load that verification puts on the database.
//
//	go test -run='^$' -bench=RecordScans -benchtime=200x ./internal/store
func BenchmarkRecordScans(b *testing.B) {
	n := envInt("GIMARK_BENCH_LABELS", 1_000_000)
	for _, eng := range testdb.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) {
			s := eng.Open(b, nil)
			bt := issueBatch(b, s, n)
			flush := envInt("GIMARK_BENCH_FLUSH", 1000)
			// Deferred counts are folded every 100,000 scans, so folds are part of the cost.
			foldEvery, flushes := 100_000, 0
			rng := rand.New(rand.NewPCG(1, 2))
			at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				f := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
				for i := range flush {
					at = at.Add(time.Millisecond)
					sc := model.Scan{Result: model.ResultGenuine, ClientHash: "0123456789abcdef0123456789abcdef", UserAgent: "Mozilla/5.0 (iPhone)", ScannedAt: at}
					if i%50 == 0 {
						sc.Result, sc.Code = model.ResultNotFound, "UNKNOWN"+strconv.Itoa(rng.IntN(100))
						t := f.Unknown[sc.Code]
						t.Add(at)
						f.Unknown[sc.Code] = t
					} else {
						id := bt.FirstLabelID + rng.Int64N(int64(n))
						sc.LabelID, sc.Code = &id, "CODE"
						t := f.Labels[id]
						t.Add(at)
						f.Labels[id] = t
					}
					f.Scans = append(f.Scans, sc)
				}
				if err := s.RecordScans(b.Context(), f, nil); err != nil {
					b.Fatal(err)
				}
				if flushes++; flushes*flush >= foldEvery {
					if _, _, err := s.FoldScanCounts(b.Context()); err != nil {
						b.Fatal(err)
					}
					flushes = 0
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(flush*b.N), "µs/scan")
		})
	}
}

// BenchmarkLabelForVerify compares verification's read with the benchmark baseline's query
// (three columns by code, on the pool verification reads from), over random codes of one
// batch, on each engine.
func BenchmarkLabelForVerify(b *testing.B) {
	for _, eng := range testdb.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) { benchmarkLabelForVerify(b, eng.Open(b, nil), eng.Name) })
	}
}

func benchmarkLabelForVerify(b *testing.B, s *store.Store, engine string) {
	filing := approvedFiling(b, s)
	bt := &model.LabelBatch{FilingID: filing.ID, Quantity: 100_000, CreatedBy: 1}
	var codes []string
	newCodes := func(n int) ([]string, error) {
		c, err := labelcode.NewBatch(n)
		codes = append(codes, c...)
		return c, err
	}
	if err := s.CreateLabelBatch(b.Context(), bt, func(*model.Filing, int64) error { return nil }, newCodes); err != nil {
		b.Fatal(err)
	}
	b.Run("LabelForVerify", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
			for pb.Next() {
				if _, err := s.LabelForVerify(b.Context(), codes[rng.IntN(len(codes))]); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	pool := s.Pools()["reader"]
	if engine == "mysql" {
		pool = s.Pools()["verify"]
	}
	stmt, err := pool.Prepare("SELECT id, status, scan_count FROM labels WHERE code = ?")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
			for pb.Next() {
				var id, count int64
				var status string
				if err := stmt.QueryRow(codes[rng.IntN(len(codes))]).Scan(&id, &status, &count); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
