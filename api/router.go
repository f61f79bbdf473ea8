// Package api is gimark's HTTP edge: the Gin engine, middleware, request and response
// shapes, and the mapping of errors to RFC 9457 problem documents. Handlers parse, call one
// service method and render; the rules live in internal/.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/api/console"
	"gimark/assets"
	"gimark/internal/account"
	"gimark/internal/auth"
	"gimark/internal/catalog"
	"gimark/internal/enterprise"
	"gimark/internal/epcis"
	"gimark/internal/filing"
	"gimark/internal/label"
	"gimark/internal/metrics"
	"gimark/internal/ratelimit"
	"gimark/internal/report"
	"gimark/internal/resolver"
	"gimark/internal/sales"
	"gimark/internal/scanstats"
	"gimark/internal/signal"
	"gimark/internal/specialmark"
	"gimark/internal/tradeitem"
	"gimark/internal/verify"
	"gimark/internal/webhook"
	"gimark/model"
)

// Readiness reports whether the service can answer (database reachable, schema current).
type Readiness interface {
	Ready(ctx context.Context) error
}

// Deps are the services the HTTP edge calls.
type Deps struct {
	Log         *slog.Logger
	Accounts    *account.Service
	Enterprises *enterprise.Service
	Catalog     *catalog.Service
	Filings     *filing.Service
	Labels      *label.Service
	Verify      *verify.Service
	Sales       *sales.Service
	Reports     *report.Service
	TradeItems  *tradeitem.Service // GTINs under filings
	Resolver    *resolver.Service  // the GS1 Digital Link resolver
	EPCIS       *epcis.Exporter    // EPCIS 2.0 export

	// SignalCases is the signal workflow; ConsumerReports takes reports from the /v/ page;
	// Webhooks registers the endpoints signals are delivered to.
	SignalCases     *signal.Service
	ConsumerReports *signal.Reports
	Webhooks        *webhook.Service
	ScanStats       *scanstats.Service
	// Rules tighten the verification limit of a network caught guessing codes (nil: never).
	Rules *signal.Rules

	// SpecialMarks keeps the special mark's artwork printed on labels.
	SpecialMarks *specialmark.Service
	// VerifyRatePerMin limits verifications per client address (GIMARK_VERIFY_RATE_PER_MIN).
	VerifyRatePerMin int
	Ready            Readiness
	Metrics          *metrics.Metrics // nil: no /metrics
	TrustedProxies   []string         // addresses whose X-Forwarded-For is believed
	AuthRatePerMin   int              // public auth endpoints, per client address (default 30)
	// PublicRatePerMin limits the public catalog and register reads per address (default 600).
	PublicRatePerMin int
	Now              func() time.Time // injected clock for rate limits
	// Limits makes the rate limit named name (auth, public, verify) of perMin a minute per
	// client address; nil keeps each in this instance's memory. With GIMARK_REDIS_URL every
	// instance shares them (cluster.Redis.Limiter).
	Limits func(name string, perMin int) ratelimit.Limiter
	// ConsoleKey signs the web console's CSRF tokens; every instance needs the same one
	// (nil: a random key, fine for one instance).
	ConsoleKey []byte
	// MetricsElsewhere keeps /metrics off this router (it is served on GIMARK_METRICS_ADDR, or
	// not at all); the collectors still count.
	MetricsElsewhere bool
}

type app struct {
	Deps
	log        *slog.Logger
	issuer     *auth.Issuer
	pages      PageWriter       // the console: refusals on its paths are its pages
	tightLimit *ratelimit.Keyed // verification of networks caught guessing codes
}

