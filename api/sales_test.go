package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gimark/internal/apitest"
	"gimark/model"
)

func salesRow(product int64, period, channel, platform, country, amount, kg string) map[string]any {
	r := map[string]any{"product_id": product, "period": period, "channel": channel, "amount_cny": amount, "quantity_kg": kg}
	if platform != "" {
		r["platform"] = platform
	}
	if country != "" {
		r["country"] = country
	}
	return r
}

func TestPutSales(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		ent := e.Enterprise("ent")
		goji := e.Product("靖远枸杞")
		notHeld := e.Product("会宁扁豆")
		e.Approved(ent, goji, rev)
		put := func(rows ...map[string]any) *apitest.Response {
			return e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": rows}})
		}
		r := put(salesRow(goji, "2021-06", "online", "tmall", "", "2370000.00", "1250.500"),
			salesRow(goji, "2021-06", "export", "", "jp", "40000", "400"),
			salesRow(goji, "2021-06", "offline", "", "", "0.01", "0"))
		if r.Code != 200 {
			t.Fatalf("put-200: %d %s", r.Code, r.Body)
		}
		same(t, "first put", map[string]any{"created": float64(3), "replaced": float64(0)}, fields(r.Map(t), "created", "replaced"))
		// Re-sending a key replaces the figure and keeps the old one in history.
		r = put(salesRow(goji, "2021-06", "online", "tmall", "", "2400000.00", "1300"))
		same(t, "replacing put", map[string]any{"created": float64(0), "replaced": float64(1)}, fields(r.Map(t), "created", "replaced"))
		var rec model.SalesRecord
		e.Store.DB().Where("channel = 'online'").Take(&rec)
		hist, _ := e.Store.SalesHistoryOf(t.Context(), rec.ID)
		same(t, "record's amount", int64(240000000), rec.AmountFen)
		if len(hist) != 1 {
			t.Fatalf("%d history rows, want 1: %+v", len(hist), hist)
		}
		same(t, "history", map[string]int64{"amount_fen": 237000000, "replaced_by": ent.UserID},
			map[string]int64{"amount_fen": hist[0].AmountFen, "replaced_by": hist[0].ReplacedBy})

		future := fmt.Sprintf("%d-%02d", e.Clock.Now().Year()+1, 1)
		tests := []struct {
			name   string
			rows   []map[string]any
			fields []string
		}{
			{"put-422-not-held", []map[string]any{salesRow(notHeld, "2021-06", "offline", "", "", "1", "1")}, []string{"records[0].product_id"}},
			{"put-422-future", []map[string]any{salesRow(goji, future, "offline", "", "", "1", "1")}, []string{"records[0].period"}},
			{"put-422-bad-period", []map[string]any{salesRow(goji, "2021-13", "offline", "", "", "1", "1")}, []string{"records[0].period"}},
			{"put-422-three-decimals", []map[string]any{salesRow(goji, "2021-06", "offline", "", "", "1.001", "1")}, []string{"records[0].amount_cny"}},
			{"put-422-four-decimals-kg", []map[string]any{salesRow(goji, "2021-06", "offline", "", "", "1", "1.0001")}, []string{"records[0].quantity_kg"}},
			{"put-422-negative", []map[string]any{salesRow(goji, "2021-06", "offline", "", "", "-1", "1")}, []string{"records[0].amount_cny"}},
			{"put-422-absurd", []map[string]any{salesRow(goji, "2021-06", "offline", "", "", "999999999999999", "1")}, []string{"records[0].amount_cny"}},
			{"put-422-online-without-platform", []map[string]any{salesRow(goji, "2021-06", "online", "", "", "1", "1")}, []string{"records[0].platform"}},
			{"put-422-unknown-platform", []map[string]any{salesRow(goji, "2021-06", "online", "taobao2", "", "1", "1")}, []string{"records[0].platform"}},
			{"put-422-export-without-country", []map[string]any{salesRow(goji, "2021-06", "export", "", "", "1", "1")}, []string{"records[0].country"}},
			{"put-422-not-a-country", []map[string]any{salesRow(goji, "2021-06", "export", "", "XX", "1", "1")}, []string{"records[0].country"}},
			{"put-422-bad-channel", []map[string]any{salesRow(goji, "2021-06", "wholesale", "", "", "1", "1")}, []string{"records[0].channel"}},
			{"put-422-duplicate-key", []map[string]any{salesRow(goji, "2021-07", "offline", "", "", "1", "1"), salesRow(goji, "2021-07", "offline", "", "", "2", "1")}, []string{"records[1].period"}},
			{"put-422-every-bad-row-named", []map[string]any{
				salesRow(goji, "2021-08", "offline", "", "", "1", "1"),
				salesRow(goji, "2021-08", "online", "", "", "x", "1"),
				salesRow(notHeld, "2021-08", "export", "", "US", "1", "1"),
			}, []string{"records[1].platform", "records[1].amount_cny", "records[2].product_id"}},
			{"put-422-empty", []map[string]any{}, []string{"records"}},
		}
		var before int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&before)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p := put(tc.rows...).Problem(t, 422)
				for _, f := range tc.fields {
					if !p.HasField(f) {
						t.Fatalf("problem does not name %s: %+v", f, p.Errors)
					}
				}
			})
		}
		var after int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&after)
		if after != before {
			t.Fatalf("refused puts wrote %d rows", after-before)
		}
		e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token,
			Body: `{"records":[{"product_id":1,"period":"2021-06","channel":"offline","amount_cny":12.5,"quantity_kg":"1"}]}`}).Problem(t, 422)
		e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: rev.Token, Body: map[string]any{"records": []any{}}}).Problem(t, 403)

		// Lists: own rows for the enterprise, everything for the bureau, with filters.
		var list struct {
			Items []struct {
				AmountCNY string `json:"amount_cny"`
			} `json:"items"`
			Total int64 `json:"total"`
		}
		e.Get("/api/v1/sales-records?channel=export&period_from=2021-01&period_to=2021-12", ent.Token).JSON(t, &list)
		if list.Total != 1 {
			t.Fatalf("filtered list: %+v", list)
		}
		other := e.Enterprise("other")
		e.Get("/api/v1/sales-records", other.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("another enterprise sees %d rows", list.Total)
		}
		e.Get("/api/v1/sales-records", rev.Token).JSON(t, &list)
		if list.Total != 3 {
			t.Fatalf("reviewer sees %d rows", list.Total)
		}
		e.Get("/api/v1/sales-records?period_from=June", rev.Token).Problem(t, 422)
		e.Get("/api/v1/sales-records?channel=x", rev.Token).Problem(t, 422)
	})
}

