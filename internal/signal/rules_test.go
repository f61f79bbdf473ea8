package signal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/internal/labelcode"
	"gimark/internal/signal"
	"gimark/model"
)

// ruleWorld is one approved filing with a batch of labels, and the rules with small
// parameters.
type ruleWorld struct {
	e      *apitest.Env
	rules  *signal.Rules
	owner  apitest.Account
	rev    apitest.Account
	filing int64
	labels []model.LabelOwner
	t0     time.Time
}

var params = signal.Params{OverScanned: 3, SpreadNetworks: 3, SpreadWindow: 24 * time.Hour, BurstScans: 5,
	BurstWindow: 10 * time.Minute, GuessCodes: 4, UnknownTries: 2}

func newRuleWorld(t *testing.T, e *apitest.Env) *ruleWorld {
	w := &ruleWorld{e: e, owner: e.Enterprise("owner"), rev: e.Reviewer("rev"), t0: e.Clock.Now()}
	w.rules = signal.NewRules(e.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), params)
	w.filing = e.Approved(w.owner, e.Product("靖远枸杞"), w.rev)
	r := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", w.filing), w.owner.Token, map[string]int{"quantity": 6})
	batch := r.ID(t)
	b, err := e.Store.LabelBatchByID(t.Context(), batch)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for i := 0; i < 6; i++ {
		ids = append(ids, b.FirstLabelID+int64(i))
	}
	owners, err := e.Store.LabelOwners(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		w.labels = append(w.labels, owners[id])
	}
	return w
}

func scanOf(o model.LabelOwner, net string, at time.Time) model.ObservedScan {
	id := o.LabelID
	return model.ObservedScan{LabelID: &id, Code: o.Code, Result: model.ResultGenuine, Network: net, At: at}
}

func (w *ruleWorld) observe(t *testing.T, pending func(int64) int64, scans ...model.ObservedScan) {
	t.Helper()
	if err := w.rules.Observe(context.Background(), scans, pending); err != nil {
		t.Fatal(err)
	}
}

