package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

func TestEnterprises(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a := e.Enterprise("ent-a")
		b := e.Enterprise("ent-b")
		rev := e.Reviewer("rev")
		admin := e.AdminToken()
		pathA := fmt.Sprintf("/api/v1/enterprises/%d", a.EnterpriseID)

		tests := []struct {
			name, method, path, token string
			body                      any
			want                      int
			field                     string
		}{
			{"get-200-own", "GET", pathA, a.Token, nil, 200, ""},
			{"get-200-reviewer", "GET", pathA, rev.Token, nil, 200, ""},
			{"get-200-admin", "GET", pathA, admin, nil, 200, ""},
			{"get-404-other-enterprise", "GET", pathA, b.Token, nil, 404, ""},
			{"get-404-missing", "GET", "/api/v1/enterprises/999999", rev.Token, nil, 404, ""},
			{"get-404-junk-id", "GET", "/api/v1/enterprises/abc", rev.Token, nil, 404, ""},
			{"get-401-anonymous", "GET", pathA, "", nil, 401, ""},
			{"list-200-reviewer", "GET", "/api/v1/enterprises", rev.Token, nil, 200, ""},
			{"list-200-admin", "GET", "/api/v1/enterprises?page=1&page_size=1", admin, nil, 200, ""},
			{"list-403-enterprise", "GET", "/api/v1/enterprises", a.Token, nil, 403, ""},
			{"list-422-page-size", "GET", "/api/v1/enterprises?page_size=101", rev.Token, nil, 422, "page_size"},
			{"list-422-page", "GET", "/api/v1/enterprises?page=0", rev.Token, nil, 422, "page"},
			{"patch-200-own", "PATCH", pathA, a.Token, map[string]any{"contact_phone": "13800000000", "address": "靖远县东升镇"}, 200, ""},
			{"patch-404-other", "PATCH", pathA, b.Token, map[string]any{"contact_phone": "13800000000"}, 404, ""},
			{"patch-403-reviewer", "PATCH", pathA, rev.Token, map[string]any{"contact_phone": "13800000000"}, 403, ""},
			{"patch-422-uscc", "PATCH", pathA, a.Token, map[string]any{"uscc": "914403001922038216"}, 422, "uscc"},
			{"patch-422-phone", "PATCH", pathA, a.Token, map[string]any{"contact_phone": "call me"}, 422, "contact_phone"},
			{"patch-422-empty-address", "PATCH", pathA, a.Token, map[string]any{"address": "  "}, 422, "address"},
			{"patch-400-unknown-field", "PATCH", pathA, a.Token, map[string]any{"website": "x"}, 400, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
				if tc.want >= 400 {
					p := r.Problem(t, tc.want)
					if tc.field != "" && !p.HasField(tc.field) {
						t.Fatalf("problem does not name %s: %s", tc.field, r.Body)
					}
					return
				}
				if r.Code != tc.want {
					t.Fatalf("status %d, want %d: %s", r.Code, tc.want, r.Body)
				}
			})
		}

		got := e.Get(pathA, a.Token).Map(t)
		same(t, "enterprise after patch", map[string]any{"contact_phone": "13800000000", "address": "靖远县东升镇"}, fields(got, "contact_phone", "address"))
		// The refused patches changed nothing and the accepted one left an audit event.
		events, err := e.Store.AuditEventsOf(t.Context(), "enterprise", a.EnterpriseID)
		if err != nil {
			t.Fatal(err)
		}
		updates := 0
		for _, ev := range events {
			if ev.Action == "enterprise.update" {
				updates++
				if ev.ActorID == nil || *ev.ActorID != a.UserID {
					t.Fatalf("audit actor %v", ev.ActorID)
				}
			}
		}
		if updates != 1 {
			t.Fatalf("%d update events, want 1", updates)
		}

		// Search by name part and by USCC prefix.
		var list struct {
			Items []struct {
				ID   int64  `json:"id"`
				USCC string `json:"uscc"`
			} `json:"items"`
			Total    int64 `json:"total"`
			Page     int   `json:"page"`
			PageSize int   `json:"page_size"`
		}
		ids := func() []int64 {
			var out []int64
			for _, it := range list.Items {
				out = append(out, it.ID)
			}
			return out
		}
		e.Get("/api/v1/enterprises?q=ent-b", rev.Token).JSON(t, &list)
		same(t, "search by name: total", int64(1), list.Total)
		same(t, "search by name: items", []int64{b.EnterpriseID}, ids())
		bu := e.Get(fmt.Sprintf("/api/v1/enterprises/%d", b.EnterpriseID), rev.Token).Map(t)["uscc"].(string)
		e.Get("/api/v1/enterprises?q="+bu[:17], rev.Token).JSON(t, &list)
		same(t, "search by USCC: total", int64(1), list.Total)
		same(t, "search by USCC: items", []int64{b.EnterpriseID}, ids())
		if list.Items[0].USCC != bu {
			t.Fatalf("search by USCC found %s, want %s", list.Items[0].USCC, bu)
		}
		e.Get("/api/v1/enterprises?q=%25", rev.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("a %% in q acted as a wildcard: %+v", list)
		}
		e.Get("/api/v1/enterprises?page=2&page_size=1", rev.Token).JSON(t, &list)
		type pageOf struct{ Total, Items, Page, PageSize int64 }
		same(t, "pagination", pageOf{Total: 2, Items: 1, Page: 2, PageSize: 1},
			pageOf{Total: list.Total, Items: int64(len(list.Items)), Page: int64(list.Page), PageSize: int64(list.PageSize)})
	})
}

func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, path := range []string{"/healthz", "/readyz"} {
			if r := e.Get(path, ""); r.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.Code, r.Body)
			}
		}
		r := e.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "abc-123"}})
		if r.Header.Get("X-Request-ID") != "abc-123" {
			t.Fatalf("request id not echoed: %v", r.Header)
		}
		r = e.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "bad id\x01"}})
		if id := r.Header.Get("X-Request-ID"); id == "" || id == "bad id\x01" {
			t.Fatalf("unsafe request id kept: %q", id)
		}
		p := e.Get("/api/v1/nope", "").Problem(t, 404)
		if p.Code != "route_not_found" {
			t.Fatalf("code %q", p.Code)
		}
		e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/me"}).Problem(t, 400)
		m := e.Get("/metrics", "")
		if m.Code != 200 || !containsAll(string(m.Body),
			`gimark_http_requests_total{method="GET",route="/healthz",status="200"} 3`,
			`gimark_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`gimark_http_request_duration_seconds_bucket{method="GET",route="/readyz"`,
			`gimark_scans_total{result="genuine"} 0`) {
			t.Fatalf("metrics:\n%s", m.Body)
		}
		if !containsAll(e.Log.String(), `"route":"/readyz"`, `"request_id":"abc-123"`) {
			t.Fatalf("access log lacks route or request id:\n%s", e.Log.String())
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