// TestPutSalesConcurrent: the same new rows sent at once never produce duplicates.
func TestPutSalesConcurrent(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev, ent := e.Reviewer("rev"), e.Enterprise("ent")
		goji := e.Product("靖远枸杞")
		e.Approved(ent, goji, rev)
		var rows []map[string]any
		for m := 1; m <= 12; m++ {
			rows = append(rows, salesRow(goji, fmt.Sprintf("2021-%02d", m), "online", "jd", "", "100.00", "1"))
		}
		const n = 8
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": rows}}).Code
			}()
		}
		wg.Wait()
		for _, c := range codes {
			if c != 200 {
				t.Fatalf("statuses %v", codes)
			}
		}
		var count, history int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&count)
		e.Store.DB().Model(&model.SalesHistory{}).Count(&history)
		if count != 12 || history != 12*(n-1) {
			t.Fatalf("%d rows and %d history rows after %d identical puts, want 12 and %d", count, history, n, 12*(n-1))
		}
	})
}

func TestReport(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		a, b := e.Enterprise("alpha"), e.Enterprise("beta")
		goji, dates := e.Product("靖远枸杞"), e.Product("靖远小口大枣")
		e.Approved(a, goji, rev)
		e.Approved(b, dates, rev)
		year := e.Clock.Now().Year()
		prev := year - 1
		p := func(y, m int) string { return fmt.Sprintf("%d-%02d", y, m) }
		for _, x := range []struct {
			acc  apitest.Account
			rows []map[string]any
		}{
			{a, []map[string]any{salesRow(goji, p(year, 1), "online", "tmall", "", "1000.00", "10"), salesRow(goji, p(year, 1), "export", "", "JP", "500.00", "5"),
				salesRow(goji, p(prev, 1), "online", "tmall", "", "800.00", "8")}},
			{b, []map[string]any{salesRow(dates, p(year, 1), "online", "jd", "", "250.50", "2.5"), salesRow(dates, p(year, 1), "offline", "", "", "99.99", "1")}},
		} {
			if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: x.acc.Token, Body: map[string]any{"records": x.rows}}); r.Code != 200 {
				t.Fatalf("put: %d %s", r.Code, r.Body)
			}
		}
		var s struct {
			AuthorizedEnterprises int64  `json:"authorized_enterprises"`
			FilingsApproved       int64  `json:"filings_approved"`
			OnlineSalesCNY        string `json:"online_sales_cny"`
			ExportCNY             string `json:"export_cny"`
			ExportQuantityKg      string `json:"export_quantity_kg"`
			OfflineSalesCNY       string `json:"offline_sales_cny"`
			ByMonth               []struct {
				Month          string `json:"month"`
				OnlineSalesCNY string `json:"online_sales_cny"`
			} `json:"by_month"`
			ByPlatform []struct{ Platform, AmountCNY string } `json:"by_platform"`
			ByCountry  []struct{ Country string }             `json:"by_country"`
			Previous   struct {
				OnlineSalesCNY string `json:"online_sales_cny"`
			} `json:"previous_year"`
			Change map[string]string `json:"change_percent"`
		}
		e.Get(fmt.Sprintf("/api/v1/reports/summary?year=%d", year), rev.Token).JSON(t, &s)
		if s.AuthorizedEnterprises != 2 || s.FilingsApproved != 2 || s.OnlineSalesCNY != "1250.50" || s.ExportCNY != "500.00" ||
			s.ExportQuantityKg != "5.000" || s.OfflineSalesCNY != "99.99" || len(s.ByMonth) != 12 || s.ByMonth[0].OnlineSalesCNY != "1250.50" ||
			len(s.ByPlatform) != 2 || s.ByCountry[0].Country != "JP" || s.Previous.OnlineSalesCNY != "800.00" || s.Change["online_sales_cny"] != "56.3" {
			t.Fatalf("summary: %+v", s)
		}
		// One product only; and an enterprise sees only its own figures.
		e.Get(fmt.Sprintf("/api/v1/reports/summary?year=%d&product_id=%d", year, dates), rev.Token).JSON(t, &s)
		if s.OnlineSalesCNY != "250.50" || s.AuthorizedEnterprises != 1 {
			t.Fatalf("by product: %+v", s)
		}
		e.Get(fmt.Sprintf("/api/v1/reports/summary?year=%d", year), a.Token).JSON(t, &s)
		if s.OnlineSalesCNY != "1000.00" || s.AuthorizedEnterprises != 1 || s.OfflineSalesCNY != "0.00" {
			t.Fatalf("enterprise's own report: %+v", s)
		}
		e.Get("/api/v1/reports/summary?year=1999", rev.Token).Problem(t, 422)
		e.Get(fmt.Sprintf("/api/v1/reports/summary?year=%d", year+1), rev.Token).Problem(t, 422)
		e.Get("/api/v1/reports/summary?product_id=99999", rev.Token).Problem(t, 422)

		csv := e.Get(fmt.Sprintf("/api/v1/reports/summary.csv?year=%d", year), rev.Token)
		if csv.Code != 200 || !bytes.HasPrefix(csv.Body, []byte("\xef\xbb\xbf")) || !utf8.Valid(csv.Body) ||
			!strings.Contains(string(csv.Body), "网络销售额(元),1250.50,800.00,56.3") || csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("csv: %d %v\n%s", csv.Code, csv.Header, csv.Body)
		}
	})
}