// signals lists the signals of a rule.
func (w *ruleWorld) signals(t *testing.T, rule string) []model.SignalCase {
	t.Helper()
	out, _, err := w.e.Store.ListSignalCases(context.Background(), model.SignalFilter{Rule: rule}, model.Page{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (w *ruleWorld) want(t *testing.T, rule string, n int, what string) []model.SignalCase {
	t.Helper()
	got := w.signals(t, rule)
	if len(got) != n {
		t.Fatalf("%s: %d %s signals, want %d: %+v", what, len(got), rule, n, got)
	}
	return got
}

func TestSpread(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newRuleWorld(t, e)
		l := w.labels[0]
		// Two networks: one below the count.
		w.observe(t, nil, scanOf(l, "n1", w.t0), scanOf(l, "n1", w.t0.Add(time.Minute)), scanOf(l, "n2", w.t0.Add(time.Hour)))
		w.want(t, model.RuleSpread, 0, "two networks")
		// A third network just after the first left the window: still two within 24 h.
		w.observe(t, nil, scanOf(l, "n3", w.t0.Add(24*time.Hour+time.Minute+time.Second)))
		w.want(t, model.RuleSpread, 0, "three networks over more than 24 h")
		// The first network again, within 24 h of the other two: three.
		w.observe(t, nil, scanOf(l, "n1", w.t0.Add(24*time.Hour+2*time.Minute)))
		got := w.want(t, model.RuleSpread, 1, "three networks in 24 h")
		if got[0].Count != 3 || got[0].LabelID == nil || *got[0].LabelID != l.LabelID || got[0].EnterpriseID == nil || *got[0].EnterpriseID != w.owner.EnterpriseID {
			t.Fatalf("spread signal %+v", got[0])
		}
		// More evidence updates the same signal.
		w.observe(t, nil, scanOf(l, "n4", w.t0.Add(24*time.Hour+3*time.Minute)))
		got = w.want(t, model.RuleSpread, 1, "a fourth network")
		if got[0].Count != 4 || !got[0].LastSeen.Equal(w.t0.Add(24*time.Hour+3*time.Minute)) {
			t.Fatalf("updated spread signal %+v", got[0])
		}
		// Beyond the label's inline slots: six networks.
		w.observe(t, nil, scanOf(l, "n5", w.t0.Add(24*time.Hour+4*time.Minute)), scanOf(l, "n6", w.t0.Add(24*time.Hour+5*time.Minute)),
			scanOf(l, "n5", w.t0.Add(24*time.Hour+6*time.Minute)))
		if got = w.want(t, model.RuleSpread, 1, "six networks"); got[0].Count != 6 {
			t.Fatalf("six networks counted %d", got[0].Count)
		}
		// Many scans from one network of another label: no spread.
		var many []model.ObservedScan
		for i := 0; i < 30; i++ {
			many = append(many, scanOf(w.labels[1], "home", w.t0.Add(time.Duration(i)*time.Hour)))
		}
		w.observe(t, nil, many...)
		w.want(t, model.RuleSpread, 1, "one family scanning 30 times")
	})
}

func TestBurst(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newRuleWorld(t, e)
		// Four scans of the batch's labels from one network in ten minutes, and others from
		// another network: below K.
		var s []model.ObservedScan
		for i := 0; i < 4; i++ {
			s = append(s, scanOf(w.labels[i], "shop", w.t0.Add(time.Duration(i)*time.Minute)))
			s = append(s, scanOf(w.labels[i], "other", w.t0.Add(time.Duration(i)*time.Minute)))
		}
		w.observe(t, nil, s...)
		w.want(t, model.RuleBurst, 0, "four scans")
		// A fifth, but after the first left the window: four in ten minutes.
		w.observe(t, nil, scanOf(w.labels[4], "shop", w.t0.Add(10*time.Minute+time.Second)))
		w.want(t, model.RuleBurst, 0, "five scans in more than ten minutes")
		// A sixth right after: five in ten minutes.
		w.observe(t, nil, scanOf(w.labels[5], "shop", w.t0.Add(10*time.Minute+2*time.Second)))
		got := w.want(t, model.RuleBurst, 1, "five scans in ten minutes")
		if got[0].Count != 5 || got[0].BatchID == nil || got[0].LabelID != nil || got[0].Network != "shop" {
			t.Fatalf("burst signal %+v", got[0])
		}
	})
}

func TestCodeGuessing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newRuleWorld(t, e)
		try := func(code, net string, at time.Time) model.ObservedScan {
			return model.ObservedScan{Code: code, Result: model.ResultNotFound, Network: net, Prefix: "203.0.113.0/24", At: at}
		}
		codes := make([]string, 5)
		for i := range codes {
			codes[i], _ = labelcode.New()
		}
		// Three distinct codes (one tried many times) and a fourth from another network.
		w.observe(t, nil, try(codes[0], "g", w.t0), try(codes[0], "g", w.t0), try(codes[0], "g", w.t0), try(codes[1], "g", w.t0.Add(time.Minute)),
			try(codes[2], "g", w.t0.Add(2*time.Minute)), try(codes[3], "h", w.t0.Add(2*time.Minute)))
		w.want(t, model.RuleCodeGuessing, 0, "three codes")
		if w.rules.Tightened("203.0.113.0/24", w.t0.Add(3*time.Minute)) {
			t.Fatal("tightened below the rule")
		}
		// A fourth code just over an hour after the first: three within the hour.
		w.observe(t, nil, try(codes[3], "g", w.t0.Add(time.Hour+time.Second)))
		w.want(t, model.RuleCodeGuessing, 0, "four codes in more than an hour")
		// A fifth: four within the hour.
		at := w.t0.Add(time.Hour + 2*time.Second)
		w.observe(t, nil, try(codes[4], "g", at))
		got := w.want(t, model.RuleCodeGuessing, 1, "four codes in an hour")
		if got[0].Count != 4 || got[0].Network != "g" || got[0].EnterpriseID != nil {
			t.Fatalf("guessing signal %+v", got[0])
		}
		if !w.rules.Tightened("203.0.113.0/24", at.Add(59*time.Minute)) || w.rules.Tightened("198.51.100.0/24", at) {
			t.Fatal("the guessing network's limit is not tightened, or another's is")
		}
		if w.rules.Tightened("203.0.113.0/24", at.Add(time.Hour)) {
			t.Fatal("still tightened after an hour")
		}
	})
}

