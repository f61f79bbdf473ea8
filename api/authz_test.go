package api_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"gimark/internal/apitest"
	"gimark/model"
)

// roles of the authorization table: anonymous, two enterprises, a reviewer and an admin.
var roles = []string{"anon", "entA", "entB", "reviewer", "admin"}

// authzCase is one route: how to make its path (fresh objects, owned by entA), what body each
// role sends, and the status each role must get.
type authzCase struct {
	path   func(f *authzFixture) string
	body   func(f *authzFixture, role string) any
	upload bool
	want   map[string]int
}

type authzFixture struct {
	e              *apitest.Env
	a, b, rev      apitest.Account
	admin          string
	product, draft int64
	doc            int64
	batch          int64
	code           string
	sold           int64 // a product entA holds an approved filing for
	n              int
	dlLabel        *dlLabel
}

// dl is a label of entA's carrying a Digital Link URI (made once).
func (f *authzFixture) dl() *dlLabel {
	if f.dlLabel == nil {
		f.dlLabel = newDLLabel(f.e, f.a, f.rev, "LOT-A1")
	}
	return f.dlLabel
}

// signal raises a signal on entA's label.
func (f *authzFixture) signal() int64 {
	f.e.T.Helper()
	now := f.e.Clock.Now()
	ent := f.a.EnterpriseID
	key := "test:" + f.fresh()
	if err := f.e.Store.RaiseSignals(context.Background(), []model.SignalRaise{{Rule: model.RuleOverScanned, Key: key, Code: f.code,
		EnterpriseID: &ent, Count: 1, First: now, Last: now}}); err != nil {
		f.e.T.Fatal(err)
	}
	var sig model.SignalCase
	if err := f.e.Store.DB().Where("open_key = ?", key).Take(&sig).Error; err != nil {
		f.e.T.Fatal(err)
	}
	return sig.ID
}

// webhook registers an endpoint for entA.
func (f *authzFixture) webhook() int64 {
	f.e.T.Helper()
	r := f.e.Post("/api/v1/webhooks", f.a.Token, map[string]any{"url": "http://127.0.0.1:9/" + f.fresh(), "secret": "0123456789abcdef"})
	return r.ID(f.e.T)
}

func (f *authzFixture) fresh() string { f.n++; return fmt.Sprintf("x%d", f.n) }

func (f *authzFixture) token(role string) string {
	switch role {
	case "entA":
		return f.a.Token
	case "entB":
		return f.b.Token
	case "reviewer":
		return f.rev.Token
	case "admin":
		return f.admin
	}
	return ""
}

// newBatch orders a 3-label batch on a fresh approved filing of entA's and returns it with
// its first code.
func (f *authzFixture) newBatch() (int64, string) {
	id := f.filingIn("approved")
	r := f.e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), f.a.Token, map[string]int{"quantity": 3})
	if r.Code != 201 {
		f.e.T.Fatalf("order batch: %d %s", r.Code, r.Body)
	}
	batch := r.ID(f.e.T)
	csv := f.e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), f.a.Token)
	var serial int
	var code string
	fmt.Sscanf(strings.Split(string(csv.Body), "\n")[1], "%d,%17s", &serial, &code)
	return batch, code
}

// filingIn makes a filing of entA's in the given state, for a new product.
func (f *authzFixture) filingIn(state string) int64 {
	p := f.e.Product("品" + f.fresh())
	id := f.e.Draft(f.a, p)
	steps := map[string][][2]string{
		"draft":     {},
		"submitted": {{"a", "submit"}},
		"approved":  {{"a", "submit"}, {"r", "approve"}},
		"suspended": {{"a", "submit"}, {"r", "approve"}, {"r", "suspend"}},
	}[state]
	for _, s := range steps {
		tok := f.a.Token
		if s[0] == "r" {
			tok = f.rev.Token
		}
		f.e.Act(tok, id, s[1], map[string]string{"reason": "理由"}, 200)
	}
	return id
}

func all(code int) map[string]int {
	m := map[string]int{}
	for _, r := range roles {
		m[r] = code
	}
	return m
}

func want(anon, a, b, rev, admin int) map[string]int {
	return map[string]int{"anon": anon, "entA": a, "entB": b, "reviewer": rev, "admin": admin}
}

