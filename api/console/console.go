// Package console is the bureau's and the enterprises' web console: Chinese HTML pages served
// by the same binary, over the same internal services as the JSON API. A console handler
// parses a form, calls one service method and renders the page; a refusal is the service's
// own *model.Error, shown next to the field it names. No rule lives here.
package console

import (
	"bytes"
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
	"gimark/internal/verify"
	"gimark/model"
)

// DocumentsRoute is the upload route; the router raises its body limit to the upload limit.
const DocumentsRoute = "/console/filings/:id/documents"

// Deps are the services and settings the console needs. Labels, Signals, Sales and Reports
// may be nil: their pages are then left out.
type Deps struct {
	Log         *slog.Logger
	Accounts    *account.Service
	Enterprises *enterprise.Service
	Catalog     *catalog.Service
	Filings     *filing.Service
	Labels      *label.Service
	Signals     *verify.Signals
	Sales       *sales.Service  // nil: no sales pages
	Reports     *report.Service // nil: no report page
	// Key signs CSRF tokens (HMAC-SHA256). Every instance behind a load balancer needs the
	// same key; main derives it from the token secret.
	Key []byte
	// TrustedProxies are the addresses/CIDRs whose X-Forwarded-Proto and X-Forwarded-Host are
	// believed (the same list as the engine's X-Forwarded-For).
	TrustedProxies []string
	// LoginLimit and PublicLimit are the API's per-address limits for sign-in and public
	// reads, applied to the console's sign-in and register pages too. nil: none.
	LoginLimit  gin.HandlerFunc
	PublicLimit gin.HandlerFunc
	Now         func() time.Time
}

type handler struct {
	Deps
	log      *slog.Logger
	sessions *sessions
	pages    map[string]*template.Template
}

// Register adds the console's routes to r, all under /console. This is the console's
// counterpart of api/router.go: every page and its guard is listed here.
func Register(r *gin.Engine, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	pass := func(c *gin.Context) { c.Next() }
	if d.LoginLimit == nil {
		d.LoginLimit = pass
	}
	if d.PublicLimit == nil {
		d.PublicLimit = pass
	}
	h := &handler{Deps: d, log: d.Log, pages: loadPages()}
	h.sessions = newSessions(d)

	g := r.Group("/console", pageHeaders())
	g.GET("/static/console.css", h.css)

	// Public: the sign-in page and the register of authorized users.
	g.GET("/login", h.sessions.optional(), h.loginForm)
	g.POST("/login", d.LoginLimit, h.sessions.optional(), h.csrf(), h.login)
	g.GET("/registry", d.PublicLimit, h.sessions.optional(), h.registry)

	// Signed in, any role. Object checks (owner, reviewer) are the services'.
	s := g.Group("", h.sessions.require())
	s.GET("", h.home)
	s.POST("/logout", h.csrf(), h.logout)
	s.GET("/catalog", h.catalog)
	s.GET("/filings/:id", h.filingPage)
	s.POST("/filings/:id/transition", h.csrf(), h.transition)
	s.GET("/filings/:id/documents/:doc_id", h.document)

	staff := s.Group("", h.requireRole(model.RoleReviewer, model.RoleAdmin))
	staff.GET("/queue", h.queue)
	staff.GET("/enterprises", h.enterprises)
	staff.GET("/enterprises/:id", h.enterprise)

	admin := s.Group("", h.requireRole(model.RoleAdmin))
	admin.GET("/catalog/new", h.productForm)
	admin.POST("/catalog", h.csrf(), h.createProduct)
	admin.GET("/catalog/:id/edit", h.productForm)
	admin.POST("/catalog/:id", h.csrf(), h.updateProduct)

	ent := s.Group("", h.requireRole(model.RoleEnterprise))
	ent.GET("/filings", h.myFilings)
	ent.GET("/filings/new", h.filingForm)
	ent.POST("/filings", h.csrf(), h.createFiling)
	ent.GET("/filings/:id/edit", h.filingForm)
	ent.POST("/filings/:id", h.csrf(), h.updateFiling)
	// multipart: the handler checks the CSRF token, which the form sends as its first part.
	ent.POST("/filings/:id/documents", h.csrf(), h.upload)

	if d.Signals != nil {
		staff.GET("/signals", h.signals)
	}
	if d.Labels != nil {
		ent.POST("/filings/:id/batches", h.csrf(), h.orderBatch)
		s.GET("/batches/:id", h.batchPage)
		ent.GET("/batches/:id/codes.csv", h.codesCSV)
		ent.GET("/batches/:id/labels.zip", h.labelsZip)
		s.GET("/labels/:code/qr.png", h.qrPNG)
		s.GET("/labels/:code/qr.svg", h.qrSVG)
	}
	if d.Reports != nil {
		s.GET("/report", h.reportPage)
		s.GET("/report.csv", h.reportCSV)
	}
	if d.Sales != nil {
		ent.GET("/sales", h.salesPage)
		ent.POST("/sales", h.csrf(), h.putSales)
		ent.POST("/sales/upload", h.csrf(), h.uploadSales) // multipart, token first
	}
}

