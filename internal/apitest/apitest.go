// Package apitest builds the real HTTP router over a real database for handler tests, with
// helpers that create accounts through the API itself.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"gimark/api"
	"gimark/internal/account"
	"gimark/internal/app"
	"gimark/internal/cluster"
	"gimark/internal/config"
	"gimark/internal/filing"
	"gimark/internal/label"
	"gimark/internal/signal"
	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/internal/uscc"
	"gimark/internal/verify"
	"gimark/internal/webhook"
	"gimark/model"
)

// Clock is a settable clock shared by the services under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t; the zero time means the real time now.
func (c *Clock) Set(t time.Time) {
	if t.IsZero() {
		t = time.Now().UTC().Truncate(time.Second)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Options tune the environment.
type Options struct {
	AuthRatePerMin   int   // 0: high enough never to trip (also the public read limit)
	MaxUploadBytes   int64 // 0: 1 MiB
	VerifyRatePerMin int   // 0: high enough never to trip
	ScanThreshold    int   // 0: 20, the default of GIMARK_SCAN_WARN_THRESHOLD
	PublicBaseURL    string
	// LabelCodes replaces the label code generator (nil: the real one).
	LabelCodes func(n int) ([]string, error)
	// ReportRatePerHour limits consumer reports per network (0: high enough never to trip).
	ReportRatePerHour int
	// Redis shares rate limits, the sign-in throttle and cache invalidations (as
	// GIMARK_REDIS_URL does); nil: this Env alone.
	Redis *cluster.Redis
	// Store is another Env's database, for a second instance on it; nil: a fresh database.
	Store *store.Store
}

// Env is one application under test.
type Env struct {
	T        testing.TB
	Engine   string
	Store    *store.Store
	App      *app.App
	Handler  http.Handler
	Accounts *account.Service
	Clock    *Clock
	Secret   []byte
	Log      *bytes.Buffer // everything the service logged
	DataDir  string        // uploaded documents live under DataDir/documents
	Filings  *filing.Service
	Labels   *label.Service
	Verify   *verify.Service
	Recorder *verify.Recorder
	// Webhooks accepts private endpoints (httptest servers); Deliver is the outbox worker on
	// the test clock, not running: tests call RunOnce.
	Webhooks *webhook.Service
	Deliver  *webhook.Worker
	Reports  *signal.Reports
}

// AdminPassword is the bootstrapped admin's password in every Env.
const AdminPassword = "admin-password-123"

// Each runs fn on every test engine (SQLite, and MySQL when configured).
func Each(t *testing.T, fn func(t *testing.T, e *Env)) { EachWith(t, Options{}, fn) }

// EachWith is Each with options.
func EachWith(t *testing.T, o Options, fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, eng := range testdb.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			fn(t, New(t, eng, o))
		})
	}
}

