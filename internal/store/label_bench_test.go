package store_test

import (
	"os"
	"strconv"
	"testing"

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
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("GIMARK_BENCH_LABELS")); err == nil {
		n = v
	}
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

func approvedFiling(b *testing.B, s *store.Store) *model.Filing {
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
