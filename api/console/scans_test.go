package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
)

type scanFigures struct {
	Scans            int64
	DistinctNetworks int64            `json:"distinct_networks"`
	LabelsIssued     int64            `json:"labels_issued"`
	LabelsScanned    int64            `json:"labels_scanned"`
	SignalsRaised    int64            `json:"signals_raised"`
	SignalsByRule    map[string]int64 `json:"signals_by_rule"`
}

// figuresHTML is how the analytics page writes f.
func (f scanFigures) figuresHTML() []string {
	return []string{
		fmt.Sprintf("<strong>%d <small>次</small></strong>", f.Scans),
		fmt.Sprintf("<strong>%d <small>个</small></strong>", f.DistinctNetworks),
		fmt.Sprintf("<strong>%d <small>枚</small></strong>", f.LabelsIssued),
		fmt.Sprintf("<strong>%d <small>枚</small></strong>", f.LabelsScanned),
		fmt.Sprintf("<strong>%d <small>条</small></strong>", f.SignalsRaised),
	}
}

// TestConsoleScanAnalytics: the batch and product pages show the API's figures for the same
// period, for the bureau and the owner; a stranger's batch is 404 and its product figures
// hold none of the owner's scans; a junk date is refused next to its field.
func TestConsoleScanAnalytics(t *testing.T) {
	apitest.EachWith(t, apitest.Options{ScanThreshold: 2}, func(t *testing.T, e *apitest.Env) {
		w := newSigWorld(t, e)
		verify := func(code, addr string) {
			t.Helper()
			if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + code, RemoteAddr: addr + ":1234"}); r.Code != 200 {
				t.Fatalf("verify %s: %d", code, r.Code)
			}
		}
		for _, addr := range []string{"203.0.113.10", "198.51.100.20", "192.0.2.30"} {
			verify(w.codes[0], addr) // three networks: spread; past 2 scans: over-scanned
		}
		verify(w.codes[1], "203.0.113.11")
		e.Recorder.Sync()

		today := e.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		from := e.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -3).Format("2006-01-02")
		tomorrow := e.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format("2006-01-02")
		batch := fmt.Sprintf("/console/batches/%d/scans", w.batch)
		product := fmt.Sprintf("/console/scans?product_id=%d", w.product)
		for _, tc := range []struct {
			who     string
			c       *client
			token   string
			console string
			api     string
		}{
			{"reviewer batch", w.revC, w.rev.Token, batch, fmt.Sprintf("/api/v1/label-batches/%d/scans", w.batch)},
			{"owner batch", w.entC, w.ent.Token, batch + "?from=" + from + "&to=" + today, fmt.Sprintf("/api/v1/label-batches/%d/scans?from=%s&to=%s", w.batch, from, tomorrow)},
			{"reviewer product", w.revC, w.rev.Token, product + "&from=" + from, fmt.Sprintf("/api/v1/products/%d/scans?from=%s", w.product, from)},
			{"owner product", w.entC, w.ent.Token, product, fmt.Sprintf("/api/v1/products/%d/scans", w.product)},
			{"stranger product", w.otherC, w.other.Token, product, fmt.Sprintf("/api/v1/products/%d/scans", w.product)},
		} {
			var f scanFigures
			e.Get(tc.api, tc.token).JSON(t, &f)
			p := tc.c.get(tc.console)
			p.must(t, 200, append(f.figuresHTML(), "<svg", "每日扫码次数与网络数")...)
			for rule, n := range f.SignalsByRule {
				if n > 0 && !strings.Contains(p.Body, fmt.Sprintf("</td><td>%d</td></tr>", n)) {
					t.Errorf("%s: rule %s (%d) not on the page", tc.who, rule, n)
				}
			}
			if tc.who == "owner batch" && (f.Scans != 4 || f.LabelsScanned != 2 || f.DistinctNetworks != 3 || f.LabelsIssued != 4 || f.SignalsRaised != 2) {
				t.Fatalf("the API's batch figures: %+v", f)
			}
			if tc.who == "stranger product" && f.Scans != 0 {
				t.Fatalf("a stranger counts the owner's scans: %+v", f)
			}
		}
		// The day's bars: scans and networks of today, China time.
		w.entC.get(batch).must(t, 200, "激活率 50.0%", "多地扫描同一标签", "扫描次数过多",
			"<title>扫码次数 "+today[5:]+"：4</title>", "<title>不同网络 "+today[5:]+"：3</title>")
		w.otherC.get(batch).must(t, http.StatusNotFound)
		w.revC.get(batch+"?from=yesterday").must(t, http.StatusUnprocessableEntity, "请填写日期，如 2026-03-01。")
		w.revC.get(batch+"?from=2020-01-01").must(t, http.StatusUnprocessableEntity, "时间范围最长 366 天。")
		// The batch page links here; the enterprise's product choice is its own products.
		w.entC.get(fmt.Sprintf("/console/batches/%d", w.batch)).must(t, 200, batch)
		e.Product("景泰枸杞")
		ep := w.entC.get("/console/scans")
		ep.must(t, 200, "靖远枸杞")
		if strings.Contains(ep.Body, "景泰枸杞") {
			t.Fatal("the enterprise is offered a product it has no filing for")
		}
		w.revC.get("/console/scans").must(t, 200, "景泰枸杞", "靖远枸杞")
	})
}
