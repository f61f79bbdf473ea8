package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

// TestConsoleReportCSVIsTheAPIs: both downloads come from one row builder, so they are the
// same bytes: the offline row, the same month format, the same 同比 on every row, and a
// product name that starts like a formula escaped.
func TestConsoleReportCSVIsTheAPIs(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("goji1")
		rev := e.Reviewer("rev1")
		prod := e.Product("=1+1 靖远枸杞")
		e.Approved(ent, prod, rev)
		year := e.Clock.Now().Year()
		put := func(period, channel, extra, amount string) {
			t.Helper()
			row := map[string]any{"product_id": prod, "period": period, "channel": channel, "amount_cny": amount, "quantity_kg": "10"}
			if k, v, ok := strings.Cut(extra, "="); ok {
				row[k] = v
			}
			r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": []any{row}}})
			if r.Code != http.StatusOK && r.Code != http.StatusCreated {
				t.Fatalf("put sales: %d %s", r.Code, r.Body)
			}
		}
		put(fmt.Sprintf("%d-01", year), "online", "platform=tmall", "1250.50")
		put(fmt.Sprintf("%d-01", year-1), "online", "platform=tmall", "800.00")
		put(fmt.Sprintf("%d-01", year), "offline", "", "300.00")
		put(fmt.Sprintf("%d-01", year-1), "offline", "", "200.00")
		put(fmt.Sprintf("%d-01", year), "export", "country=JP", "50.00")

		// Two signals on the product this year, one resolved as a confirmed counterfeit.
		entID, now := ent.EnterpriseID, e.Clock.Now()
		for _, code := range []string{"A", "B"} {
			if err := e.Store.RaiseSignals(t.Context(), []model.SignalRaise{{Rule: model.RuleUnknownCode, Key: "unknown_code:" + code, Code: code,
				EnterpriseID: &entID, ProductID: &prod, Count: 2, First: now, Last: now}}); err != nil {
				t.Fatal(err)
			}
		}
		var sig model.SignalCase
		if err := e.Store.DB().Where("code = ?", "A").Take(&sig).Error; err != nil {
			t.Fatal(err)
		}
		if r := e.Post(fmt.Sprintf("/api/v1/signals/%d/events", sig.ID), rev.Token, map[string]string{"to": "resolved", "resolution": "confirmed_counterfeit", "note": "查获"}); r.Code != 200 {
			t.Fatalf("resolve: %d %s", r.Code, r.Body)
		}

		c := newClient(t, e)
		c.mustLogin(rev.Username, apitest.Password)
		for _, q := range []string{fmt.Sprintf("?year=%d", year), fmt.Sprintf("?year=%d&product_id=%d", year, prod)} {
			api := e.Get("/api/v1/reports/summary.csv"+q, rev.Token)
			con := c.get("/console/report.csv" + q)
			if api.Code != 200 || con.Code != 200 {
				t.Fatalf("%s: api %d, console %d", q, api.Code, con.Code)
			}
			if string(api.Body) != con.Body {
				t.Fatalf("%s: the downloads differ\napi:\n%s\nconsole:\n%s", q, api.Body, con.Body)
			}
			if api.Header.Get("Content-Disposition") != con.Header.Get("Content-Disposition") {
				t.Errorf("%s: file names differ: %q, %q", q, api.Header.Get("Content-Disposition"), con.Header.Get("Content-Disposition"))
			}
			for _, want := range []string{
				"网络销售额(元),1250.50,800.00,56.3",
				"线下销售额(元),300.00,200.00,50.0",
				fmt.Sprintf("%d-01,1250.50,50.00,10.000,300.00", year),
				"假冒线索数,2,0,",
				"其中确认假冒数,1,0,",
			} {
				if !strings.Contains(con.Body, want) {
					t.Errorf("%s: no row %q in\n%s", q, want, con.Body)
				}
			}
		}
		named := c.get(fmt.Sprintf("/console/report.csv?year=%d&product_id=%d", year, prod)).Body
		if !strings.Contains(named, ",'=1+1 靖远枸杞,") {
			t.Errorf("the product name is not escaped:\n%s", named)
		}

		// The page shows the same changes and the offline card.
		c.get(fmt.Sprintf("/console/report?year=%d", year)).must(t, 200, "线下销售额", "同比 56.3%", "同比 50.0%",
			"假冒线索</span><strong>2 <small>条</small>", "其中确认假冒</span><strong>1 <small>条</small>")
		// The enterprise's own report counts its signals too.
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		ec.get(fmt.Sprintf("/console/report?year=%d&product_id=%d", year, prod)).must(t, 200, "其中确认假冒</span><strong>1 <small>条</small>")
	})
}

// TestConsoleReportRefusesAJunkYear: the console answers ?year=abc as the API does (422,
// the year field named), not with this year's report.
func TestConsoleReportRefusesAJunkYear(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev1")
		c := newClient(t, e)
		c.mustLogin(rev.Username, apitest.Password)
		p := e.Get("/api/v1/reports/summary?year=abc", rev.Token).Problem(t, http.StatusUnprocessableEntity)
		if !p.HasField("year") || len(p.Errors) != 1 || p.Errors[0].Code != "year" {
			t.Fatalf("api: %+v", p)
		}
		page := c.get("/console/report?year=abc")
		page.must(t, http.StatusUnprocessableEntity, "请填写年份，如 2021。", `class="field-error"`)
		if strings.Contains(page.Body, "<svg") {
			t.Fatal("a junk year still showed a report")
		}
		c.get("/console/report.csv?year=abc").must(t, http.StatusUnprocessableEntity, "请填写年份，如 2021。")
	})
}

// TestConsoleReportOpensOnTheLatestYearWithData: with activity only years ago, the report
// opens on that year (not an empty current year) and the year list reaches back to it, for
// the bureau and for the enterprise.
func TestConsoleReportOpensOnTheLatestYearWithData(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		now := e.Clock.Now()
		old := now.Year() - 7
		e.Clock.Set(time.Date(old, 6, 1, 9, 0, 0, 0, time.UTC))
		ent := e.Enterprise("goji1")
		rev := e.Reviewer("rev1")
		prod := e.Product("靖远枸杞")
		e.Approved(ent, prod, rev)
		row := map[string]any{"product_id": prod, "period": fmt.Sprintf("%d-03", old), "channel": "online", "platform": "tmall", "amount_cny": "4321.00", "quantity_kg": "10"}
		if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": []any{row}}}); r.Code != http.StatusOK && r.Code != http.StatusCreated {
			t.Fatalf("put sales: %d %s", r.Code, r.Body)
		}
		e.Clock.Set(now)

		for _, user := range []string{rev.Username, ent.Username} {
			c := newClient(t, e)
			c.mustLogin(user, apitest.Password)
			p := c.get("/console/report")
			p.must(t, 200, fmt.Sprintf(`<option value="%d" selected>`, old), fmt.Sprintf(`<option value="%d">`, now.Year()), "3月：0.4", "<svg")
			// Asking for this year still shows this year.
			c.get(fmt.Sprintf("/console/report?year=%d", now.Year())).must(t, 200, fmt.Sprintf(`<option value="%d" selected>`, now.Year()))
		}
	})
}
