package sales

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"gimark/model"
)

type fuzzStore struct{ put []model.SalesRecord }

func (f *fuzzStore) HeldProducts(context.Context, int64) (map[int64]bool, error) {
	return map[int64]bool{1: true, 2: true}, nil
}

func (f *fuzzStore) PutSales(_ context.Context, rows []model.SalesRecord, _ int64) (int, int, error) {
	f.put = rows
	return len(rows), 0, nil
}

func (f *fuzzStore) ListSales(context.Context, model.SalesFilter, model.Page) ([]model.SalesRecord, int64, error) {
	return nil, 0, nil
}

// FuzzSalesPut feeds arbitrary request bodies to the sales rules: they never panic, and
// whatever they accept is a valid record (known channel and key, non-negative bounded
// integers, a past month).
func FuzzSalesPut(f *testing.F) {
	for _, s := range []string{
		`{"records":[{"product_id":1,"period":"2021-06","channel":"online","platform":"tmall","amount_cny":"2370000.00","quantity_kg":"1250.500"}]}`,
		`{"records":[{"product_id":2,"period":"2021-01","channel":"export","country":"jp","amount_cny":"1","quantity_kg":"0"}]}`,
		`{"records":[{"product_id":1,"period":"2021-13","channel":"offline","amount_cny":"-1","quantity_kg":"1e3"}]}`,
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		var req struct {
			Records []struct {
				ProductID  int64  `json:"product_id"`
				Period     string `json:"period"`
				Channel    string `json:"channel"`
				Platform   string `json:"platform"`
				Country    string `json:"country"`
				AmountCNY  string `json:"amount_cny"`
				QuantityKg string `json:"quantity_kg"`
			} `json:"records"`
		}
		if json.Unmarshal([]byte(body), &req) != nil {
			return
		}
		rows := make([]Row, len(req.Records))
		for i, r := range req.Records {
			rows[i] = Row(r)
		}
		st := &fuzzStore{}
		s := New(st, func() time.Time { return now })
		if _, _, err := s.Put(context.Background(), model.Principal{UserID: 1, Role: model.RoleEnterprise, EnterpriseID: 1}, rows); err != nil {
			if model.KindOf(err) != model.KindInvalid {
				t.Fatalf("unexpected error kind %v", err)
			}
			return
		}
		for _, r := range st.put {
			if r.AmountFen < 0 || r.AmountFen > MaxAmountFen || r.QuantityG < 0 || r.QuantityG > MaxQuantityG ||
				r.Period < 200001 || r.Period > 202611 || r.Period%100 < 1 || r.Period%100 > 12 || (r.ProductID != 1 && r.ProductID != 2) {
				t.Fatalf("accepted a bad record %+v", r)
			}
			switch r.Channel {
			case model.ChannelOnline:
				if r.Platform == "" || r.Country != "" {
					t.Fatalf("online record %+v", r)
				}
			case model.ChannelExport:
				if len(r.Country) != 2 || r.Platform != "" {
					t.Fatalf("export record %+v", r)
				}
			case model.ChannelOffline:
				if r.Platform != "" || r.Country != "" {
					t.Fatalf("offline record %+v", r)
				}
			default:
				t.Fatalf("channel %q accepted", r.Channel)
			}
		}
	})
}
