package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

// sigWorld is an approved filing of ent with a batch of labels, another enterprise, a
// reviewer and the admin, for the signal pages.
type sigWorld struct {
	e                  *apitest.Env
	ent, other, rev    apitest.Account
	product, filing    int64
	batch              int64
	codes              []string
	entC, otherC, revC *client
	adminC             *client
}

func newSigWorld(t *testing.T, e *apitest.Env) *sigWorld {
	t.Helper()
	w := &sigWorld{e: e, ent: e.Enterprise("goji1"), other: e.Enterprise("hongyuan"), rev: e.Reviewer("rev1")}
	w.product = e.Product("靖远枸杞")
	w.filing = e.Approved(w.ent, w.product, w.rev)
	w.batch = e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", w.filing), w.ent.Token, map[string]int{"quantity": 4}).ID(t)
	csv := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", w.batch), w.ent.Token)
	for _, line := range strings.Split(strings.TrimSpace(string(csv.Body)), "\n")[1:] {
		w.codes = append(w.codes, strings.Split(line, ",")[1])
	}
	w.entC, w.otherC, w.revC, w.adminC = newClient(t, e), newClient(t, e), newClient(t, e), newClient(t, e)
	w.entC.mustLogin(w.ent.Username, apitest.Password)
	w.otherC.mustLogin(w.other.Username, apitest.Password)
	w.revC.mustLogin(w.rev.Username, apitest.Password)
	w.adminC.mustLogin("admin", apitest.AdminPassword)
	return w
}

// raise raises a signal on one of w's labels through the store, as a rule does.
func (w *sigWorld) raise(t *testing.T, rule, code string) int64 {
	t.Helper()
	ent, filing, product, batch := w.ent.EnterpriseID, w.filing, w.product, w.batch
	now := w.e.Clock.Now()
	key := rule + ":" + code
	if err := w.e.Store.RaiseSignals(context.Background(), []model.SignalRaise{{Rule: rule, Key: key, Code: code,
		EnterpriseID: &ent, FilingID: &filing, ProductID: &product, BatchID: &batch, Count: 1, First: now, Last: now}}); err != nil {
		t.Fatal(err)
	}
	var s model.SignalCase
	if err := w.e.Store.DB().Where("open_key = ?", key).Take(&s).Error; err != nil {
		t.Fatal(err)
	}
	return s.ID
}

var trailRe = regexp.MustCompile(`(?s)<ol class="trail">(.*?)</ol>`)