// Config is the configuration every Env runs with: the server's defaults (config.Load with
// the settings below as its environment), cheap password hashes, limits that never trip
// unless o sets them, and scans flushed every 20 ms but folded only by Recorder.Sync.
func Config(t testing.TB, o Options, dataDir string) config.Config {
	t.Helper()
	env := map[string]string{
		"GIMARK_DATA_DIR":       dataDir,
		"GIMARK_JWT_SECRET":     strings.Repeat("test-secret-", 4),
		"GIMARK_ADMIN_PASSWORD": AdminPassword,
	}
	if o.PublicBaseURL != "" {
		env["GIMARK_PUBLIC_BASE_URL"] = o.PublicBaseURL
	}
	if o.ScanThreshold != 0 {
		env["GIMARK_SCAN_WARN_THRESHOLD"] = strconv.Itoa(o.ScanThreshold)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.PasswordCost = bcrypt.MinCost
	cfg.AuthRatePerMin, cfg.PublicRatePerMin = 1_000_000, 1_000_000
	if o.AuthRatePerMin != 0 {
		cfg.AuthRatePerMin, cfg.PublicRatePerMin = o.AuthRatePerMin, o.AuthRatePerMin
	}
	cfg.VerifyRatePerMin = 1_000_000
	if o.VerifyRatePerMin != 0 {
		cfg.VerifyRatePerMin = o.VerifyRatePerMin
	}
	cfg.MaxUploadBytes = 1 << 20
	if o.MaxUploadBytes != 0 {
		cfg.MaxUploadBytes = o.MaxUploadBytes
	}
	cfg.ScanBuffer, cfg.ScanFlushEvery, cfg.ScanFoldEvery = 1<<14, 20*time.Millisecond, time.Hour // tests fold with Sync
	cfg.ReportRatePerHour = 1_000_000
	if o.ReportRatePerHour != 0 {
		cfg.ReportRatePerHour = o.ReportRatePerHour
	}
	cfg.WebhookAllowPrivate, cfg.WebhookPollEvery = true, 0 // tests deliver with Deliver.RunOnce
	return cfg
}

// New builds an Env on engine eng: the application of internal/app, as the server builds it,
// over a fresh database, with a settable clock.
func New(t testing.TB, eng testdb.Engine, o Options) *Env {
	t.Helper()
	clock := &Clock{t: time.Now().UTC().Truncate(time.Second)}
	st := o.Store
	if st == nil {
		st = eng.Open(t, clock.Now)
	}
	logBuf := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logBuf}, nil))
	dataDir := t.TempDir()
	cfg := Config(t, o, dataDir)
	var opts []app.Option
	if o.LabelCodes != nil {
		opts = append(opts, app.WithLabelCodes(o.LabelCodes))
	}
	if o.Redis != nil {
		opts = append(opts, app.WithRedis(o.Redis))
	}
	a, err := app.New(cfg, st, log, clock.Now, opts...)
	if err != nil {
		t.Fatal(err)
	}
	a.Start(t.Context())
	t.Cleanup(func() { _ = a.Stop(context.Background()) }) // before the store closes (LIFO)
	if _, _, err := a.Bootstrap(t.Context()); err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, Engine: eng.Name, Store: st, App: a, Handler: a.Handler, Accounts: a.Accounts, Clock: clock,
		Secret: a.Secret, Log: logBuf, DataDir: dataDir, Filings: a.Filings, Labels: a.Labels, Verify: a.Verify,
		Recorder: a.Recorder, Webhooks: a.Webhooks, Deliver: a.Deliver, Reports: a.Reports}
}

// StrictDeliver is a delivery worker like Deliver that refuses private addresses, as in
// production.
func (e *Env) StrictDeliver() *webhook.Worker {
	return webhook.NewWorker(e.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), false, e.Clock.Now)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Response is a recorded answer.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as an object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Problem is the decoded problem document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Problem checks the answer is problem+json with the given status and returns it.
func (r *Response) Problem(t testing.TB, status int) Problem {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != api.ProblemContentType {
		t.Fatalf("content type %q, want %s", ct, api.ProblemContentType)
	}
	var p Problem
	r.JSON(t, &p)
	if p.Status != status || p.Code == "" || p.Title == "" || p.Type == "" {
		t.Fatalf("incomplete problem document: %s", r.Body)
	}
	for _, f := range p.Errors {
		if f.Field == "" || f.Code == "" || f.Message == "" {
			t.Fatalf("a field error without its field, code or message: %s", r.Body)
		}
	}
	return p
}

// HasField reports whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Request is a request to send.
type Request struct {
	Method, Path string
	Body         any // marshalled as JSON unless []byte or string
	Token        string
	Header       map[string]string
	RemoteAddr   string // the caller's address; httptest's 192.0.2.1:1234 when empty
}

