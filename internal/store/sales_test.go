package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/model"
)

// TestSalesTotalsFollowRecords: after creates and replacements, the bureau-wide totals equal
// the records grouped afresh, on both engines.
func TestSalesTotalsFollowRecords(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		var ents []*model.Enterprise
		var users []*model.User
		for i := range 3 {
			e := &model.Enterprise{USCC: fmt.Sprintf("T%017d", i), Name: "e", LegalRepresentative: "x", Address: "x", RegionCode: "620421", ContactPhone: "1"}
			u := &model.User{Username: fmt.Sprintf("u%d", i), PasswordHash: "x", Role: model.RoleEnterprise}
			if err := s.RegisterEnterprise(ctx, e, u); err != nil {
				t.Fatal(err)
			}
			ents, users = append(ents, e), append(users, u)
		}
		p := &model.Product{Name: "p", Kind: model.ProtectedProduct, ReferenceNumber: "x", RegionCode: "620421", Active: true}
		if err := s.CreateProduct(ctx, p, users[0].ID); err != nil {
			t.Fatal(err)
		}
		row := func(e int, m int, ch, pl, c string, fen int64) model.SalesRecord {
			return model.SalesRecord{EnterpriseID: ents[e].ID, ProductID: p.ID, Period: 202100 + m, Channel: ch, Platform: pl, Country: c, AmountFen: fen, QuantityG: fen / 10}
		}
		for round := range 3 {
			for e := range 3 {
				rows := []model.SalesRecord{row(e, 1, "online", "jd", "", int64(1000*(e+1)+round)), row(e, 2, "export", "", "JP", int64(500+round*e)),
					row(e, 1, "offline", "", "", 70)}
				if _, _, err := s.PutSales(ctx, rows, users[e].ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		totals, err := s.SalesGroups(ctx, model.ReportScope{Year: 2021})
		if err != nil {
			t.Fatal(err)
		}
		var fresh []model.SalesGroup
		if err := s.DB().Model(&model.SalesRecord{}).Select("period, channel, platform, country, SUM(amount_fen) AS amount_fen, SUM(quantity_g) AS quantity_g").
			Group("period, channel, platform, country").Scan(&fresh).Error; err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(totals, cmpGroup)
		slices.SortFunc(fresh, cmpGroup)
		if len(fresh) != 3 {
			t.Fatalf("%d groups of records, want 3: %+v", len(fresh), fresh)
		}
		if diff := cmp.Diff(fresh, totals); diff != "" {
			t.Fatalf("kept totals differ from the records' sums (-records +totals):\n%s", diff)
		}
	})
}

func cmpGroup(a, b model.SalesGroup) int {
	return strings.Compare(fmt.Sprint(a.Period, a.Channel, a.Platform, a.Country), fmt.Sprint(b.Period, b.Channel, b.Platform, b.Country))
}
