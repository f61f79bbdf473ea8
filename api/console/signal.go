package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/signal"
	"gimark/model"
)

// The signal pages are the workflow of internal/signal (the same service as
// /api/v1/signals): reviewers acknowledge and resolve, admins and the enterprise whose
// labels a signal is about add notes; another enterprise's signal is 404. Resolving cannot
// be undone, so it always passes through a confirmation page.

var signalStateNames = map[string]string{model.SignalOpen: "待处理", model.SignalAcknowledged: "已受理", model.SignalResolved: "已处理"}

var resolutionNames = map[string]string{model.ResolutionConfirmed: "确认假冒", model.ResolutionFalseAlarm: "误报"}

var signalActionNames = map[string]string{"raise": "产生线索", "acknowledge": "受理", "resolve": "处理结案", "note": "备注"}

// navFigures are the navigation's counts for the signed-in user: signals per state, those
// raised since the user last opened the list, and the user's disabled webhook endpoints. A
// failed read leaves a figure out (the page still opens).
type navFigures struct {
	Signals       map[string]int64
	NewSignals    int64
	DisabledHooks int
}

func (h *Console) navFigures(c *gin.Context, p model.Principal) *navFigures {
	ctx := c.Request.Context()
	n := &navFigures{}
	warn := func(what string, err error) {
		h.log.Warn("console navigation figures", "what", what, "request_id", c.GetString("request_id"), "err", err.Error())
	}
	if h.SignalCases != nil && !p.MustChangePassword {
		var err error
		if n.Signals, err = h.SignalCases.Counts(ctx, p); err != nil {
			warn("signal counts", err)
		}
		if n.NewSignals, err = h.SignalCases.Unseen(ctx, p); err != nil {
			warn("new signals", err)
		}
	}
	if h.Webhooks != nil && (p.Role == model.RoleAdmin || p.Role == model.RoleEnterprise) && !p.MustChangePassword {
		hooks, err := h.Webhooks.List(ctx, p)
		if err != nil {
			warn("webhooks", err)
		}
		for _, w := range hooks {
			if w.DisabledAt != nil {
				n.DisabledHooks++
			}
		}
	}
	return n
}

type signalsData struct {
	Items       []model.SignalCase
	Names       *names
	Pager       pager
	Products    []model.Product
	Enterprises []model.Enterprise
	Staff       bool
	States      []string
	Rules       []string
	Since       *time.Time // the user's previous visit: signals raised after it are marked new
}

// dateRange reads the from/to date fields of a filter form: dates in China time, "to"
// taking in its whole day; anything else is a field error.
func dateRange(c *gin.Context, v *view) (*time.Time, *time.Time, error) {
	var bad model.Fields
	read := func(name string) *time.Time {
		s := strings.TrimSpace(c.Query(name))
		v.Form[name] = s
		t, ok := signal.ParseTime(s)
		if !ok || (t != nil && len(s) != len("2006-01-02")) {
			bad.Add(name, model.FieldDate, "must be a date (2006-01-02)")
			return nil
		}
		return t
	}
	from, to := read("from"), read("to")
	if to != nil {
		end := to.AddDate(0, 0, 1)
		to = &end
	}
	return from, to, bad.Err()
}

// signalFilter reads the list's filters; the service checks state and rule.
func signalFilter(c *gin.Context, v *view) (model.SignalFilter, error) {
	f := model.SignalFilter{State: c.Query("state"), Rule: c.Query("rule"), ProductID: queryID(c, "product_id"), EnterpriseID: queryID(c, "enterprise_id")}
	for _, k := range []string{"state", "rule", "product_id", "enterprise_id"} {
		v.Form[k] = c.Query(k)
	}
	var err error
	f.From, f.To, err = dateRange(c, v)
	return f, err
}

// SignalsPage lists the signals the user may see, latest evidence first, and records the
// visit: the navigation's "new" count starts again from now.
func (h *Console) SignalsPage(c *gin.Context) error {
	p, _ := principalOf(c)
	ctx := c.Request.Context()
	since, err := h.SignalCases.SeenAt(ctx, p)
	if err != nil {
		return err
	}
	// Before the list is read: a signal raised meanwhile counts as new on the next page.
	if err := h.SignalCases.MarkSeen(ctx, p, h.Now()); err != nil {
		return err
	}
	v := h.newView(c, "假冒线索", "signals")
	d := signalsData{Names: h.names(c), Products: h.activeProducts(c), Staff: p.IsStaff(), States: model.SignalStates, Rules: model.SignalRules, Since: since}
	if d.Staff {
		d.Enterprises, _, _ = h.Enterprises.List(ctx, p, "", model.Page{Page: 1, PageSize: 100})
	}
	v.Data = d
	f, err := signalFilter(c, v)
	pg := queryPage(c)
	var total int64
	if err == nil {
		d.Items, total, err = h.SignalCases.List(ctx, p, f, pg.Normalize())
	}
	if err != nil {
		return refuse(err, "signals.html", v, nil, nil)
	}
	d.Pager = newPager(c, pg, total)
	v.Data = d
	return h.render(c, http.StatusOK, "signals.html", v)
}

type signalPage struct {
	*signal.Detail
	Product, Enterprise string
	Reviewer            bool // may acknowledge and resolve
	CanAcknowledge      bool
	CanResolve          bool
	Resolution          string // the confirmation page's choice
	Resolutions         []string
}