// TestConsoleSignalWorkflow: the list and the page for each role, the workflow form with a
// 409 shown on the page, the confirmation before resolving, and notes.
func TestConsoleSignalWorkflow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newSigWorld(t, e)
		id := w.raise(t, model.RuleSpread, w.codes[0])
		// A consumer's report with markup in it, shown as text; the phone to the bureau only.
		ent, product := w.ent.EnterpriseID, w.product
		now := e.Clock.Now()
		if _, err := e.Store.CreateConsumerReport(context.Background(), &model.ConsumerReport{Code: w.codes[1], WhereBought: `<b>地摊</b>`,
			City: "兰州", Problem: `<script>alert(1)</script>包装粗糙`, Phone: "13800000000", TokenHash: "t1", Network: "n1"},
			model.SignalRaise{Rule: model.RuleConsumerReport, Key: "consumer_report:" + w.codes[1], Code: w.codes[1], EnterpriseID: &ent,
				ProductID: &product, Count: 1, First: now, Last: now}); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/console/signals/%d", id)
		ev := page + "/events"

		// The list: the bureau sees both, with the rule in Chinese, the product and the enterprise.
		w.revC.get("/console/signals").must(t, 200, "多地扫描同一标签", "消费者举报", w.codes[0], "靖远枸杞", "靖远县goji1枸杞有限公司", "(2 待处理)")
		w.adminC.get("/console/signals?rule=spread").must(t, 200, "多地扫描同一标签", page)
		if p := w.adminC.get("/console/signals?rule=spread"); strings.Contains(p.Body, "消费者举报</td>") {
			t.Fatal("the rule filter let another rule through")
		}
		w.revC.get("/console/signals?state=resolved").must(t, 200, "没有符合条件的线索")
		w.revC.get("/console/signals?from=yesterday").must(t, http.StatusUnprocessableEntity, "请填写日期，如 2026-03-01。")
		w.revC.get("/console/signals?state=closed").must(t, http.StatusUnprocessableEntity, "请选择信号状态。")
		// The enterprise sees its own; another enterprise sees none, and its page is 404.
		w.entC.get("/console/signals").must(t, 200, w.codes[0], "(2 待处理)")
		other := w.otherC.get("/console/signals")
		other.must(t, 200, "没有符合条件的线索")
		if strings.Contains(other.Body, w.codes[0]) || strings.Contains(other.Body, "待处理)") && !strings.Contains(other.Body, "(0 待处理)") {
			t.Fatalf("another enterprise sees the signals: %.600s", other.Body)
		}
		w.otherC.get(page).must(t, http.StatusNotFound)
		w.otherC.submit("/console/signals", ev, url.Values{"note": {"x"}}).must(t, http.StatusNotFound)

		// The consumer report's page: text escaped, the phone for the bureau only.
		var rep model.ConsumerReport
		if err := e.Store.DB().Take(&rep).Error; err != nil {
			t.Fatal(err)
		}
		rp := fmt.Sprintf("/console/signals/%d", rep.SignalID)
		w.revC.get(rp).must(t, 200, "&lt;script&gt;alert(1)&lt;/script&gt;包装粗糙", "&lt;b&gt;地摊&lt;/b&gt;", "13800000000")
		if p := w.entC.get(rp); p.Code != 200 || strings.Contains(p.Body, "13800000000") || strings.Contains(p.Body, "<script>alert") {
			t.Fatalf("the enterprise's view of the report: %d", p.Code)
		}

		// The enterprise: no workflow buttons, a note; a state change pressed anyway is 403.
		ep := w.entC.get(page)
		ep.must(t, 200, "添加备注")
		if strings.Contains(ep.Body, `value="acknowledged"`) || strings.Contains(ep.Body, "/resolve") {
			t.Fatal("the enterprise is offered the reviewer's workflow")
		}
		w.entC.submit(page, ev, url.Values{"note": {"该批次已发往兰州经销商"}}).must(t, http.StatusSeeOther)
		w.entC.submit(page, ev, url.Values{"to": {"acknowledged"}, "note": {"我们处理"}}).must(t, http.StatusForbidden, "您无权进行此操作")
		w.entC.get(ev[:len(ev)-len("/events")]+"/resolve").must(t, http.StatusForbidden)
		w.entC.submit(page, ev, url.Values{"to": {"resolved"}, "resolution": {"false_alarm"}, "note": {"x"}}).must(t, http.StatusForbidden)

		// The reviewer: a note is required; acknowledge; acknowledging again is 409 on the page.
		w.revC.submit(page, ev, url.Values{"to": {"acknowledged"}, "note": {"  "}}).must(t, http.StatusUnprocessableEntity, "必填。", `id="ack-note"`)
		ack := w.revC.submit(page, ev, url.Values{"to": {"acknowledged"}, "note": {"已联系企业"}})
		if ack.Code != http.StatusSeeOther || ack.Header.Get("Location") != page+"?done=acknowledged" {
			t.Fatalf("acknowledge: %d %q", ack.Code, ack.Header.Get("Location"))
		}
		w.revC.get(page+"?done=acknowledged").must(t, 200, "已受理。", "已联系企业", "该批次已发往兰州经销商")
		again := w.revC.submit(page, ev, url.Values{"to": {"acknowledged"}, "note": {"again"}})
		api := e.Post(fmt.Sprintf("/api/v1/signals/%d/events", id), w.rev.Token, map[string]string{"to": "acknowledged", "note": "again"})
		if again.Code != api.Code || api.Code != http.StatusConflict {
			t.Fatalf("second acknowledge: console %d, api %d", again.Code, api.Code)
		}
		again.must(t, http.StatusConflict, "该线索当前为「已受理」，不能改为「已受理」。", "假冒线索 #")

		// Resolving: the form goes to the confirmation page first; a post without it changes
		// nothing and shows the confirmation.
		w.revC.get(page).must(t, 200, fmt.Sprintf(`action="/console/signals/%d/resolve"`, id))
		conf := w.revC.get(page + "/resolve?resolution=confirmed_counterfeit")
		conf.must(t, 200, "此操作不可撤回", `value="confirmed_counterfeit" checked`, `name="confirm" value="1"`, "signal.resolved")
		w.revC.submit(page, ev, url.Values{"to": {"resolved"}, "resolution": {"false_alarm"}, "note": {"x"}}).must(t, 200, "此操作不可撤回", `value="false_alarm" checked`)
		var d struct{ State string }
		e.Get(fmt.Sprintf("/api/v1/signals/%d", id), w.rev.Token).JSON(t, &d)
		if d.State != "acknowledged" {
			t.Fatalf("a post without confirmation resolved the signal: %s", d.State)
		}
		// From the confirmation page: without a note, refused there with the choice kept.
		w.revC.submit(page+"/resolve", ev, url.Values{"to": {"resolved"}, "confirm": {"1"}, "resolution": {"confirmed_counterfeit"}, "note": {""}}).
			must(t, http.StatusUnprocessableEntity, "必填。", `value="confirmed_counterfeit" checked`, "此操作不可撤回")
		done := w.revC.submit(page+"/resolve", ev, url.Values{"to": {"resolved"}, "confirm": {"1"}, "resolution": {"confirmed_counterfeit"}, "note": {"现场查获假冒标签"}})
		if done.Code != http.StatusSeeOther {
			t.Fatalf("resolve: %d %.500s", done.Code, done.Body)
		}
		rd := w.revC.get(page)
		rd.must(t, 200, "已处理 · 确认假冒", "现场查获假冒标签")
		trail := trailRe.FindStringSubmatch(rd.Body)
		if trail == nil {
			t.Fatal("no trail")
		}
		var steps []string
		for _, m := range regexp.MustCompile(`<strong>(.*?)</strong>`).FindAllStringSubmatch(trail[1], -1) {
			steps = append(steps, m[1])
		}
		if got := strings.Join(steps, " "); got != "产生线索 备注 受理 处理结案" {
			t.Fatalf("trail %q", got)
		}
		for _, who := range []string{"goji1（企业）", "rev1（审核人员）", "系统"} {
			if !strings.Contains(trail[1], who) {
				t.Fatalf("trail lacks %q: %s", who, trail[1])
			}
		}
		// Resolved: no more workflow; the confirmation page is a 409 with the state in words.
		if strings.Contains(rd.Body, `value="acknowledged"`) || strings.Contains(rd.Body, "处理结案…") {
			t.Fatal("a resolved signal offers the workflow")
		}
		w.revC.get(page+"/resolve").must(t, http.StatusConflict, "该线索当前为「已处理」，不能改为「已处理」。")
		w.revC.submit(page, ev, url.Values{"to": {"resolved"}, "confirm": {"1"}, "resolution": {"false_alarm"}, "note": {"x"}}).
			must(t, http.StatusConflict, "该线索当前为「已处理」")
		// The admin reads and notes; the state buttons are the reviewers'.
		w.adminC.submit(page, ev, url.Values{"note": {"已通报"}}).must(t, http.StatusSeeOther)
		w.adminC.get(page).must(t, 200, "已通报", "admin（管理员）")
		w.revC.get("/console/signals").must(t, 200, "(1 待处理)")

		// The navigation: the admin has the special mark's page and the webhooks; a reviewer neither.
		w.adminC.get("/console/catalog").must(t, 200, `href="/console/special-mark"`, `href="/console/webhooks"`)
		if p := w.revC.get("/console/catalog"); strings.Contains(p.Body, `href="/console/special-mark"`) || strings.Contains(p.Body, `href="/console/webhooks"`) {
			t.Fatal("a reviewer is offered the admin's pages")
		}

		// The rule table, as it runs (staff).
		w.revC.get("/console/signal-rules").must(t, 200, "同一标签被扫描超过 20 次", "24 小时 内至少 3 个不同网络", "10 分钟 内同一网络")
	})
}