// Do sends req through the router.
func (e *Env) Do(req Request) *Response {
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	r := httptest.NewRequest(req.Method, req.Path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	if req.RemoteAddr != "" {
		r.RemoteAddr = req.RemoteAddr
	}
	return e.serve(r)
}

// Get, Post, Patch are shorthands for Do.
func (e *Env) Get(path, token string) *Response {
	return e.Do(Request{Method: "GET", Path: path, Token: token})
}

// Post sends a JSON body.
func (e *Env) Post(path, token string, body any) *Response {
	return e.Do(Request{Method: "POST", Path: path, Token: token, Body: body})
}

// Patch sends a JSON body.
func (e *Env) Patch(path, token string, body any) *Response {
	return e.Do(Request{Method: "PATCH", Path: path, Token: token, Body: body})
}

// Tokens is a decoded sign-in answer.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	// MustChangePassword: signed in with a one-time password.
	MustChangePassword bool `json:"must_change_password"`
}

// Login signs in through the API and fails the test unless it works.
func (e *Env) Login(username, password string) Tokens {
	e.T.Helper()
	r := e.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	if r.Code != http.StatusOK {
		e.T.Fatalf("login %s: %d %s", username, r.Code, r.Body)
	}
	var tk Tokens
	r.JSON(e.T, &tk)
	return tk
}

// AdminToken signs in as the bootstrapped admin.
func (e *Env) AdminToken() string { return e.Login("admin", AdminPassword).AccessToken }

// seq numbers fixture codes; it starts at a random point so separate runs differ.
var seq = func() *atomic.Int64 {
	var a atomic.Int64
	a.Store(time.Now().UnixNano() % 50_000_000)
	return &a
}()

