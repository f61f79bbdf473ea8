// Package console is the bureau's and the enterprises' web console: Chinese HTML pages served
// by the same binary, over the same internal services as the JSON API. A console handler
// parses a form, calls one service method and renders the page; a refusal is the service's
// own *model.Error, shown next to the field it names. No rule lives here.
package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/assets"
	"gimark/internal/account"
	"gimark/internal/catalog"
	"gimark/internal/enterprise"
	"gimark/internal/filing"
	"gimark/internal/label"
	"gimark/internal/report"
	"gimark/internal/sales"
	"gimark/internal/scanstats"
	"gimark/internal/signal"
	"gimark/internal/specialmark"
	"gimark/internal/tradeitem"
	"gimark/internal/webhook"
	"gimark/model"
)

// DocumentsRoute is the upload route; the router raises its body limit to the upload limit.
const DocumentsRoute = "/console/filings/:id/documents"

// Deps are the services and settings the console needs. Labels, SignalCases, Webhooks,
// ScanStats, Sales and Reports may be nil: their pages are then left out.
type Deps struct {
	Log         *slog.Logger
	Accounts    *account.Service
	Enterprises *enterprise.Service
	Catalog     *catalog.Service
	Filings     *filing.Service
	Labels      *label.Service
	TradeItems  *tradeitem.Service // nil: no GTINs on the filing page
	// SignalCases is the signal workflow (the API's /api/v1/signals); Rules the rule table
	// as it runs (nil: the defaults).
	SignalCases *signal.Service
	Rules       *signal.Rules
	Webhooks    *webhook.Service   // the bureau's and enterprises' webhook endpoints
	ScanStats   *scanstats.Service // scan analytics per batch and product
	Sales       *sales.Service     // nil: no sales pages
	Reports     *report.Service    // nil: no report page
	// SendPrint sends a print file recorded in the print log (the API's sender, so both
	// edges send the same headers: Repr-Digest, X-Print-Record, X-Print-Reprint).
	SendPrint func(*gin.Context, *label.PrintFile) error
	// SpecialMarks keeps the special mark's artwork (nil: no artwork page).
	SpecialMarks *specialmark.Service
	// Key signs CSRF tokens (HMAC-SHA256). Every instance behind a load balancer needs the
	// same key; main derives it from the token secret.
	Key []byte
	// TrustedProxies are the addresses/CIDRs whose X-Forwarded-Proto and X-Forwarded-Host are
	// believed (the same list as the engine's X-Forwarded-For).
	TrustedProxies []string
	Now            func() time.Time
}

// Console holds the console's pages. Its handlers have the API's shape (they return an
// error, which api's one error writer shows through WriteError) and are listed, with their
// guards, in api/router.go.
type Console struct {
	Deps
	log      *slog.Logger
	sessions *sessions
	pages    map[string]*template.Template
}

// New prepares the console's pages over d's services.
func New(d Deps) *Console {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Console{Deps: d, log: d.Log, pages: loadPages()}
	h.sessions = newSessions(d)
	return h
}

// Headers are sent with every console answer: no script runs on these pages, nothing
// is framed, and nothing signed-in is cached.
func Headers() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Cache-Control", "no-store")
		// same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a
		// form post, and the CSRF check needs the real origin. Other sites still get nothing.
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

var cssBytes = func() []byte {
	b, err := fs.ReadFile(assets.FS, "static/console.css")
	if err != nil {
		panic(err)
	}
	return b
}()

// CSS serves the console's style sheet.
func (h *Console) CSS(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", cssBytes)
}

// view is what every page template receives.
type view struct {
	Title  string
	Nav    string
	User   *model.Principal
	CSRF   string
	Notice string            // a one-line success message
	Error  string            // a message about the whole form or page
	Fields map[string]string // field → message, shown next to the field
	Form   map[string]string // what the user typed, to fill the form again
	Data   any
	Has    map[string]bool // which optional pages exist: labels, signals, sales, report, webhooks, scans
	// Counts are the navigation's figures for the signed-in user (nil when signed out).
	Counts *navFigures
}

func (h *Console) newView(c *gin.Context, title, nav string) *view {
	v := &view{Title: title, Nav: nav, CSRF: csrfToken(c), Fields: map[string]string{}, Form: map[string]string{},
		Has: map[string]bool{"labels": h.Labels != nil, "signals": h.SignalCases != nil, "sales": h.Sales != nil, "report": h.Reports != nil,
			"webhooks": h.Webhooks != nil, "scans": h.ScanStats != nil, "special_mark": h.SpecialMarks != nil}}
	if p, ok := principalOf(c); ok {
		v.User = &p
		v.Counts = h.navFigures(c, p)
	}
	return v
}