// New builds the engine with every route and its guard. This file is the one place to read
// who may call what.
func New(d Deps) *gin.Engine {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.AuthRatePerMin == 0 {
		d.AuthRatePerMin = 30
	}
	if d.VerifyRatePerMin == 0 {
		d.VerifyRatePerMin = 120
	}
	if d.PublicRatePerMin == 0 {
		d.PublicRatePerMin = 600
	}
	a := &app{Deps: d, log: d.Log, issuer: d.Accounts.Issuer()}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// Without trusted proxies X-Forwarded-For is ignored, so a client cannot pick the address
	// that rate limits and sign-in throttling count against.
	_ = r.SetTrustedProxies(d.TrustedProxies)
	r.Use(requestID(), accessLog(a.log), observe(d.Metrics), a.recovery(), securityHeaders(), a.bodyLimit(MaxJSONBody, map[string]int64{
		// A document upload may carry the whole file plus the multipart framing.
		"/api/v1/filings/:id/documents": d.Filings.MaxUpload() + 64<<10,
		console.DocumentsRoute:          d.Filings.MaxUpload() + 64<<10,
		"/v/:code/report":               MaxReportBody,
		"/V/:code/report":               MaxReportBody,
		"/api/v1/special-mark":          specialmark.MaxBytes + 64<<10,
		console.SpecialMarkRoute:        specialmark.MaxBytes + 64<<10,
	}, console.DocumentsRoute, console.SalesUploadRoute, console.SpecialMarkRoute))
	limit := d.Limits
	if limit == nil {
		limit = func(_ string, perMin int) ratelimit.Limiter { return ratelimit.PerMinute(perMin, d.Now) }
	}
	authLimit := limit("auth", d.AuthRatePerMin)
	publicLimit := limit("public", d.PublicRatePerMin)
	verifyLimit := limit("verify", d.VerifyRatePerMin) // shared by the page and the JSON
	// No such route: 404 problem+json (the console's page under /console); a damaged link
	// under /v/ gets the consumer's Chinese page.
	a.tightLimit = ratelimit.PerMinute(max(1, d.VerifyRatePerMin/10), d.Now)
	r.NoRoute(a.handle(func(c *gin.Context) error {
		if looksLikeDigitalLink(c.Request.URL.Path) {
			// /10/…, /gtin/…: a Digital Link without its GTIN, or with the retired short names.
			defer c.Abort() // answered here, not by the consumer's page below
			return a.digitalLink(c)
		}
		if consumerPath(c.Request.URL.Path) && c.Request.Method == http.MethodGet {
			return nil
		}
		return model.CodeError(model.KindNotFound, "route_not_found", "no such endpoint")
	}), a.verifyLimit(verifyLimit, true), a.handle(a.verifyNearMiss))
	r.NoMethod(a.handle(func(c *gin.Context) error {
		return &model.Error{Kind: model.KindMalformed, Code: "method_not_allowed", Msg: "this method is not allowed here"}
	}))

	authn := a.authenticate()
	staff := a.requireRole(model.RoleReviewer, model.RoleAdmin)
	admin := a.requireRole(model.RoleAdmin)
	rev := a.requireRole(model.RoleReviewer)
	ent := a.requireRole(model.RoleEnterprise)
	anyRole := a.requireRole(model.RoleAdmin, model.RoleReviewer, model.RoleEnterprise)

	// Operations, and the landing page with links to the console, the register and the docs.
	r.GET("/", a.landing)
	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.handle(a.readyz))
	r.GET("/openapi.yaml", a.openapiYAML)
	r.GET("/docs", a.docs)
	if d.Metrics != nil && !d.MetricsElsewhere {
		// Request counts and latencies by route, scans, labels issued, pool stats. Expose it to
		// the monitoring network only (the reverse proxy should not route it).
		r.GET("/metrics", gin.WrapH(d.Metrics.Handler()))
	}

	v1 := r.Group("/api/v1")

	// Public: no account. Rate limited per client address.
	v1.POST("/auth/register", a.rateLimit(authLimit), a.handle(a.register))
	v1.POST("/auth/login", a.rateLimit(authLimit), a.handle(a.login))
	v1.POST("/auth/refresh", a.rateLimit(authLimit), a.handle(a.refresh))
	v1.GET("/products", a.rateLimit(publicLimit), a.handle(a.listProducts))
	v1.GET("/products/:id", a.rateLimit(publicLimit), a.handle(a.getProduct))
	v1.GET("/registry", a.rateLimit(publicLimit), a.handle(a.registry))
	v1.GET("/registry/:number", a.rateLimit(publicLimit), a.handle(a.registryEntry))
	v1.GET("/verify/:code", a.verifyLimit(verifyLimit, false), a.handle(a.verifyJSON))
	// The consumer's page; /V/ is what upper-case QR URLs carry.
	r.GET("/v/:code", a.verifyLimit(verifyLimit, true), a.handle(a.verifyHTML))
	r.GET("/V/:code", a.verifyLimit(verifyLimit, true), a.handle(a.verifyHTML))
	r.GET("/v", a.handle(a.verifyForm))
	// GS1 Digital Link: labels of a batch with a GTIN carry /01/{gtin}[/10/{lot}]/21/{code};
	// the resolver redirects (the scan is counted at the target, under verifyLimit there).
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		r.Handle(m, "/01/*ai", a.rateLimit(publicLimit), a.handle(a.digitalLink))
	}
	r.GET("/.well-known/gs1resolver", a.gs1Resolver)
	r.GET(linksetContextPath, a.linksetContextDoc)
	r.GET("/gs1/items/:gtin", a.rateLimit(publicLimit), a.handle(a.productPage))
	// A consumer's report of a suspected fake, from the form on that page (token-bound,
	// rate-limited per network inside the service).
	r.POST("/v/:code/report", a.reportForm)
	r.POST("/V/:code/report", a.reportForm)

	// Signed in, any role.
	v1.POST("/auth/logout", authn, anyRole, a.handle(a.logout))
	v1.GET("/me", authn, anyRole, a.handle(a.me))
	v1.POST("/me/password", authn, anyRole, a.handle(a.changePassword))

	// Accounts (admin).
	v1.POST("/users", authn, admin, a.handle(a.createUser))
	v1.POST("/users/:id/password-reset", authn, admin, a.handle(a.resetPassword))

	// Enterprises: the bureau lists; an enterprise reads and edits its own (service checks).
	v1.GET("/enterprises", authn, staff, a.handle(a.listEnterprises))
	v1.GET("/enterprises/:id", authn, anyRole, a.handle(a.getEnterprise))
	v1.PATCH("/enterprises/:id", authn, ent, a.handle(a.updateEnterprise))

	// Catalog edits (admin).
	v1.POST("/products", authn, admin, a.handle(a.createProduct))
	v1.PATCH("/products/:id", authn, admin, a.handle(a.updateProduct))
	// Scan analytics: the bureau sees all of a product's labels, an enterprise its own.
	v1.GET("/products/:id/scans", authn, anyRole, a.handle(a.scanStats(true)))

	// Filings: enterprises file and act on their own; reviewers decide; the service checks
	// ownership (another enterprise's filing is 404).
	v1.POST("/filings", authn, ent, a.handle(a.createFiling))
	v1.GET("/filings", authn, anyRole, a.handle(a.listFilings))
	v1.GET("/filings/:id", authn, anyRole, a.handle(a.getFiling))
	v1.PATCH("/filings/:id", authn, ent, a.handle(a.updateFiling))
	v1.GET("/filings/:id/events", authn, anyRole, a.handle(a.filingEvents))
	v1.POST("/filings/:id/documents", authn, ent, a.handle(a.uploadDocument))
	v1.GET("/filings/:id/documents/:doc_id", authn, anyRole, a.handle(a.downloadDocument))
	// GTINs (GS1 trade items) under an approved filing: the owner records, the bureau reads.
	v1.POST("/filings/:id/gtins", authn, ent, a.handle(a.addGTIN))
	v1.GET("/filings/:id/gtins", authn, anyRole, a.handle(a.listGTINs))
	// Labels: the owner of an approved filing orders and prints; reviewers see and void.
	entOrRev := a.requireRole(model.RoleEnterprise, model.RoleReviewer)
	v1.POST("/filings/:id/label-batches", authn, ent, a.handle(a.orderBatch))
	v1.GET("/filings/:id/active-labels", authn, anyRole, a.handle(a.activeLabels))
	v1.GET("/label-batches", authn, anyRole, a.handle(a.listBatches))
	v1.GET("/label-batches/:id", authn, anyRole, a.handle(a.getBatch))
	v1.GET("/label-batches/:id/codes.csv", authn, ent, a.handle(a.codesCSV))
	v1.GET("/label-batches/:id/scans", authn, anyRole, a.handle(a.scanStats(false)))
	v1.GET("/label-batches/:id/labels.zip", authn, ent, a.handle(a.labelsZip))
	v1.GET("/label-batches/:id/labels.pdf", authn, entOrRev, a.handle(a.labelsPDF))
	v1.GET("/label-batches/:id/prints", authn, entOrRev, a.handle(a.batchPrints))
	v1.GET("/prints", authn, entOrRev, a.handle(a.prints))
	v1.GET("/label-templates", authn, anyRole, a.handle(a.labelTemplates))
	v1.GET("/special-mark", authn, anyRole, a.handle(a.getSpecialMark))
	v1.PUT("/special-mark", authn, admin, a.handle(a.putSpecialMark))
	v1.POST("/label-batches/:id/void", authn, entOrRev, a.handle(a.voidBatch))
	v1.GET("/labels/:code/qr.png", authn, anyRole, a.handle(a.qrPNG))
	v1.GET("/labels/:code/qr.svg", authn, anyRole, a.handle(a.qrSVG))
	v1.POST("/labels/:code/void", authn, entOrRev, a.handle(a.voidLabel))
	// EPCIS 2.0 events of the label history: an enterprise its own, the bureau all.
	v1.GET("/epcis/events", authn, anyRole, a.handle(a.epcisEvents))
	// Signals: reviewers work all; admins read and note; an enterprise reads the signals on
	// its own labels and may add notes (service checks; another enterprise's is 404).
	v1.GET("/signals", authn, anyRole, a.handle(a.signals))
	v1.GET("/signals/counts", authn, anyRole, a.handle(a.signalCounts))
	v1.GET("/signal-rules", authn, staff, a.handle(a.signalRules))
	v1.GET("/signals/:id", authn, anyRole, a.handle(a.getSignal))
	v1.POST("/signals/:id/events", authn, anyRole, a.handle(a.signalEvent))
	v1.GET("/signals/:id/reports/:report_id/photo", authn, anyRole, a.handle(a.reportPhoto))
	// Webhooks: an admin for the bureau, an enterprise for itself.
	adminOrEnt := a.requireRole(model.RoleAdmin, model.RoleEnterprise)
	v1.POST("/webhooks", authn, adminOrEnt, a.handle(a.createWebhook))
	v1.GET("/webhooks", authn, adminOrEnt, a.handle(a.listWebhooks))
	v1.DELETE("/webhooks/:id", authn, adminOrEnt, a.handle(a.deleteWebhook))
	v1.GET("/webhooks/:id/deliveries", authn, adminOrEnt, a.handle(a.webhookDeliveries))

	// Sales and reports: an enterprise reports and reads its own; the bureau reads all.
	v1.PUT("/sales-records", authn, ent, a.handle(a.putSales))
	v1.GET("/sales-records", authn, anyRole, a.handle(a.listSales))
	v1.GET("/reports/summary", authn, anyRole, a.handle(a.summary))
	v1.GET("/reports/summary.csv", authn, anyRole, a.handle(a.summaryCSV))

	for _, act := range []model.Action{model.ActSubmit, model.ActWithdraw, model.ActCancel} {
		v1.POST("/filings/:id/"+string(act), authn, ent, a.handle(a.transition(act)))
	}
	for _, act := range []model.Action{model.ActApprove, model.ActReject, model.ActReturn, model.ActSuspend, model.ActReinstate, model.ActRevoke} {
		v1.POST("/filings/:id/"+string(act), authn, rev, a.handle(a.transition(act)))
	}

	// The web console: Chinese pages under /console over the same services (api/console).
	// Its handlers return errors like the API's; on these paths writeError shows them as the
	// console's page (a.pages). The guards: page.Require signs in (or sends to the sign-in
	// page), page.CSRF checks every form, and the role checks are the API's.
	page := console.New(console.Deps{Log: a.log, Accounts: d.Accounts, Enterprises: d.Enterprises, Catalog: d.Catalog,
		Filings: d.Filings, Labels: d.Labels, TradeItems: d.TradeItems, SignalCases: d.SignalCases, Rules: d.Rules,
		Webhooks: d.Webhooks, ScanStats: d.ScanStats, Sales: d.Sales, Reports: d.Reports,
		SendPrint: a.sendPrint, SpecialMarks: d.SpecialMarks, Key: d.ConsoleKey, TrustedProxies: d.TrustedProxies, Now: d.Now})
	a.pages = page
	con := r.Group("/console", console.Headers())
	optional, signedIn, csrf := a.handle(page.Optional), a.handle(page.Require), a.handle(page.CSRF)
	con.GET("/static/console.css", page.CSS)

	// Public: the sign-in page and the register of authorized users, limited as the API's.
	con.GET("/login", optional, a.handle(page.LoginForm))
	con.POST("/login", a.rateLimit(authLimit), optional, csrf, a.handle(page.Login))
	// Self-registration of an enterprise: the API's rules (account.Service.Register) and limit.
	con.GET("/register", optional, a.handle(page.RegisterForm))
	con.POST("/register", a.rateLimit(authLimit), optional, csrf, a.handle(page.Register))
	con.GET("/registry", a.rateLimit(publicLimit), optional, a.handle(page.RegistryPage))

	// Signed in, any role. Object checks (owner, reviewer) are the services'.
	con.GET("", signedIn, a.handle(page.Home))
	con.POST("/logout", signedIn, csrf, a.handle(page.Logout))
	// The password: every user changes their own (as POST /api/v1/me/password; a sign-in with
	// a one-time password is held here until it is changed), an admin resets another's.
	con.GET("/password", signedIn, a.handle(page.PasswordForm))
	con.POST("/password", signedIn, csrf, a.handle(page.ChangePassword))
	con.GET("/catalog", signedIn, a.handle(page.CatalogPage))
	con.GET("/filings/:id", signedIn, a.handle(page.FilingPage))
	con.POST("/filings/:id/transition", signedIn, csrf, a.handle(page.Transition))
	con.GET("/filings/:id/confirm", signedIn, a.handle(page.ConfirmTransition)) // cancel, revoke
	con.GET("/filings/:id/documents/:doc_id", signedIn, a.handle(page.Document))
	if d.Labels != nil {
		con.GET("/batches/:id", signedIn, a.handle(page.BatchPage))
		con.GET("/batches/:id/labels.pdf", signedIn, entOrRev, a.handle(page.LabelsPDF))
		con.GET("/batches/:id/preview.png", signedIn, entOrRev, a.handle(page.PreviewPNG))
		con.GET("/prints", signedIn, entOrRev, a.handle(page.PrintsPage))
		con.GET("/labels/:code/qr.png", signedIn, a.handle(page.QRPNG))
		con.GET("/labels/:code/qr.svg", signedIn, a.handle(page.QRSVG))
		// 查询页 for the owner and the bureau: the consumer's page, not recorded as a scan.
		con.GET("/labels/:code/verify", signedIn, a.verifyLimit(verifyLimit, true), a.handle(a.consoleVerify))
		// Voiding a whole batch: the owner or a reviewer, after the confirmation page.
		con.GET("/batches/:id/void", signedIn, entOrRev, a.handle(page.ConfirmVoidBatch))
		con.POST("/batches/:id/void", signedIn, entOrRev, csrf, a.handle(page.VoidBatch))
	}
	if d.SignalCases != nil {
		// Signals: the API's rules (reviewers work them, admins and the owner add notes;
		// another enterprise's is 404). Resolving goes through its confirmation page.
		con.GET("/signals", signedIn, a.handle(page.SignalsPage))
		con.GET("/signals/:id", signedIn, a.handle(page.SignalPage))
		con.POST("/signals/:id/events", signedIn, csrf, a.handle(page.SignalAct))
		con.GET("/signals/:id/resolve", signedIn, rev, a.handle(page.ConfirmResolve))
		// A consumer report's photo: the API's handler, under the console's session.
		con.GET("/signals/:id/reports/:report_id/photo", signedIn, a.handle(a.reportPhoto))
		con.GET("/signal-rules", signedIn, staff, a.handle(page.RulesPage))
	}
	if d.Webhooks != nil {
		// Webhooks: an admin for the bureau, an enterprise for itself (as the API's).
		con.GET("/webhooks", signedIn, adminOrEnt, a.handle(page.WebhooksPage))
		con.POST("/webhooks", signedIn, adminOrEnt, csrf, a.handle(page.CreateWebhook))
		con.GET("/webhooks/:id", signedIn, adminOrEnt, a.handle(page.WebhookPage))
		con.GET("/webhooks/:id/delete", signedIn, adminOrEnt, a.handle(page.ConfirmDeleteWebhook))
		con.POST("/webhooks/:id/delete", signedIn, adminOrEnt, csrf, a.handle(page.DeleteWebhook))
	}
	if d.ScanStats != nil {
		// Scan analytics: the bureau every label, an enterprise its own (scanstats decides).
		con.GET("/scans", signedIn, a.handle(page.ProductScans))
		if d.Labels != nil {
			con.GET("/batches/:id/scans", signedIn, a.handle(page.BatchScans))
		}
	}
	if d.Reports != nil {
		con.GET("/report", signedIn, a.handle(page.ReportPage))
		con.GET("/report.csv", signedIn, a.handle(page.ReportCSV))
	}

	// The bureau.
	con.GET("/queue", signedIn, staff, a.handle(page.QueuePage))
	con.GET("/enterprises", signedIn, staff, a.handle(page.EnterprisesPage))
	con.GET("/enterprises/:id", signedIn, staff, a.handle(page.EnterprisePage))
	con.GET("/catalog/new", signedIn, admin, a.handle(page.ProductForm))
	con.POST("/catalog", signedIn, admin, csrf, a.handle(page.CreateProduct))
	con.GET("/catalog/:id/edit", signedIn, admin, a.handle(page.ProductForm))
	con.POST("/catalog/:id", signedIn, admin, csrf, a.handle(page.UpdateProduct))
	con.GET("/users", signedIn, admin, a.handle(page.UsersPage))
	con.POST("/users/password-reset", signedIn, admin, csrf, a.handle(page.ResetPassword))
	if d.SpecialMarks != nil {
		// Multipart: the handler checks the CSRF token, the form's first part.
		con.GET("/special-mark", signedIn, admin, a.handle(page.SpecialMarkPage))
		con.POST("/special-mark", signedIn, admin, a.handle(page.UploadSpecialMark))
	}

	// Enterprises. Multipart uploads: the handler checks the CSRF token, the form's first part.
	con.GET("/filings", signedIn, ent, a.handle(page.MyFilings))
	con.GET("/filings/new", signedIn, ent, a.handle(page.FilingForm))
	con.POST("/filings", signedIn, ent, csrf, a.handle(page.CreateFiling))
	con.GET("/filings/:id/edit", signedIn, ent, a.handle(page.FilingForm))
	con.POST("/filings/:id", signedIn, ent, csrf, a.handle(page.UpdateFiling))
	con.POST("/filings/:id/documents", signedIn, ent, csrf, a.handle(page.Upload))
	if d.Labels != nil {
		con.POST("/filings/:id/batches", signedIn, ent, csrf, a.handle(page.OrderBatch))
		if d.TradeItems != nil {
			con.POST("/filings/:id/gtins", signedIn, ent, csrf, a.handle(page.AddGTIN))
		}
		con.GET("/batches/:id/codes.csv", signedIn, ent, a.handle(page.CodesCSV))
		con.GET("/batches/:id/labels.zip", signedIn, ent, a.handle(page.LabelsZip))
	}
	if d.Sales != nil {
		con.GET("/sales", signedIn, ent, a.handle(page.SalesPage))
		con.POST("/sales", signedIn, ent, csrf, a.handle(page.PutSales))
		con.POST("/sales/upload", signedIn, ent, csrf, a.handle(page.UploadSales))
	}

	return r
}

// landing is what a browser opening the bare address sees: a small Chinese page of links.
func (a *app) landing(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", landingPage)
}

var landingPage = func() []byte {
	b, err := fs.ReadFile(assets.FS, "templates/landing.html")
	if err != nil {
		panic(err)
	}
	return b
}()

func (a *app) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (a *app) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := a.Ready.Ready(ctx); err != nil {
		return &model.Error{Kind: model.KindUnavailable, Code: "not_ready", Msg: "not ready: " + err.Error(), Err: err}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
	return nil
}
