package api_test

import (
	"fmt"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

// The rules run where scans are written: verify through the router, let the recorder write
// (Sync), and read the signals the rules raised.

type signalList struct {
	Total int64
	Items []struct {
		ID      int64
		Rule    string
		Code    string
		Count   int64
		BatchID *int64 `json:"batch_id"`
	}
}

func (l signalList) of(rule string) []int64 {
	var out []int64
	for _, s := range l.Items {
		if s.Rule == rule {
			out = append(out, s.Count)
		}
	}
	return out
}

func TestRulesFromVerification(t *testing.T) {
	apitest.EachWith(t, apitest.Options{ScanThreshold: 3}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		batch := w.order(t, 4)
		rows := w.codes(t, batch)
		copied, home, voided := rows[1][1], rows[2][1], rows[3][1]
		verify := func(code, addr string) {
			t.Helper()
			if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + code, RemoteAddr: addr + ":1234"}); r.Code != 200 {
				t.Fatalf("verify %s from %s: %d", code, addr, r.Code)
			}
		}
		// One label from three cities' networks; another scanned at home from two addresses of one /24.
		verify(copied, "203.0.113.10")
		verify(copied, "198.51.100.20")
		verify(home, "192.0.2.1")
		verify(home, "192.0.2.99")
		e.Recorder.Sync()
		var l signalList
		e.Get("/api/v1/signals", w.rev.Token).JSON(t, &l)
		if n := l.of(model.RuleSpread); len(n) != 0 {
			t.Fatalf("spread below three networks: %v", l)
		}
		verify(copied, "[2001:db8:1::5]")
		e.Recorder.Sync()
		e.Get("/api/v1/signals", w.rev.Token).JSON(t, &l)
		if n := l.of(model.RuleSpread); len(n) != 1 || n[0] != 3 {
			t.Fatalf("spread: %+v", l)
		}
		// Over-scanned past the threshold (3): the fourth scan.
		verify(home, "192.0.2.1")
		e.Recorder.Sync()
		e.Get("/api/v1/signals?rule=over_scanned", w.rev.Token).JSON(t, &l)
		if l.Total != 0 {
			t.Fatalf("over-scanned at the threshold: %+v", l)
		}
		verify(home, "192.0.2.1")
		e.Recorder.Sync()
		e.Get("/api/v1/signals?rule=over_scanned", w.rev.Token).JSON(t, &l)
		if l.Total != 1 || l.Items[0].Code != home || l.Items[0].Count != 4 {
			t.Fatalf("over-scanned: %+v", l)
		}
		// A voided label still scanned.
		e.Post("/api/v1/labels/"+voided+"/void", w.owner.Token, map[string]string{"reason": "丢失"})
		verify(voided, "192.0.2.1")
		e.Recorder.Sync()
		e.Get("/api/v1/signals?rule=dead_label", w.owner.Token).JSON(t, &l)
		if l.Total != 1 || l.Items[0].Code != voided {
			t.Fatalf("dead label, as its owner sees it: %+v", l)
		}
		// Unknown codes: one try is nothing, two are a signal (GIMARK_RULE_UNKNOWN_TRIES=2).
		unknown := freshCode(t)
		verify(unknown, "192.0.2.1")
		e.Recorder.Sync()
		e.Get("/api/v1/signals?rule=unknown_code", w.rev.Token).JSON(t, &l)
		if l.Total != 0 {
			t.Fatalf("one try: %+v", l)
		}
		verify(unknown, "192.0.2.1")
		e.Recorder.Sync()
		e.Get("/api/v1/signals?rule=unknown_code", w.rev.Token).JSON(t, &l)
		if l.Total != 1 || l.Items[0].Code != unknown || l.Items[0].Count != 2 {
			t.Fatalf("two tries: %+v", l)
		}
		// The owner's analytics: scans per day, activation, networks, signals.
		var st struct {
			Days []struct {
				Date     string
				Scans    int64
				Networks int64
			}
			Scans            int64
			DistinctNetworks int64 `json:"distinct_networks"`
			LabelsIssued     int64 `json:"labels_issued"`
			LabelsScanned    int64 `json:"labels_scanned"`
			SignalsRaised    int64 `json:"signals_raised"`
			SignalsByRule    map[string]int64
		}
		r := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/scans", batch), w.owner.Token)
		r.JSON(t, &st)
		if r.Code != 200 || st.Scans != 8 || st.LabelsIssued != 4 || st.LabelsScanned != 3 || st.DistinctNetworks != 4 ||
			st.SignalsRaised != 3 || len(st.Days) != 1 || st.Days[0].Scans != 8 || len(st.Days[0].Date) != len("2006-01-02") {
			t.Fatalf("batch analytics: %d %s", r.Code, r.Body)
		}
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d/scans", batch), w.other.Token).Problem(t, 404)
		r = e.Get(fmt.Sprintf("/api/v1/products/%d/scans?from=%s", w.product, e.Clock.Now().Add(-48*time.Hour).Format("2006-01-02")), w.rev.Token)
		r.JSON(t, &st)
		if r.Code != 200 || st.Scans != 8 || st.SignalsRaised != 3 {
			t.Fatalf("product analytics: %d %s", r.Code, r.Body)
		}
		e.Get(fmt.Sprintf("/api/v1/products/%d/scans", w.product), w.other.Token).JSON(t, &st)
		if st.Scans != 0 || st.LabelsIssued != 0 {
			t.Fatalf("a stranger's product analytics: %+v", st)
		}
		e.Get(fmt.Sprintf("/api/v1/products/%d/scans?from=2020-01-01", w.product), w.rev.Token).Problem(t, 422)
		// The yearly report counts the signals raised for the product.
		var rep struct {
			SignalsRaised int64 `json:"signals_raised"`
		}
		e.Get(fmt.Sprintf("/api/v1/reports/summary?product_id=%d", w.product), w.rev.Token).JSON(t, &rep)
		if rep.SignalsRaised != 3 {
			t.Fatalf("report: %d signals raised", rep.SignalsRaised)
		}
	})
}

func TestCodeGuessingTightensTheLimit(t *testing.T) {
	apitest.EachWith(t, apitest.Options{VerifyRatePerMin: 60}, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		guesser := "203.0.113.77:1"
		for i := 0; i < 20; i++ { // GIMARK_RULE_GUESS_CODES defaults to 20
			if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + freshCode(t), RemoteAddr: guesser}); r.Code != 200 {
				t.Fatalf("try %d: %d", i, r.Code)
			}
			if i == 18 {
				e.Recorder.Sync()
				var l signalList
				e.Get("/api/v1/signals?rule=code_guessing", rev.Token).JSON(t, &l)
				if l.Total != 0 {
					t.Fatalf("19 codes: %+v", l)
				}
			}
		}
		e.Recorder.Sync()
		var l signalList
		e.Get("/api/v1/signals?rule=code_guessing", rev.Token).JSON(t, &l)
		if l.Total != 1 || l.Items[0].Count != 20 {
			t.Fatalf("20 codes: %+v", l)
		}
		// A minute later the normal limit (60) would allow 60 more; the tightened one allows 6.
		e.Clock.Advance(time.Minute)
		got := 0
		for i := 0; i < 20; i++ {
			if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + freshCode(t), RemoteAddr: "203.0.113.5:1"}); r.Code == 200 {
				got++
			}
		}
		if got != 6 {
			t.Fatalf("%d verifications from the guessing network, want 6", got)
		}
		// Another network is not affected.
		if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + freshCode(t), RemoteAddr: "198.51.100.1:1"}); r.Code != 200 {
			t.Fatalf("another network: %d", r.Code)
		}
	})
}