// render executes page name into a buffer first, so a template error never sends half a
// page; the error goes to the one error writer.
func (h *Console) render(c *gin.Context, status int, name string, v *view) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("console: no page %s", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
	return nil
}

// refusal is a form's refusal: WriteError shows page again with what the user typed (v)
// and the error next to its field (fields maps a service field to the form's name). fill
// loads what the page shows besides the form.
type refusal struct {
	err    error
	page   string
	v      *view
	fields map[string]string
	fill   func() error
	words  string // the page's message, when the handler words it itself
	field  string // the form field the page's message belongs next to
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// refuse returns err as a refusal of the form on page.
func refuse(err error, page string, v *view, fields map[string]string, fill func() error) error {
	return &refusal{err: err, page: page, v: v, fields: fields, fill: fill}
}

// WriteError shows a refusal with status (api's statusOf): as the form again, with the
// Chinese words next to the fields, when a form was refused for its input, the sign-in or
// the state of things; as the error page otherwise (not found, forbidden, internal, no form).
func (h *Console) WriteError(c *gin.Context, status int, err error) {
	var r *refusal
	formStatus := status < 500 && status != http.StatusForbidden && status != http.StatusNotFound
	if errors.As(err, &r) && formStatus && (r.fill == nil || r.fill() == nil) {
		r.v.Error, r.v.Fields = "", map[string]string{}
		formError(r.v, err, r.fields)
		if r.words != "" {
			r.v.Error = r.words
		}
		if r.field != "" {
			r.v.Fields[r.field] = r.v.Error
		}
		if h.render(c, status, r.page, r.v) == nil {
			return
		}
	}
	v := h.newView(c, "出错了", "")
	var me *model.Error
	switch {
	case status >= 500:
		v.Error = messages["internal"]
	case asModel(err, &me) && me.Kind == model.KindInvalid && len(me.Fields) > 0:
		// No form to show them next to (a download, a link): the field problems in a row.
		var words []string
		for _, f := range me.Fields {
			words = append(words, fieldMessage(f))
		}
		v.Error = strings.Join(words, " ")
	default:
		v.Error = errorMessage(err)
	}
	if model.KindOf(err) == model.KindForbidden && codeOf(err) == "csrf" {
		v.Title = "请求被拒绝"
	}
	if err := h.render(c, status, "error.html", v); err != nil {
		h.log.Error("render error page", "request_id", c.GetString("request_id"), "err", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("内部错误"))
	}
}

func codeOf(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		return me.MachineCode()
	}
	return ""
}

// formError records err on v: field errors next to their fields, anything else for the whole
// form.
func formError(v *view, err error, fieldMap map[string]string) {
	var me *model.Error
	if model.KindOf(err) == model.KindInvalid && asModel(err, &me) && len(me.Fields) > 0 {
		for _, f := range me.Fields {
			name := f.Field
			if m, ok := fieldMap[name]; ok {
				name = m
			}
			if _, dup := v.Fields[name]; !dup {
				v.Fields[name] = fieldMessage(f)
			}
		}
		v.Error = messages["validation_failed"]
		return
	}
	v.Error = errorMessage(err)
}

// home sends each role to its first page.
func (h *Console) Home(c *gin.Context) error {
	p, _ := principalOf(c)
	if p.Role == model.RoleEnterprise {
		c.Redirect(http.StatusSeeOther, "/console/filings")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/console/queue")
	return nil
}

// pathID reads a positive integer path parameter; junk is "not found".
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.NotFound(strings.TrimSuffix(name, "_id"))
	}
	return id, nil
}

// queryID reads an optional positive integer query parameter (0 when absent or junk).
func queryID(c *gin.Context, name string) int64 {
	n, err := strconv.ParseInt(c.Query(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func queryPage(c *gin.Context) model.Page {
	n, _ := strconv.Atoi(c.Query("page"))
	if n < 1 || n > 1_000_000 {
		n = 1
	}
	return model.Page{Page: n, PageSize: 20}
}

// pager is the data of a list's "previous / next" links.
type pager struct {
	Page, Pages int
	Total       int64
	Prev, Next  string
}

func newPager(c *gin.Context, p model.Page, total int64) pager {
	p = p.Normalize()
	pages := int((total + int64(p.PageSize) - 1) / int64(p.PageSize))
	out := pager{Page: p.Page, Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if p.Page > 1 {
		out.Prev = link(p.Page - 1)
	}
	if p.Page < pages {
		out.Next = link(p.Page + 1)
	}
	return out
}