// TestConsoleNewSignalsSinceLastVisit: the navigation counts the signals raised after the
// user last opened the list, per user and as each user may see them.
func TestConsoleNewSignalsSinceLastVisit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newSigWorld(t, e)
		badge := regexp.MustCompile(`<span class="badge"[^>]*>新 (\d+)</span>`)
		newCount := func(c *client) string {
			t.Helper()
			p := c.get("/console/catalog")
			p.must(t, 200)
			if m := badge.FindStringSubmatch(p.Body); m != nil {
				return m[1]
			}
			return "0"
		}
		w.raise(t, model.RuleSpread, w.codes[0])
		w.raise(t, model.RuleOverScanned, w.codes[1])
		// Never opened: both are new, for the reviewer and the owner; none for a stranger.
		if n := newCount(w.revC); n != "2" {
			t.Fatalf("reviewer before a visit: %s", n)
		}
		if n := newCount(w.entC); n != "2" {
			t.Fatalf("owner before a visit: %s", n)
		}
		if n := newCount(w.otherC); n != "0" {
			t.Fatalf("stranger: %s", n)
		}
		// The reviewer opens the list: the two are marked new there, and then none is.
		list := w.revC.get("/console/signals")
		list.must(t, 200)
		if n := strings.Count(list.Body, `<span class="badge">新</span>`); n != 2 {
			t.Fatalf("%d rows marked new on the first visit", n)
		}
		if n := newCount(w.revC); n != "0" {
			t.Fatalf("reviewer after the visit: %s", n)
		}
		// A signal raised in the same second as the visit was on the list: not new.
		e.Clock.Advance(time.Minute)
		id3 := w.raise(t, model.RuleDeadLabel, w.codes[2])
		if n := newCount(w.revC); n != "1" {
			t.Fatalf("one raised after the visit: %s", n)
		}
		if n := newCount(w.entC); n != "3" {
			t.Fatalf("the owner has not visited: %s", n)
		}
		// Evidence on an existing signal does not make it new again.
		e.Clock.Advance(time.Minute)
		w.raise(t, model.RuleSpread, w.codes[0])
		if n := newCount(w.revC); n != "1" {
			t.Fatalf("after more evidence on an old signal: %s", n)
		}
		list = w.revC.get("/console/signals")
		if n := strings.Count(list.Body, `<span class="badge">新</span>`); n != 1 || !strings.Contains(list.Body, fmt.Sprintf(`#%d</a> <span class="badge">新</span>`, id3)) {
			t.Fatalf("second visit marks %d new", n)
		}
		if n := newCount(w.revC); n != "0" {
			t.Fatalf("after the second visit: %s", n)
		}
		// The visit is kept in the database, per user: the owner still has three.
		at, err := e.Store.SignalsSeenAt(t.Context(), userID(t, e, w.rev.Username))
		if err != nil || at == nil || !at.Equal(e.Clock.Now()) {
			t.Fatalf("seen at %v (%v), want %v", at, err, e.Clock.Now())
		}
		if n := newCount(w.entC); n != "3" {
			t.Fatalf("owner: %s", n)
		}
	})
}

func userID(t *testing.T, e *apitest.Env, username string) int64 {
	t.Helper()
	var u model.User
	if err := e.Store.DB().Where("username = ?", username).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return u.ID
}
