package api_test

import (
	"fmt"
	"testing"

	"gimark/internal/apitest"
)

func TestProducts(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.AdminToken()
		rev := e.Reviewer("rev")
		ent := e.Enterprise("ent")
		good := map[string]any{"name": "靖远枸杞", "kind": "protected_product", "reference_number": "质检总局2012年第xxx号",
			"protected_area": "靖安、五合、东升", "standard": "DB62/T 1234", "region_code": "620421"}
		r := e.Post("/api/v1/products", admin, good)
		if r.Code != 201 {
			t.Fatalf("create-201: %d %s", r.Code, r.Body)
		}
		id := r.ID(t)
		path := fmt.Sprintf("/api/v1/products/%d", id)
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range good {
				m[kk] = vv
			}
			m["name"] = "其他产品" + k
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		tests := []struct {
			name, method, path, token string
			body                      any
			want                      int
			field                     string
		}{
			{"create-409-name-taken", "POST", "/api/v1/products", admin, good, 409, "name"},
			{"create-422-bad-kind", "POST", "/api/v1/products", admin, with("kind", "trademark"), 422, "kind"},
			{"create-422-no-reference", "POST", "/api/v1/products", admin, with("reference_number", nil), 422, "reference_number"},
			{"create-422-empty-reference", "POST", "/api/v1/products", admin, with("reference_number", " "), 422, "reference_number"},
			{"create-422-no-kind", "POST", "/api/v1/products", admin, with("kind", nil), 422, "kind"},
			{"create-422-bad-region", "POST", "/api/v1/products", admin, with("region_code", "62"), 422, "region_code"},
			{"create-403-reviewer", "POST", "/api/v1/products", rev.Token, with("x", 1), 403, ""},
			{"create-403-enterprise", "POST", "/api/v1/products", ent.Token, with("x", 1), 403, ""},
			{"create-401-anonymous", "POST", "/api/v1/products", "", good, 401, ""},
			{"get-200", "GET", path, "", nil, 200, ""},
			{"get-404", "GET", "/api/v1/products/99999", "", nil, 404, ""},
			{"list-200-public", "GET", "/api/v1/products?q=枸杞", "", nil, 200, ""},
			{"list-422-active", "GET", "/api/v1/products?active=maybe", "", nil, 422, "active"},
			{"patch-200-admin", "PATCH", path, admin, map[string]any{"standard": "GB/T 19742"}, 200, ""},
			{"patch-422-kind", "PATCH", path, admin, map[string]any{"kind": "x"}, 422, "kind"},
			{"patch-403-reviewer", "PATCH", path, rev.Token, map[string]any{"standard": "x"}, 403, ""},
			{"patch-404", "PATCH", "/api/v1/products/99999", admin, map[string]any{"standard": "x"}, 404, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
				if tc.want >= 400 {
					p := r.Problem(t, tc.want)
					if tc.field != "" && !p.HasField(tc.field) {
						t.Fatalf("problem does not name %s: %s", tc.field, r.Body)
					}
				} else if r.Code != tc.want {
					t.Fatalf("status %d, want %d: %s", r.Code, tc.want, r.Body)
				}
			})
		}
		got := e.Get(path, "").Map(t)
		same(t, "product after patch", map[string]any{"standard": "GB/T 19742", "name": "靖远枸杞", "active": true, "kind": "protected_product"},
			fields(got, "standard", "name", "active", "kind"))
		e.Post("/api/v1/products", admin, map[string]any{"name": "会宁扁豆", "kind": "certification_mark", "reference_number": "第23307869号", "region_code": "620422"})
		var list struct {
			Items []struct{ Name string } `json:"items"`
			Total int64                   `json:"total"`
		}
		names := func() []string {
			var out []string
			for _, it := range list.Items {
				out = append(out, it.Name)
			}
			return out
		}
		e.Get("/api/v1/products?q=枸杞", "").JSON(t, &list)
		same(t, "search: total", int64(1), list.Total)
		same(t, "search", []string{"靖远枸杞"}, names())
		e.Patch(path, admin, map[string]any{"active": false})
		e.Get("/api/v1/products?active=true", "").JSON(t, &list)
		same(t, "active filter: total", int64(1), list.Total)
		same(t, "active filter", []string{"会宁扁豆"}, names())
	})
}
