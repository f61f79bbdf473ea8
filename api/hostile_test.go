package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// hostileBodies are request bodies that must be refused with a 4xx problem document, never a
// 500, whatever endpoint they are sent to.
var hostileBodies = map[string]string{
	"wrong-types":      `{"username": 1, "password": [], "enterprise": "x", "product_id": "one", "kind": {}, "records": 7, "quantity": "ten", "reason": false}`,
	"huge-numbers":     `{"product_id": 99999999999999999999999999, "quantity": 1e309, "label_quota": -9223372036854775809}`,
	"deep-nesting":     strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	"invalid-utf8":     "{\"username\": \"\xff\xfe\xfd\", \"reason\": \"\xc3\x28\"}",
	"sql-looking":      `{"username": "admin' OR '1'='1", "password": "x'; DROP TABLE users; --", "reason": "1; DELETE FROM filings", "name": "\" OR 1=1 --"}`,
	"control-chars":    "{\"username\": \"a\\u0000b\", \"name\": \"x\\u0007\\u001b[31m\", \"reason\": \"\\u202e\\u0000\"}",
	"not-json":         `<xml>not json</xml>`,
	"array-not-object": `[1, 2, 3]`,
	"empty-object":     `{}`,
	"ten-megabytes":    `{"username": "` + strings.Repeat("A", 10<<20) + `"}`,
}

// TestHostileInputNeverBreaksTheService sends every hostile body to every JSON endpoint as
// every kind of caller. Each answer must be a 2xx or a 4xx problem document (never 5xx), and
// the database must not change except where a valid request was made — an empty object on an
// endpoint whose fields are all optional, which the check below names.
func TestHostileInputNeverBreaksTheService(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("victim")
		rev := e.Reviewer("rev")
		product := e.Product("靖远枸杞")
		filing := e.Approved(ent, product, rev)
		tokens := map[string]string{"anon": "", "enterprise": ent.Token, "reviewer": rev.Token, "admin": e.AdminToken()}
		counts := func() map[string]int64 {
			out := map[string]int64{}
			for _, table := range []string{"users", "enterprises", "products", "filings", "documents", "label_batches", "labels", "sales_records", "sales_history"} {
				var n int64
				e.Store.DB().Table(table).Count(&n)
				out[table] = n
			}
			return out
		}
		before := counts()
		for _, rt := range e.Routes() {
			if rt.Method != "POST" && rt.Method != "PUT" && rt.Method != "PATCH" || strings.HasPrefix(rt.Path, "/console") ||
				strings.HasSuffix(rt.Path, "/documents") || strings.HasSuffix(rt.Path, "/logout") {
				continue
			}
			path := strings.NewReplacer(":id", fmt.Sprint(filing), ":code", "NOTACODE").Replace(rt.Path)
			for name, body := range hostileBodies {
				for who, tok := range tokens {
					r := e.Do(apitest.Request{Method: rt.Method, Path: path, Token: tok, Body: body})
					if r.Code >= 500 || r.Code < 400 && !(name == "empty-object" && r.Code < 300) {
						t.Errorf("%s %s with %s as %s: %d %.200s", rt.Method, rt.Path, name, who, r.Code, r.Body)
						continue
					}
					if r.Code >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
						t.Errorf("%s %s with %s: %d is not a problem document", rt.Method, rt.Path, name, r.Code)
					}
				}
			}
		}
		after := counts()
		for table, n := range before {
			if after[table] != n {
				t.Errorf("hostile input changed %s: %d → %d rows", table, n, after[table])
			}
		}
		if r := e.Get("/readyz", ""); r.Code != http.StatusOK {
			t.Fatalf("the service is not ready after the attack: %d", r.Code)
		}
	})
}