// USCC returns a valid, never-before-used unified social credit code.
func USCC(t testing.TB) string {
	t.Helper()
	n := seq.Add(1)
	code, err := uscc.Make("91", "620300", fmt.Sprintf("%08d", n%100_000_000))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// Password is the password of every account the helpers create.
const Password = "correct-horse-battery"

// Account is an account created by a helper.
type Account struct {
	UserID       int64
	Username     string
	EnterpriseID int64
	Token        string
	Refresh      string
}

// RegisterBody is a valid registration for username.
func RegisterBody(t testing.TB, username string) map[string]any {
	return map[string]any{
		"username": username, "password": Password,
		"enterprise": map[string]any{
			"uscc": USCC(t), "name": "靖远县" + username + "枸杞有限公司", "legal_representative": "张三",
			"address": "甘肃省白银市靖远县乌兰镇", "region_code": "620421", "contact_phone": "0943-6123456",
		},
	}
}

// Enterprise registers an enterprise with one account through the API and signs it in.
func (e *Env) Enterprise(username string) Account {
	e.T.Helper()
	r := e.Post("/api/v1/auth/register", "", RegisterBody(e.T, username))
	if r.Code != http.StatusCreated {
		e.T.Fatalf("register %s: %d %s", username, r.Code, r.Body)
	}
	var out struct {
		User       struct{ ID int64 } `json:"user"`
		Enterprise struct{ ID int64 } `json:"enterprise"`
	}
	r.JSON(e.T, &out)
	tk := e.Login(username, Password)
	return Account{UserID: out.User.ID, Username: username, EnterpriseID: out.Enterprise.ID, Token: tk.AccessToken, Refresh: tk.RefreshToken}
}

// Staff creates a reviewer or admin through the admin API and signs it in.
func (e *Env) Staff(username, role string) Account {
	e.T.Helper()
	r := e.Post("/api/v1/users", e.AdminToken(), map[string]any{"username": username, "password": Password, "role": role})
	if r.Code != http.StatusCreated {
		e.T.Fatalf("create %s %s: %d %s", role, username, r.Code, r.Body)
	}
	var out struct{ ID int64 }
	r.JSON(e.T, &out)
	tk := e.Login(username, Password)
	return Account{UserID: out.ID, Username: username, Token: tk.AccessToken, Refresh: tk.RefreshToken}
}

// Reviewer creates a reviewer.
func (e *Env) Reviewer(username string) Account { return e.Staff(username, "reviewer") }

// Route is one registered route.
type Route struct{ Method, Path string }

// Routes lists every route the router registers.
func (e *Env) Routes() []Route {
	type router interface{ Routes() gin.RoutesInfo }
	var out []Route
	for _, r := range e.Handler.(router).Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

// Product adds a protected product to the catalog through the admin API and returns its id.
func (e *Env) Product(name string) int64 {
	e.T.Helper()
	r := e.Post("/api/v1/products", e.AdminToken(), map[string]any{
		"name": name, "kind": "protected_product", "reference_number": "国家质检总局公告2012年第xxx号",
		"protected_area": "甘肃省靖远县现辖行政区域", "standard": "DB62/T 0000", "region_code": "620421",
	})
	if r.Code != http.StatusCreated {
		e.T.Fatalf("create product %s: %d %s", name, r.Code, r.Body)
	}
	return r.ID(e.T)
}

// ID reads the "id" member of a JSON answer.
func (r *Response) ID(t testing.TB) int64 {
	t.Helper()
	var v struct{ ID int64 }
	r.JSON(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}

// Draft files a draft for a's enterprise and product (kind "new") with the documents a
// submission needs attached: a business licence and an origin proof.
func (e *Env) Draft(a Account, productID int64) int64 {
	e.T.Helper()
	id := e.BareDraft(a, productID)
	e.AttachRequired(a.Token, id)
	return id
}

// BareDraft files a draft without documents.
func (e *Env) BareDraft(a Account, productID int64) int64 {
	e.T.Helper()
	r := e.Post("/api/v1/filings", a.Token, map[string]any{"product_id": productID, "kind": "new",
		"production_address": "靖远县五合镇", "annual_output_kg": "1250.500"})
	if r.Code != http.StatusCreated {
		e.T.Fatalf("create filing: %d %s", r.Code, r.Body)
	}
	return r.ID(e.T)
}

// PDF is a small file the document upload accepts as a PDF.
var PDF = append([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"), bytes.Repeat([]byte("x"), 200)...)

// AttachRequired uploads one document of each kind a submission needs.
func (e *Env) AttachRequired(token string, filingID int64) {
	e.T.Helper()
	for _, k := range model.RequiredDocuments {
		if r := e.Upload(token, filingID, string(k), string(k)+".pdf", PDF); r.Code != http.StatusCreated {
			e.T.Fatalf("upload %s: %d %s", k, r.Code, r.Body)
		}
	}
}

// Act posts a filing action and fails the test unless the answer is want.
func (e *Env) Act(token string, filingID int64, action string, body any, want int) *Response {
	e.T.Helper()
	r := e.Post(fmt.Sprintf("/api/v1/filings/%d/%s", filingID, action), token, body)
	if r.Code != want {
		e.T.Fatalf("%s filing %d: %d, want %d: %s", action, filingID, r.Code, want, r.Body)
	}
	return r
}

// Approved files, submits and approves a filing; it returns the filing id.
func (e *Env) Approved(a Account, productID int64, reviewer Account) int64 {
	e.T.Helper()
	id := e.Draft(a, productID)
	e.Act(a.Token, id, "submit", nil, http.StatusOK)
	e.Act(reviewer.Token, id, "approve", nil, http.StatusOK)
	return id
}

// Upload sends a multipart document upload.
func (e *Env) Upload(token string, filingID int64, kind, filename string, content []byte) *Response {
	e.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	if content != nil {
		fw, _ := mw.CreateFormFile("file", filename)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	r := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/filings/%d/documents", filingID), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer "+token)
	return e.serve(r)
}

// serve runs r through the router and checks the answer against the contract.
func (e *Env) serve(r *http.Request) *Response {
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	res := &Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	checkContract(e.T, r, res.Code, res.Header, res.Body)
	return res
}