// pageHeaders are sent with every console answer: no script runs on these pages, nothing
// is framed, and nothing signed-in is cached.
func pageHeaders() gin.HandlerFunc {
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

func (h *handler) css(c *gin.Context) {
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
	Has    map[string]bool // which optional pages exist: labels, signals, sales, report
}

func (v *view) field(name string) string { return v.Fields[name] }

func (h *handler) newView(c *gin.Context, title, nav string) *view {
	v := &view{Title: title, Nav: nav, CSRF: csrfToken(c), Fields: map[string]string{}, Form: map[string]string{},
		Has: map[string]bool{"labels": h.Labels != nil, "signals": h.Signals != nil, "sales": h.Sales != nil, "report": h.Reports != nil}}
	if p, ok := principalOf(c); ok {
		v.User = &p
	}
	return v
}

// render executes page name into a buffer first, so a template error never sends half a page.
func (h *handler) render(c *gin.Context, status int, name string, v *view) {
	t, ok := h.pages[name]
	if !ok {
		panic("console: no page " + name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		h.log.Error("render page", "page", name, "request_id", c.GetString("request_id"), "err", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("内部错误"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// fail renders a page-level error (not found, forbidden, conflict…) with its status.
func (h *handler) fail(c *gin.Context, err error) {
	status, msg := h.describe(c, err)
	v := h.newView(c, "出错了", "")
	v.Error = msg
	h.render(c, status, "error.html", v)
	c.Abort()
}

// describe maps an error to its HTTP status (the same table as the API's) and a Chinese
// message; internal causes are logged, never shown.
func (h *handler) describe(c *gin.Context, err error) (int, string) {
	k := model.KindOf(err)
	status, ok := statusOf[k]
	if !ok {
		h.log.Error("console request failed", "request_id", c.GetString("request_id"), "route", c.FullPath(), "err", err.Error())
		return http.StatusInternalServerError, "内部错误，请稍后再试。"
	}
	return status, errorMessage(err)
}

var statusOf = map[model.Kind]int{
	model.KindMalformed:       http.StatusBadRequest,
	model.KindUnauthenticated: http.StatusUnauthorized,
	model.KindForbidden:       http.StatusForbidden,
	model.KindNotFound:        http.StatusNotFound,
	model.KindConflict:        http.StatusConflict,
	model.KindTooLarge:        http.StatusRequestEntityTooLarge,
	model.KindUnsupported:     http.StatusUnsupportedMediaType,
	model.KindInvalid:         http.StatusUnprocessableEntity,
	model.KindRateLimited:     http.StatusTooManyRequests,
	model.KindUnavailable:     http.StatusServiceUnavailable,
}

// formError records err on v: field errors next to their fields, anything else for the whole
// form. It returns the status the page is sent with.
func (h *handler) formError(c *gin.Context, v *view, err error, fieldMap map[string]string) int {
	status, msg := h.describe(c, err)
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
		v.Error = "请按提示修改后再提交。"
		return status
	}
	if model.KindOf(err) == model.KindRateLimited && asModel(err, &me) && me.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(me.RetryAfter.Seconds())+1))
	}
	v.Error = msg
	return status
}

func (h *handler) requireRole(roles ...model.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		for _, r := range roles {
			if p.Role == r {
				c.Next()
				return
			}
		}
		h.fail(c, model.Errorf(model.KindForbidden, "your role may not open this page"))
	}
}

// home sends each role to its first page.
func (h *handler) home(c *gin.Context) {
	p, _ := principalOf(c)
	if p.Role == model.RoleEnterprise {
		c.Redirect(http.StatusSeeOther, "/console/filings")
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/queue")
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
