package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/signal"
	"gimark/model"
)

// signalResponse keeps the fields of the computed list that came before signals had a state
// (kind, code, count, first_seen, last_seen, filing_id); kind equals rule.
type signalResponse struct {
	ID           int64     `json:"id"`
	Rule         string    `json:"rule"`
	Kind         string    `json:"kind"`
	State        string    `json:"state"`
	Resolution   string    `json:"resolution,omitempty"`
	Code         string    `json:"code"`
	Count        int64     `json:"count"`
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	FilingID     *int64    `json:"filing_id,omitempty"`
	BatchID      *int64    `json:"batch_id,omitempty"`
	EnterpriseID *int64    `json:"enterprise_id,omitempty"`
	ProductID    *int64    `json:"product_id,omitempty"`
	Detail       string    `json:"detail"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toSignalResponse(s *model.SignalCase) signalResponse {
	return signalResponse{ID: s.ID, Rule: s.Rule, Kind: s.Rule, State: s.State, Resolution: s.Resolution, Code: s.Code,
		Count: s.Count, FirstSeen: s.FirstSeen.UTC(), LastSeen: s.LastSeen.UTC(), FilingID: s.FilingID, BatchID: s.BatchID,
		EnterpriseID: s.EnterpriseID, ProductID: s.ProductID, Detail: s.Detail, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
}

func (a *app) signals(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := model.SignalFilter{State: c.Query("state"), Rule: c.Query("rule")}
	var bad model.Fields
	if kind := c.Query("kind"); kind != "" { // the old name of rule
		if f.Rule != "" && f.Rule != kind {
			bad.Add("kind", model.FieldSignalKind, "must equal rule when both are given")
		}
		f.Rule = kind
	}
	for _, q := range []struct {
		name string
		dst  *int64
	}{{"product_id", &f.ProductID}, {"enterprise_id", &f.EnterpriseID}, {"min_tries", &f.MinTries}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				bad.Add(q.name, model.FieldPositiveInteger, "must be a positive integer")
			}
			*q.dst = n
		}
	}
	var ok bool
	if f.From, ok = signal.ParseTime(c.Query("from")); !ok {
		bad.Add("from", model.FieldDateTime, "must be a date (2006-01-02) or an RFC 3339 time")
	}
	if f.To, ok = signal.ParseTime(c.Query("to")); !ok {
		bad.Add("to", model.FieldDateTime, "must be a date (2006-01-02) or an RFC 3339 time")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	items, total, err := a.SignalCases.List(c.Request.Context(), principal(c), f, page.Normalize())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toSignalResponse, total, page))
	return nil
}

func (a *app) signalCounts(c *gin.Context) error {
	n, err := a.SignalCases.Counts(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, n)
	return nil
}

type signalEventResponse struct {
	ID         int64     `json:"id"`
	Action     string    `json:"action"`
	FromState  string    `json:"from_state"`
	ToState    string    `json:"to_state"`
	Resolution string    `json:"resolution,omitempty"`
	Note       string    `json:"note"`
	ActorID    *int64    `json:"actor_id"`
	Actor      string    `json:"actor,omitempty"`
	ActorRole  string    `json:"actor_role,omitempty"`
	At         time.Time `json:"at"`
}

type consumerReportResponse struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	WhereBought string    `json:"where_bought"`
	City        string    `json:"city"`
	Problem     string    `json:"problem"`
	Phone       string    `json:"phone,omitempty"`
	HasPhoto    bool      `json:"has_photo"`
	CreatedAt   time.Time `json:"created_at"`
}

type signalDetailResponse struct {
	signalResponse
	Events  []signalEventResponse    `json:"events"`
	Reports []consumerReportResponse `json:"reports"`
}

func toSignalDetail(d *signal.Detail) signalDetailResponse {
	out := signalDetailResponse{signalResponse: toSignalResponse(d.Signal), Events: []signalEventResponse{}, Reports: []consumerReportResponse{}}
	for _, e := range d.Events {
		out.Events = append(out.Events, signalEventResponse{ID: e.ID, Action: e.Action, FromState: e.FromState, ToState: e.ToState,
			Resolution: e.Resolution, Note: e.Note, ActorID: e.ActorID, Actor: e.ActorUsername, ActorRole: e.ActorRole, At: e.At.UTC()})
	}
	for _, r := range d.Reports {
		out.Reports = append(out.Reports, consumerReportResponse{ID: r.ID, Code: r.Code, WhereBought: r.WhereBought, City: r.City,
			Problem: r.Problem, Phone: r.Phone, HasPhoto: r.PhotoSHA256 != "", CreatedAt: r.CreatedAt.UTC()})
	}
	return out
}

func (a *app) getSignal(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return a.sendSignal(c, id)
}

// sendSignal answers with the signal and its trail as the caller may see them.
func (a *app) sendSignal(c *gin.Context, id int64) error {
	d, err := a.SignalCases.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toSignalDetail(d))
	return nil
}

type signalEventRequest struct {
	To         string `json:"to"`
	Resolution string `json:"resolution"`
	Note       string `json:"note"`
}

func (a *app) signalEvent(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req signalEventRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if _, err := a.SignalCases.Act(c.Request.Context(), principal(c), id, signal.Change{To: req.To, Resolution: req.Resolution, Note: req.Note}); err != nil {
		return err
	}
	return a.sendSignal(c, id)
}

type ruleResponse struct {
	Name   string `json:"name"`
	Params string `json:"params"`
	Raises string `json:"raises"`
}

// signalRules shows the rule table as it runs, with its configured parameters.
func (a *app) signalRules(c *gin.Context) error {
	var out []ruleResponse
	for _, r := range a.Rules.Running().Table() {
		out = append(out, ruleResponse{Name: r.Name, Params: r.Params, Raises: r.Raises})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

// reportPhoto serves a consumer report's photo to those who see its signal.
func (a *app) reportPhoto(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	repID, err := pathID(c, "report_id")
	if err != nil {
		return err
	}
	d, err := a.SignalCases.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	for _, r := range d.Reports {
		if r.ID != repID || r.PhotoSHA256 == "" {
			continue
		}
		f, err := a.ConsumerReports.OpenPhoto(r.PhotoSHA256)
		if err != nil {
			return err
		}
		defer f.Close()
		c.Header("Content-Type", r.PhotoType)
		c.Header("Cache-Control", "private, no-store")
		c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
		http.ServeContent(c.Writer, c.Request, "", r.CreatedAt, f)
		return nil
	}
	return model.NotFound("photo")
}