func fixed(p string) func(*authzFixture) string { return func(*authzFixture) string { return p } }

func reason(*authzFixture, string) any { return map[string]string{"reason": "理由"} }

func transitionCase(state, action string, byOwner bool) authzCase {
	w := want(401, 403, 403, 200, 403)
	if byOwner {
		w = want(401, 200, 404, 403, 403)
	}
	return authzCase{path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/filings/%d/%s", f.filingIn(state), action)
	}, body: reason, want: w}
}

// authzTable has one row per route the router serves; TestAuthorizationTable fails for a
// route without a row.
var authzTable = map[string]authzCase{
	"GET /":             {path: fixed("/"), want: all(200)},
	"GET /healthz":      {path: fixed("/healthz"), want: all(200)},
	"GET /readyz":       {path: fixed("/readyz"), want: all(200)},
	"GET /metrics":      {path: fixed("/metrics"), want: all(200)},
	"GET /openapi.yaml": {path: fixed("/openapi.yaml"), want: all(200)},
	"GET /docs":         {path: fixed("/docs"), want: all(200)},
	"POST /api/v1/auth/register": {path: fixed("/api/v1/auth/register"), want: all(201),
		body: func(f *authzFixture, _ string) any { return apitest.RegisterBody(f.e.T, "reg"+f.fresh()) }},
	"POST /api/v1/auth/login": {path: fixed("/api/v1/auth/login"), want: all(200),
		body: func(*authzFixture, string) any {
			return map[string]string{"username": "admin", "password": apitest.AdminPassword}
		}},
	"POST /api/v1/auth/refresh": {path: fixed("/api/v1/auth/refresh"), want: all(401),
		body: func(*authzFixture, string) any { return map[string]string{"refresh_token": "nope"} }},
	"POST /api/v1/auth/logout": {path: fixed("/api/v1/auth/logout"), want: want(401, 204, 204, 204, 204),
		body: func(*authzFixture, string) any { return map[string]string{"refresh_token": "nope"} }},
	"GET /api/v1/me": {path: fixed("/api/v1/me"), want: want(401, 200, 200, 200, 200)},
	// A wrong current password: every signed-in role may ask, none changes anything here.
	"POST /api/v1/me/password": {path: fixed("/api/v1/me/password"), want: want(401, 422, 422, 422, 422),
		body: func(*authzFixture, string) any {
			return map[string]string{"current_password": "not-the-password", "new_password": "another-password-1"}
		}},
	"POST /api/v1/users/:id/password-reset": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/users/%d/password-reset", f.e.Reviewer("r"+f.fresh()).UserID)
	}, want: want(401, 403, 403, 403, 200)},
	"POST /api/v1/users": {path: fixed("/api/v1/users"), want: want(401, 403, 403, 403, 201),
		body: func(f *authzFixture, _ string) any {
			return map[string]string{"username": "u" + f.fresh(), "password": apitest.Password, "role": "reviewer"}
		}},
	"GET /api/v1/enterprises": {path: fixed("/api/v1/enterprises"), want: want(401, 403, 403, 200, 200)},
	"GET /api/v1/enterprises/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/enterprises/%d", f.a.EnterpriseID) },
		want: want(401, 200, 404, 200, 200)},
	"PATCH /api/v1/enterprises/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/enterprises/%d", f.a.EnterpriseID) },
		body: func(*authzFixture, string) any { return map[string]string{"contact_phone": "13900000000"} },
		want: want(401, 200, 404, 403, 403)},
	"GET /api/v1/products": {path: fixed("/api/v1/products"), want: all(200)},
	"GET /api/v1/products/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/products/%d", f.product) },
		want: all(200)},
	"POST /api/v1/products": {path: fixed("/api/v1/products"), want: want(401, 403, 403, 403, 201),
		body: func(f *authzFixture, _ string) any {
			return map[string]string{"name": "产品" + f.fresh(), "kind": "collective_mark", "reference_number": "第1号", "region_code": "620400"}
		}},
	"PATCH /api/v1/products/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/products/%d", f.product) },
		body: func(*authzFixture, string) any { return map[string]string{"standard": "GB/T 1"} },
		want: want(401, 403, 403, 403, 200)},
	"GET /api/v1/registry": {path: fixed("/api/v1/registry"), want: all(200)},
	"POST /api/v1/filings": {path: fixed("/api/v1/filings"), want: want(401, 201, 201, 403, 403),
		body: func(f *authzFixture, _ string) any {
			return map[string]any{"product_id": f.e.Product("新" + f.fresh()), "kind": "new", "production_address": "靖远县", "annual_output_kg": "1"}
		}},
	"GET /api/v1/filings": {path: fixed("/api/v1/filings"), want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/filings/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d", f.draft) },
		want: want(401, 200, 404, 200, 200)},
	"PATCH /api/v1/filings/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d", f.draft) },
		body: func(*authzFixture, string) any { return map[string]string{"annual_output_kg": "2"} },
		want: want(401, 200, 404, 403, 403)},
	"GET /api/v1/filings/:id/events": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d/events", f.draft) },
		want: want(401, 200, 404, 200, 200)},
	"POST /api/v1/filings/:id/documents": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d/documents", f.draft) },
		upload: true, want: want(401, 201, 404, 403, 403)},
	"GET /api/v1/filings/:id/documents/:doc_id": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/filings/%d/documents/%d", f.draft, f.doc)
	}, want: want(401, 200, 404, 200, 200)},
	"POST /api/v1/filings/:id/label-batches": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/filings/%d/label-batches", f.filingIn("approved"))
	}, body: func(*authzFixture, string) any { return map[string]int{"quantity": 2} }, want: want(401, 201, 404, 403, 403)},
	"GET /api/v1/filings/:id/active-labels": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d/active-labels", f.draft) },
		want: want(401, 200, 404, 200, 200)},
	"GET /api/v1/label-batches": {path: fixed("/api/v1/label-batches"), want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/label-batches/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/label-batches/%d", f.batch) },
		want: want(401, 200, 404, 200, 200)},
	"GET /api/v1/label-batches/:id/codes.csv": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", f.batch)
	}, want: want(401, 200, 404, 403, 403)},
	"GET /api/v1/label-batches/:id/scans": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/label-batches/%d/scans", f.batch) },
		want: want(401, 200, 404, 200, 200)},
	"GET /api/v1/products/:id/scans": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/products/%d/scans", f.product) },
		want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/label-batches/:id/labels.zip": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/label-batches/%d/labels.zip?size=64", f.batch)
	}, want: want(401, 200, 404, 403, 403)},
	"GET /api/v1/label-batches/:id/labels.pdf": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/label-batches/%d/labels.pdf?template=roll-40x30", f.batch)
	}, want: want(401, 200, 404, 200, 403)},
	"GET /api/v1/label-batches/:id/prints": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/label-batches/%d/prints", f.batch)
	}, want: want(401, 200, 404, 200, 403)},
	"GET /api/v1/prints":          {path: fixed("/api/v1/prints"), want: want(401, 200, 200, 200, 403)},
	"GET /api/v1/label-templates": {path: fixed("/api/v1/label-templates"), want: want(401, 200, 200, 200, 200)},
	// No artwork is uploaded in this fixture (404); the admin's JSON body is not multipart (400).
	"GET /api/v1/special-mark": {path: fixed("/api/v1/special-mark"), want: want(401, 404, 404, 404, 404)},
	"PUT /api/v1/special-mark": {path: fixed("/api/v1/special-mark"), body: func(*authzFixture, string) any { return map[string]int{} },
		want: want(401, 403, 403, 403, 400)},
	// Both the owner and a reviewer may void; whoever comes second finds it voided (409).
	"POST /api/v1/label-batches/:id/void": {path: func(f *authzFixture) string {
		id, _ := f.newBatch()
		return fmt.Sprintf("/api/v1/label-batches/%d/void", id)
	}, body: reason, want: want(401, 200, 404, 409, 403)},
	"GET /api/v1/labels/:code/qr.png": {path: func(f *authzFixture) string { return "/api/v1/labels/" + f.code + "/qr.png" },
		want: want(401, 200, 404, 200, 200)},
	"GET /api/v1/labels/:code/qr.svg": {path: func(f *authzFixture) string { return "/api/v1/labels/" + f.code + "/qr.svg" },
		want: want(401, 200, 404, 200, 200)},
	"POST /api/v1/labels/:code/void": {path: func(f *authzFixture) string {
		_, code := f.newBatch()
		return "/api/v1/labels/" + code + "/void"
	}, body: reason, want: want(401, 200, 404, 409, 403)},
	"GET /api/v1/verify/:code": {path: func(f *authzFixture) string { return "/api/v1/verify/" + f.code }, want: all(200)},
	"GET /v/:code":             {path: func(f *authzFixture) string { return "/v/" + f.code }, want: all(200)},
	"GET /V/:code":             {path: func(f *authzFixture) string { return "/V/" + f.code }, want: all(200)},
	"GET /v":                   {path: fixed("/v?code=abc"), want: all(303)},
	"POST /api/v1/filings/:id/gtins": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/filings/%d/gtins", f.filingIn("approved"))
	}, body: func(f *authzFixture, _ string) any { return map[string]string{"gtin": testGTIN(f.n + 500)} }, want: want(401, 201, 404, 403, 403)},
	"GET /api/v1/filings/:id/gtins": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/filings/%d/gtins", f.draft) },
		want: want(401, 200, 404, 200, 200)},
	"GET /api/v1/registry/:number":    {path: func(f *authzFixture) string { return "/api/v1/registry/" + f.dl().auth }, want: all(200)},
	"GET /api/v1/epcis/events":        {path: fixed("/api/v1/epcis/events"), want: want(401, 200, 200, 200, 200)},
	"GET /gs1/items/:gtin":            {path: func(f *authzFixture) string { return "/gs1/items/" + f.dl().gtin }, want: all(200)},
	"GET /gs1/linkset-context.jsonld": {path: fixed("/gs1/linkset-context.jsonld"), want: all(200)},
	"GET /.well-known/gs1resolver":    {path: fixed("/.well-known/gs1resolver"), want: all(200)},
	"GET /01/*ai":                     {path: func(f *authzFixture) string { return f.dl().path }, want: all(307)},
	"HEAD /01/*ai":                    {path: func(f *authzFixture) string { return f.dl().path }, want: all(307)},
	"OPTIONS /01/*ai":                 {path: func(f *authzFixture) string { return f.dl().path }, want: all(204)},
	"GET /api/v1/signals":             {path: fixed("/api/v1/signals"), want: want(401, 200, 200, 200, 200)},
	// A signal without reports: no photo for anyone (404), and 404 for a stranger anyway.
	"GET /api/v1/signals/:id/reports/:report_id/photo": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/signals/%d/reports/1/photo", f.signal())
	}, want: want(401, 404, 404, 404, 404)},
	"GET /api/v1/signal-rules":   {path: fixed("/api/v1/signal-rules"), want: want(401, 403, 403, 200, 200)},
	"GET /api/v1/signals/counts": {path: fixed("/api/v1/signals/counts"), want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/signals/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/signals/%d", f.signal()) },
		want: want(401, 200, 404, 200, 200)},
	// A note alone: every role that sees the signal may add one.
	"POST /api/v1/signals/:id/events": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/signals/%d/events", f.signal()) },
		body: func(*authzFixture, string) any { return map[string]string{"note": "已电话核实"} }, want: want(401, 200, 404, 200, 200)},
	"POST /api/v1/webhooks": {path: fixed("/api/v1/webhooks"), body: func(*authzFixture, string) any {
		return map[string]any{"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}
	}, want: want(401, 201, 201, 403, 201)},
	"GET /api/v1/webhooks": {path: fixed("/api/v1/webhooks"), want: want(401, 200, 200, 403, 200)},
	// entA's endpoint: the bureau's admin does not see it either.
	"DELETE /api/v1/webhooks/:id": {path: func(f *authzFixture) string { return fmt.Sprintf("/api/v1/webhooks/%d", f.webhook()) },
		want: want(401, 204, 404, 403, 404)},
	"GET /api/v1/webhooks/:id/deliveries": {path: func(f *authzFixture) string {
		return fmt.Sprintf("/api/v1/webhooks/%d/deliveries", f.webhook())
	}, want: want(401, 200, 404, 403, 404)},
	// Without the page's token every report is refused, whoever sends it.
	"POST /v/:code/report": {path: func(f *authzFixture) string { return "/v/" + f.code + "/report" }, want: all(403)},
	"POST /V/:code/report": {path: func(f *authzFixture) string { return "/V/" + f.code + "/report" }, want: all(403)},
	// entB holds no approved filing for the product: its report is refused as invalid (422).
	"PUT /api/v1/sales-records": {path: fixed("/api/v1/sales-records"), body: func(f *authzFixture, _ string) any {
		return map[string]any{"records": []map[string]any{{"product_id": f.sold, "period": "2021-06", "channel": "offline",
			"amount_cny": "100.00", "quantity_kg": "1"}}}
	}, want: want(401, 200, 422, 403, 403)},
	"GET /api/v1/sales-records":          {path: fixed("/api/v1/sales-records"), want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/reports/summary":        {path: fixed("/api/v1/reports/summary"), want: want(401, 200, 200, 200, 200)},
	"GET /api/v1/reports/summary.csv":    {path: fixed("/api/v1/reports/summary.csv"), want: want(401, 200, 200, 200, 200)},
	"POST /api/v1/filings/:id/submit":    transitionCase("draft", "submit", true),
	"POST /api/v1/filings/:id/withdraw":  transitionCase("draft", "withdraw", true),
	"POST /api/v1/filings/:id/cancel":    transitionCase("approved", "cancel", true),
	"POST /api/v1/filings/:id/approve":   transitionCase("submitted", "approve", false),
	"POST /api/v1/filings/:id/reject":    transitionCase("submitted", "reject", false),
	"POST /api/v1/filings/:id/return":    transitionCase("submitted", "return", false),
	"POST /api/v1/filings/:id/suspend":   transitionCase("approved", "suspend", false),
	"POST /api/v1/filings/:id/reinstate": transitionCase("suspended", "reinstate", false),
	"POST /api/v1/filings/:id/revoke":    transitionCase("approved", "revoke", false),
}

// TestAuthorizationTable walks every route the router registers and asks it as each role.
// Roles that are refused go first, so the state a permitted call changes cannot hide a
// refusal. Another enterprise's objects are 404, never 403.
func TestAuthorizationTable(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := &authzFixture{e: e, a: e.Enterprise("enta"), b: e.Enterprise("entb"), rev: e.Reviewer("rev"), admin: e.AdminToken()}
		f.product = e.Product("靖远枸杞")
		f.draft = e.Draft(f.a, f.product)
		f.doc = e.Upload(f.a.Token, f.draft, "other", "a.pdf", pdf).ID(t)
		f.batch, f.code = f.newBatch()
		f.sold = e.Product("售品")
		e.Approved(f.a, f.sold, f.rev)
		for _, rt := range e.Routes() {
			if strings.HasPrefix(rt.Path, "/console") {
				continue // the console checks sessions itself and has its own tests
			}
			key := rt.Method + " " + rt.Path
			if strings.HasPrefix(rt.Path, "/console") {
				continue // HTML pages: api/console's TestConsoleRouteTable has their rows
			}
			tc, ok := authzTable[key]
			if !ok {
				t.Errorf("%s has no row in the authorization table", key)
				continue
			}
			t.Run(key, func(t *testing.T) {
				path := tc.path(f)
				order := append([]string(nil), roles...)
				sort.SliceStable(order, func(i, j int) bool { return refused(tc.want[order[i]]) && !refused(tc.want[order[j]]) })
				for _, role := range order {
					var r *apitest.Response
					switch {
					case tc.upload && role != "anon":
						r = e.Upload(f.token(role), idFromPath(path), "other", "b.pdf", pdf)
					default:
						var body any
						if tc.body != nil {
							body = tc.body(f, role)
						}
						r = e.Do(apitest.Request{Method: rt.Method, Path: path, Token: f.token(role), Body: body})
					}
					if r.Code != tc.want[role] {
						t.Errorf("%s as %s: %d, want %d: %.200s", key, role, r.Code, tc.want[role], r.Body)
					}
				}
			})
		}
	})
}

func idFromPath(p string) int64 {
	var id int64
	fmt.Sscanf(p, "/api/v1/filings/%d/", &id)
	return id
}

// refused are the answers that must come before a permitted call changes state.
func refused(code int) bool { return code == 401 || code == 403 || code == 404 }
