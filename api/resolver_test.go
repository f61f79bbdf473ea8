package api_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gimark/internal/apitest"
	"gimark/internal/gs1"
	"gimark/internal/standards"
)

// conformanceBase is an HTTPS origin with a dotted host, as the GS1 suite requires (C01, C02).
const conformanceBase = "https://gi.example.cn"

// dlGet sends what GS1's resolver test suite sends (CONFORMANCE.md H1): no redirects
// followed, its Origin header, plus any extra headers.
func dlGet(e *apitest.Env, method, path string, h map[string]string) *apitest.Response {
	hdr := map[string]string{"Origin": "https://ref.gs1.org/test-suites/resolver/"}
	for k, v := range h {
		hdr[k] = v
	}
	return e.Do(apitest.Request{Method: method, Path: path, Header: hdr})
}

type linkObj struct {
	Href     string   `json:"href"`
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Hreflang []string `json:"hreflang"`
}

// parseLinkset splits a linkset body into anchors → link type → links.
func parseLinkset(t *testing.T, body []byte) map[string]map[string][]linkObj {
	t.Helper()
	var raw struct {
		Linkset []map[string]json.RawMessage `json:"linkset"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("linkset: %v: %s", err, body)
	}
	out := map[string]map[string][]linkObj{}
	for _, set := range raw.Linkset {
		var anchor string
		json.Unmarshal(set["anchor"], &anchor)
		out[anchor] = map[string][]linkObj{}
		for k, v := range set {
			if k == "anchor" || k == "itemDescription" {
				continue
			}
			var l []linkObj
			if err := json.Unmarshal(v, &l); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			out[anchor][k] = l
		}
	}
	return out
}

// TestResolverConformance runs every item of ../shared/standards/digital-link/CONFORMANCE.md
// (C01–C31, and the E and N items that apply) against the real router.
func TestResolverConformance(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{PublicBaseURL: conformanceBase}, func(t *testing.T, e *apitest.Env) {
		a, rev := e.Enterprise("cfa"), e.Reviewer("cfr")
		d := newDLLabel(e, a, rev, "LOT-7")
		dl := conformanceBase + d.path // the DL a phone reads, with the host lower-cased as it sends it
		linksetSchema := standards.Schema(t, "digital-link/gs1-linkset/gs1-linkset-schema.json", true, false)

		t.Run("C01-C04 the printed URI", func(t *testing.T) {
			u, err := url.Parse(strings.ToLower(d.url[:len("HTTPS://GI.EXAMPLE.CN")]) + d.path)
			if err != nil || u.Scheme != "https" || !strings.Contains(u.Host, ".") {
				t.Fatalf("C01/C02: %s", d.url)
			}
			p, err := gs1.ParseDL(d.url)
			if err != nil || len(p.GTIN) != 14 || p.Serial != d.code || p.Lot != "LOT-7" {
				t.Fatalf("C03/C04: %+v %v", p, err)
			}
		})
		t.Run("C05-C06 TLS and HTTP/1.1", func(t *testing.T) {
			srv := httptest.NewTLSServer(e.Handler)
			defer srv.Close()
			c := srv.Client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
			r, err := c.Head(srv.URL + "/")
			if err != nil {
				t.Fatalf("C05: %v", err)
			}
			r.Body.Close()
			if r.ProtoMajor < 1 || (r.ProtoMajor == 1 && r.ProtoMinor < 1) {
				t.Fatalf("C06: %s", r.Proto)
			}
			r, err = c.Get(srv.URL + d.path)
			if err != nil || r.StatusCode != 307 {
				t.Fatalf("over TLS: %v %v", r, err)
			}
			r.Body.Close()
		})
		t.Run("C07 N08 description file", func(t *testing.T) {
			r := dlGet(e, "GET", "/.well-known/gs1resolver", map[string]string{"Accept": "application/json"})
			m := decodeJSON(t, r.Body)
			root, _ := m["resolverRoot"].(string)
			keys, _ := m["supportedPrimaryKeys"].([]any)
			if r.Code != 200 || r.Header.Get("Access-Control-Allow-Origin") == "" || !strings.HasPrefix(root, "https://") ||
				!slices.Contains(keys, any("01")) || m["jsonLdContextLocation"] == nil {
				t.Fatalf("%d %v %s", r.Code, r.Header, r.Body)
			}
		})
		t.Run("C08-C11 OPTIONS headers", func(t *testing.T) {
			r := dlGet(e, "OPTIONS", d.path, map[string]string{"Access-Control-Request-Method": "GET,HEAD,OPTIONS"})
			methods := r.Header.Get("Access-Control-Allow-Methods")
			if r.Header.Get("Access-Control-Allow-Origin") == "" {
				t.Error("C08: no Access-Control-Allow-Origin")
			}
			for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
				if !strings.Contains(methods, m) {
					t.Errorf("C09: %q lacks %s", methods, m)
				}
			}
			link := r.Header.Get("Link")
			if !strings.Contains(link, `rel="linkset"`) {
				t.Errorf("C10: Link %q", link)
			}
			if strings.Contains(link, `rel="gs1:`) {
				t.Errorf("C11: legacy link list in %q", link)
			}
		})
		t.Run("C12-C13 E05 syntax error is 400", func(t *testing.T) {
			for _, p := range []string{d.path + "/foo", "/01/" + d.gtin + "/badrequest"} {
				r := dlGet(e, "GET", p, nil)
				if r.Code == 200 {
					t.Fatalf("C13: %s answered 200", p)
				}
				r.Problem(t, 400)
				if r.Header.Get("Access-Control-Allow-Origin") == "" {
					t.Fatal("errors carry CORS too")
				}
			}
		})
		t.Run("C14 E06 unknown link type is 404", func(t *testing.T) {
			dlGet(e, "GET", d.path+"?linkType=gs1:nosuchlt", nil).Problem(t, 404)
		})
		t.Run("C15 trailing slash", func(t *testing.T) {
			for _, q := range []string{"", "?linkType=gs1:pip", "?linkType=linkset"} {
				a, b := dlGet(e, "GET", d.path+q, nil), dlGet(e, "GET", d.path+"/"+q, nil)
				if a.Code != b.Code || a.Header.Get("Location") != b.Header.Get("Location") {
					t.Fatalf("%s: %d %q vs %d %q", q, a.Code, a.Header.Get("Location"), b.Code, b.Header.Get("Location"))
				}
			}
		})
		t.Run("C16 walk up from an unknown lot", func(t *testing.T) {
			r := dlGet(e, "GET", "/01/"+d.gtin+"/10/KL8G", nil)
			if r.Code == 404 || r.Code == 400 || r.Header.Get("Location") != conformanceBase+"/gs1/items/"+d.gtin {
				t.Fatalf("%d %q", r.Code, r.Header.Get("Location"))
			}
		})
		t.Run("C17 query string passed on", func(t *testing.T) {
			if loc := dlGet(e, "GET", d.path+"?foo=bar", nil).Header.Get("Location"); !strings.Contains(loc, "foo=bar") {
				t.Fatalf("Location %q", loc)
			}
		})
		ls := dlGet(e, "GET", d.path+"?linkType=linkset", nil)
		sets := parseLinkset(t, ls.Body)
		// The suite's walk: the DL itself, then two segments off at a time, to the primary key.
		var levels []map[string][]linkObj
		for p := dl; ; {
			if set, ok := sets[p]; ok {
				levels = append(levels, set)
			}
			i := strings.LastIndex(p, "/")
			j := strings.LastIndex(p[:i], "/")
			if strings.HasSuffix(p[:j], "/01") || j <= len(conformanceBase) {
				break
			}
			p = p[:j]
		}
		if set, ok := sets[conformanceBase+"/01/"+d.gtin]; ok {
			levels = append(levels, set)
		}
		linksOf := func(typ string) []linkObj { // a type at a more specific level hides it above
			for _, l := range levels {
				if ls, ok := l[typ]; ok {
					return ls
				}
			}
			return nil
		}
		t.Run("C18 E01 default redirect", func(t *testing.T) {
			r := dlGet(e, "GET", d.path, nil)
			def := linksOf("https://gs1.org/voc/defaultLink")
			if r.Code != 307 || len(def) != 1 || r.Header.Get("Location") != def[0].Href || def[0].Href != conformanceBase+"/v/"+d.code {
				t.Fatalf("%d %q %+v", r.Code, r.Header.Get("Location"), def)
			}
		})
		t.Run("C19-C21 redirect by link type", func(t *testing.T) {
			seen := map[string]bool{}
			for _, l := range levels {
				for typ := range l {
					seen[typ] = true
				}
			}
			for typ := range seen {
				if typ == "https://gs1.org/voc/defaultLink" {
					continue
				}
				links := linksOf(typ)
				curie := "gs1:" + strings.TrimPrefix(typ, "https://gs1.org/voc/")
				combos := map[string]int{}
				for _, l := range links {
					combos[l.Type+"|"+strings.Join(l.Hreflang, ",")]++
				}
				for _, l := range links {
					if combos[l.Type+"|"+strings.Join(l.Hreflang, ",")] > 1 {
						t.Errorf("C21: indistinguishable %s links; gimark never makes them", typ)
					}
					h := map[string]string{}
					q := "?linkType=" + curie
					if len(links) > 1 {
						q = "?linkType=" + url.QueryEscape(typ)
						h["Accept"] = l.Type
						if len(l.Hreflang) > 0 {
							h["Accept-Language"] = l.Hreflang[0]
						}
					}
					r := dlGet(e, "GET", d.path+q, h)
					if r.Code != 307 || r.Header.Get("Location") != l.Href {
						t.Errorf("C19/C20 %s (%s): %d %q, want %s", typ, l.Type, r.Code, r.Header.Get("Location"), l.Href)
					}
				}
			}
			// The three link types reach what they name.
			for typ, want := range map[string]string{"gs1:verificationService": "/api/v1/verify/" + d.code,
				"gs1:certificationInfo": "/api/v1/registry/" + d.auth, "gs1:pip": "/gs1/items/" + d.gtin} {
				if loc := dlGet(e, "GET", d.path+"?linkType="+typ, nil).Header.Get("Location"); loc != conformanceBase+want {
					t.Errorf("%s: %q", typ, loc)
				}
			}
		})
		t.Run("C22-C27 getting the linkset", func(t *testing.T) {
			for name, r := range map[string]*apitest.Response{
				"C22 linkType=linkset": ls,
				"C23 linkType=all":     dlGet(e, "GET", d.path+"?linkType=all", nil),
				"C24 Accept":           dlGet(e, "GET", d.path+"?linkType=all", map[string]string{"Accept": "application/linkset+json"}),
				"C25 Accept, no param": dlGet(e, "GET", d.path, map[string]string{"Accept": "application/linkset+json"}),
			} {
				if r.Code != 200 || r.Header.Get("Location") != "" {
					t.Errorf("%s: %d", name, r.Code)
				}
				if err := standards.Validate(linksetSchema, r.Body); err != nil {
					t.Errorf("C25 %s: %v", name, err)
				}
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/linkset+json") {
					t.Errorf("C26 %s: %q", name, r.Header.Get("Content-Type"))
				}
				link := r.Header.Get("Link")
				if !strings.Contains(link, `rel="http://www.w3.org/ns/json-ld#context"`) || !strings.Contains(link, `type="application/ld+json"`) {
					t.Errorf("C27 %s: %q", name, link)
				}
			}
			// The validator as wired refuses GS1's invalid example: the C25 check can fail.
			if standards.Validate(linksetSchema, standards.File(t, "digital-link/gs1-linkset/invalid-gs1-example.json")) == nil ||
				standards.Validate(linksetSchema, standards.File(t, "digital-link/gs1-linkset/valid-gs1-example.json")) != nil {
				t.Error("the linkset schema does not tell valid from invalid")
			}
			// N06: the context the Link header names is served as JSON-LD.
			if r := e.Get("/gs1/linkset-context.jsonld", ""); r.Code != 200 || r.Header.Get("Content-Type") != "application/ld+json" {
				t.Errorf("N06: %d %q", r.Code, r.Header.Get("Content-Type"))
			}
		})
		t.Run("C28 N03 anchors per level", func(t *testing.T) {
			if _, ok := sets[dl]; !ok {
				t.Fatalf("no anchor equal to the request %s in %v", dl, keys(sets))
			}
			if _, ok := sets[conformanceBase+"/01/"+d.gtin]; !ok || len(sets) != 2 {
				t.Fatalf("N03: levels %v", keys(sets))
			}
		})
		t.Run("C29-C30 N05 one default link, named elsewhere too", func(t *testing.T) {
			for anchor, set := range sets {
				def := set["https://gs1.org/voc/defaultLink"]
				if len(def) != 1 || def[0].Type != "" || def[0].Hreflang != nil {
					t.Errorf("C29 %s: %+v", anchor, def)
				}
				if _, ok := set["https://gs1.org/voc/defaultLinkMulti"]; ok {
					t.Errorf("C30 %s", anchor)
				}
				named := false
				for typ, ls := range set {
					for _, l := range ls {
						named = named || (typ != "https://gs1.org/voc/defaultLink" && l.Href == def[0].Href)
					}
				}
				if !named {
					t.Errorf("N05 %s: the default link is under no descriptive type", anchor)
				}
			}
		})
		t.Run("C31 link types are GS1 ones", func(t *testing.T) {
			var ce struct {
				ActiveLinkTypes map[string]map[string]any `json:"activeLinkTypes"`
			}
			json.Unmarshal(standards.File(t, "digital-link/resolver-ce/gs1resolver.json"), &ce)
			for _, set := range sets {
				for typ := range set {
					curie := "gs1:" + strings.TrimPrefix(typ, "https://gs1.org/voc/")
					if _, ok := ce.ActiveLinkTypes["en"][curie]; !ok && curie != "gs1:defaultLink" {
						t.Errorf("%s is not in GS1's link-type list", typ)
					}
				}
			}
		})
		t.Run("HEAD", func(t *testing.T) {
			r := dlGet(e, "HEAD", d.path, nil)
			if r.Code != 307 || r.Header.Get("Location") != conformanceBase+"/v/"+d.code || len(r.Body) != 0 {
				t.Fatalf("%d %q %d bytes", r.Code, r.Header.Get("Location"), len(r.Body))
			}
		})
		t.Run("unknown GTIN and bad URIs are 400 problem+json", func(t *testing.T) {
			for _, p := range []string{"/01/" + testGTIN(888888) + "0", "/01/09520123456789", "/01/" + d.gtin + "/21/" + d.code + "/10/L",
				"/01/" + d.gtin + "/21/AB%20C", "/01/0" + d.gtin[2:]} {
				dlGet(e, "GET", p, nil).Problem(t, 400)
			}
			dlGet(e, "GET", "/01/"+d.gtin[1:]+"/21/X", nil).Problem(t, 400) // 13 digits
		})
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestResolverVectors sends every Digital Link vector to the resolver (with its GTINs
// recorded) and checks the answer class the vectors give: 400, not 400, or the same answer
// as another URI.
func TestResolverVectors(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a, rev := e.Enterprise("vea"), e.Reviewer("ver")
		f := e.Approved(a, e.Product("向量品"), rev)
		for _, g := range []string{"09520123456788", "12312312312333", "10614141073464", "09506000134376"} {
			if r := e.Post(fmt.Sprintf("/api/v1/filings/%d/gtins", f), a.Token, map[string]string{"gtin": g}); r.Code != 201 {
				t.Fatalf("%s: %d %s", g, r.Code, r.Body)
			}
		}
		pathOf := func(uri string) string { return uri[strings.Index(uri[len("https://"):], "/")+len("https://"):] }
		for _, v := range standards.TSV(t, "digital-link/vectors.tsv") {
			if v["id"] == "I10" {
				continue // a raw '<' never reaches a server: HTTP clients escape it (= V11)
			}
			r := dlGet(e, "GET", pathOf(v["uri"]), nil)
			switch exp := v["resolver_expect"]; {
			case exp == "400":
				if r.Code != 400 {
					t.Errorf("%s %s: %d, want 400", v["id"], v["uri"], r.Code)
				}
			case exp == "not-400":
				if r.Code == 400 {
					t.Errorf("%s %s: %d %s", v["id"], v["uri"], r.Code, r.Body)
				}
			case strings.HasPrefix(exp, "same-as:"):
				o := dlGet(e, "GET", pathOf(strings.TrimPrefix(exp, "same-as:")), nil)
				if r.Code != o.Code || r.Header.Get("Location") != o.Header.Get("Location") {
					t.Errorf("%s: %d %q vs %d %q", v["id"], r.Code, r.Header.Get("Location"), o.Code, o.Header.Get("Location"))
				}
			}
		}
	})
}