func TestDeadLabel(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newRuleWorld(t, e)
		dead := func(s model.ObservedScan) model.ObservedScan { s.Dead = true; return s }
		// Live scans, and a scan from before the label was voided that is written after it:
		// judged by what the consumer was told, none is dead.
		w.observe(t, nil, scanOf(w.labels[0], "a", w.t0), scanOf(w.labels[1], "a", w.t0))
		if r := e.Post("/api/v1/labels/"+w.labels[0].Code+"/void", w.owner.Token, map[string]string{"reason": "丢失"}); r.Code != 200 {
			t.Fatalf("void: %d %s", r.Code, r.Body)
		}
		w.observe(t, nil, scanOf(w.labels[0], "a", w.t0))
		w.want(t, model.RuleDeadLabel, 0, "live scans")
		w.observe(t, nil, dead(scanOf(w.labels[0], "a", w.t0.Add(time.Minute))), dead(scanOf(w.labels[0], "b", w.t0.Add(2*time.Minute))),
			scanOf(w.labels[1], "a", w.t0))
		got := w.want(t, model.RuleDeadLabel, 1, "a voided label")
		if got[0].Count != 2 || *got[0].LabelID != w.labels[0].LabelID || got[0].Detail != "已作废的标签仍被查询" {
			t.Fatalf("dead label signal %+v", got[0])
		}
		e.Act(w.rev.Token, w.filing, "suspend", map[string]string{"reason": "抽检不合格"}, 200)
		w.observe(t, nil, dead(scanOf(w.labels[2], "a", w.t0.Add(3*time.Minute))))
		got = w.want(t, model.RuleDeadLabel, 2, "a label of a suspended filing")
		if got[0].Detail != "使用资格已暂停的企业标签仍被查询" {
			t.Fatalf("suspended filing's signal %+v", got[0])
		}
	})
}

func TestOverScannedAndUnknownCode(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newRuleWorld(t, e)
		l := w.labels[0]
		// Three scans, not folded yet (pending): at the threshold, not past it.
		pending := func(n int64) func(int64) int64 { return func(int64) int64 { return n } }
		w.observe(t, pending(3), scanOf(l, "a", w.t0), scanOf(l, "a", w.t0), scanOf(l, "a", w.t0))
		w.want(t, model.RuleOverScanned, 0, "three scans")
		w.observe(t, pending(4), scanOf(l, "a", w.t0.Add(time.Minute)))
		got := w.want(t, model.RuleOverScanned, 1, "four scans")
		if got[0].Count != 4 {
			t.Fatalf("over-scanned %+v", got[0])
		}
		w.observe(t, pending(5), scanOf(l, "a", w.t0.Add(2*time.Minute)))
		if got = w.want(t, model.RuleOverScanned, 1, "five scans"); got[0].Count != 5 {
			t.Fatalf("over-scanned not updated: %+v", got[0])
		}

		// Unknown codes: their tries come from the flushed tallies.
		code, _ := labelcode.New()
		flush := func(at time.Time) {
			t.Helper()
			tally := model.ScanTally{}
			tally.Add(at)
			if err := e.Store.RecordScans(t.Context(), model.ScanFlush{Scans: []model.Scan{{Code: code, Result: model.ResultNotFound, ClientHash: "x", ScannedAt: at}},
				Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{code: tally}}, nil); err != nil {
				t.Fatal(err)
			}
			w.observe(t, nil, model.ObservedScan{Code: code, Result: model.ResultNotFound, Network: "u", At: at})
		}
		flush(w.t0)
		w.want(t, model.RuleUnknownCode, 0, "one try")
		flush(w.t0.Add(time.Minute))
		if got = w.want(t, model.RuleUnknownCode, 1, "two tries"); got[0].Count != 2 || got[0].Code != code {
			t.Fatalf("unknown code %+v", got[0])
		}
		flush(w.t0.Add(2 * time.Minute))
		if got = w.want(t, model.RuleUnknownCode, 1, "three tries"); got[0].Count != 3 {
			t.Fatalf("unknown code not updated %+v", got[0])
		}
	})
}