func (h *Console) loadSignal(c *gin.Context, id int64) (*signalPage, error) {
	p, _ := principalOf(c)
	d, err := h.SignalCases.Get(c.Request.Context(), p, id)
	if err != nil {
		return nil, err
	}
	s := d.Signal
	out := &signalPage{Detail: d, Reviewer: p.Role == model.RoleReviewer, Resolutions: []string{model.ResolutionConfirmed, model.ResolutionFalseAlarm}}
	n := h.names(c)
	if s.ProductID != nil {
		out.Product = n.Product(*s.ProductID)
	}
	if s.EnterpriseID != nil {
		out.Enterprise = n.Enterprise(*s.EnterpriseID)
	}
	out.CanAcknowledge = out.Reviewer && model.SignalCanMove(s.State, model.SignalAcknowledged)
	out.CanResolve = out.Reviewer && model.SignalCanMove(s.State, model.SignalResolved)
	return out, nil
}

// SignalPage shows a signal: its facts, the consumers' reports, the trail and the forms.
func (h *Console) SignalPage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadSignal(c, id)
	if err != nil {
		return err
	}
	v := h.newView(c, "假冒线索 #"+itoa(id), "signals")
	v.Notice = signalNotices[c.Query("done")]
	v.Data = d
	return h.render(c, http.StatusOK, "signal.html", v)
}

var signalNotices = map[string]string{"acknowledged": "已受理。", "resolved": "已处理结案。", "note": "备注已添加。"}

// ConfirmResolve is the confirmation page of resolving a signal (reviewers): what will
// happen, the conclusion, and the note it needs.
func (h *Console) ConfirmResolve(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadSignal(c, id)
	if err != nil {
		return err
	}
	v := h.newView(c, "确认处理结案", "signals")
	d.Resolution = c.Query("resolution")
	v.Data = d
	if !d.CanResolve {
		return h.signalConflict(c, id, v, "signal_resolve.html", model.SignalResolved)
	}
	return h.render(c, http.StatusOK, "signal_resolve.html", v)
}

// SignalAct applies the workflow form through signal.Service.Act: acknowledge, resolve
// (only from the confirmation page) or a note. Refusals show the page again, a state the
// workflow does not allow as 409 with the state in words.
func (h *Console) SignalAct(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	to, resolution, note := c.PostForm("to"), c.PostForm("resolution"), c.PostForm("note")
	page := "signal.html"
	v := h.newView(c, "假冒线索 #"+itoa(id), "signals")
	v.Form["to"], v.Form["resolution"], v.Form["note"] = to, resolution, note
	if to == model.SignalResolved {
		page = "signal_resolve.html"
		v.Title = "确认处理结案"
		if c.PostForm("confirm") != "1" && p.Role == model.RoleReviewer {
			// Not from the confirmation page: show it, nothing changes yet.
			d, err := h.loadSignal(c, id)
			if err != nil {
				return err
			}
			d.Resolution = resolution
			v.Data = d
			return h.render(c, http.StatusOK, page, v)
		}
	}
	if _, err := h.SignalCases.Act(c.Request.Context(), p, id, signal.Change{To: to, Resolution: resolution, Note: note}); err != nil {
		if model.KindOf(err) == model.KindConflict {
			return h.signalConflict(c, id, v, page, to)
		}
		return refuse(err, page, v, nil, func() error {
			d, err := h.loadSignal(c, id)
			if d != nil {
				d.Resolution = resolution
			}
			v.Data = d
			return err
		})
	}
	done := to
	if done == "" {
		done = "note"
	}
	c.Redirect(http.StatusSeeOther, "/console/signals/"+itoa(id)+"?done="+done)
	return nil
}

// signalConflict shows page again with 409 and the signal's state as it is now.
func (h *Console) signalConflict(c *gin.Context, id int64, v *view, page, to string) error {
	r := &refusal{err: model.CodeError(model.KindConflict, "invalid_transition", "the signal's state does not allow this"), page: page, v: v}
	r.fill = func() error {
		d, err := h.loadSignal(c, id)
		if err != nil {
			return err
		}
		d.Resolution = v.Form["resolution"]
		v.Data = d
		r.words = "该线索当前为「" + signalStateNames[d.Signal.State] + "」，不能改为「" + or(signalStateNames[to], to) + "」。"
		return nil
	}
	return r
}

type ruleView struct {
	signal.RuleRow
	Title string
}

// RulesPage is the rule table as it runs (staff): each rule, its parameters, what it raises.
func (h *Console) RulesPage(c *gin.Context) error {
	var rows []ruleView
	for _, r := range h.Rules.Running().Table() {
		rows = append(rows, ruleView{RuleRow: r, Title: or(ruleNames[r.Name], r.Name)})
	}
	v := h.newView(c, "线索规则", "signals")
	v.Data = rows
	return h.render(c, http.StatusOK, "rules.html", v)
}

// subject is what a signal is about, in words: a label or code, a batch, a network.
func subject(s model.SignalCase) string {
	var parts []string
	if s.Code != "" {
		parts = append(parts, s.Code)
	}
	if s.BatchID != nil && (s.Code == "" || s.Rule == model.RuleBurst) {
		parts = append(parts, "批次 #"+strconv.FormatInt(*s.BatchID, 10))
	}
	if s.Network != "" {
		parts = append(parts, "网络 "+s.Network[:min(8, len(s.Network))])
	}
	return strings.Join(parts, " · ")
}
