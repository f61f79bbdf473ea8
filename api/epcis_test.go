package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/internal/epcis"
	"gimark/internal/standards"
)

type epcisDoc struct {
	raw    []byte
	doc    map[string]any
	events []map[string]any
}

// exportEPCIS reads the export, and checks what every document must satisfy: the EPCIS 2.0
// JSON Schema (formats asserted), the ratified context, certificationInfo as URI(s), and
// eventIDs that are the CBV 2.0 hash of the events as written.
func exportEPCIS(t *testing.T, e *apitest.Env, token, query string) epcisDoc {
	t.Helper()
	r := e.Get("/api/v1/epcis/events"+query, token)
	if r.Code != 200 || r.Header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("export: %d %q %.300s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	sch := standards.Schema(t, "epcis/gs1-epcis-draft-2022-01-18/EPCIS-JSON-Schema.json", false, true)
	if err := standards.Validate(sch, r.Body); err != nil {
		t.Fatalf("the document fails the EPCIS 2.0 schema: %v\n%.2000s", err, r.Body)
	}
	var d epcisDoc
	d.raw = r.Body
	if err := json.Unmarshal(r.Body, &d.doc); err != nil {
		t.Fatal(err)
	}
	if ctx := d.doc["@context"].([]any); ctx[0] != epcis.ContextURL || epcis.ContextURL != "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld" {
		t.Fatalf("context %v", ctx)
	}
	if i := epcis.CheckCertificationInfo(d.doc); i >= 0 {
		t.Fatalf("event %d: certificationInfo is not a URI or list of URIs", i)
	}
	prefixes := epcis.Prefixes(d.doc["@context"])
	for _, ev := range d.doc["epcisBody"].(map[string]any)["eventList"].([]any) {
		m := ev.(map[string]any)
		id := m["eventID"].(string)
		delete(m, "eventID") // recomputed the way a partner would, from the event as received
		if got := epcis.EventID(m, prefixes); got != id || !strings.HasPrefix(id, "ni:///sha-256;") || !strings.HasSuffix(id, "?ver=CBV2.0") {
			t.Fatalf("eventID %s, recomputed %s", id, got)
		}
		m["eventID"] = id
		d.events = append(d.events, m)
	}
	return d
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// find returns the events with the given action and bizStep.
func (d epcisDoc) find(action, step string) []map[string]any {
	var out []map[string]any
	for _, ev := range d.events {
		if ev["action"] == action && ev["bizStep"] == step {
			out = append(out, ev)
		}
	}
	return out
}

// TestEPCISExport is the whole story: a batch with a GTIN and one without are ordered, a
// label and then the batch are voided, the authorization is suspended and reinstated; the
// export shows each as its event, validates, and is scoped per owner.
func TestEPCISExport(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a, b, rev := e.Enterprise("epa"), e.Enterprise("epb"), e.Reviewer("epr")
		start := e.Clock.Now()
		d := newDLLabel(e, a, rev, "LOT-7")
		e.Clock.Advance(time.Minute)
		plain := e.Approved(a, e.Product("无GTIN出口品"), rev)
		pb := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", plain), a.Token, map[string]any{"quantity": 2}).ID(t)
		e.Clock.Advance(time.Minute)
		if r := e.Post("/api/v1/labels/"+d.codes[0]+"/void", a.Token, map[string]string{"reason": "印刷损坏"}); r.Code != 200 {
			t.Fatalf("void label: %d %s", r.Code, r.Body)
		}
		e.Clock.Advance(time.Minute)
		if r := e.Post(fmt.Sprintf("/api/v1/label-batches/%d/void", d.batch), a.Token, map[string]string{"reason": "批次作废"}); r.Code != 200 {
			t.Fatalf("void batch: %d %s", r.Code, r.Body)
		}
		e.Clock.Advance(time.Minute)
		again := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", d.filing), a.Token, map[string]any{"quantity": 2, "gtin": d.gtin})
		if again.Code != 201 {
			t.Fatalf("second batch: %d %s", again.Code, again.Body)
		}
		e.Clock.Advance(time.Minute)
		e.Act(rev.Token, d.filing, "suspend", map[string]string{"reason": "抽检不合格"}, 200)
		e.Clock.Advance(time.Minute)
		e.Act(rev.Token, d.filing, "reinstate", nil, 200)
		e.Clock.Advance(time.Minute)

		doc := exportEPCIS(t, e, a.Token, "")
		register := "http://localhost:8080/api/v1/registry/" + url.PathEscape(d.auth)
		adds := doc.find("ADD", "commissioning")
		if len(adds) != 3 {
			t.Fatalf("%d ADD events: %s", len(adds), doc.raw)
		}
		dlAdd := adds[0]
		if !slices.Equal(strs(dlAdd["epcList"]), d.urls) || dlAdd["disposition"] != "active" || dlAdd["certificationInfo"] != register {
			t.Fatalf("ADD of the GTIN batch: %v, want EPCs %v", dlAdd, d.urls)
		}
		if ilmd, _ := dlAdd["ilmd"].(map[string]any); ilmd["cbvmda:lotNumber"] != "LOT-7" {
			t.Fatalf("ilmd %v", dlAdd["ilmd"])
		}
		rp := dlAdd["readPoint"].(map[string]any)["id"].(string)
		if rp != fmt.Sprintf("http://localhost:8080/gs1/locations/%d", d.filing) || dlAdd["bizLocation"].(map[string]any)["id"] != rp {
			t.Fatalf("readPoint %v", dlAdd["readPoint"])
		}
		var plainCSV = string(e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", pb), a.Token).Body)
		for _, epc := range strs(adds[1]["epcList"]) {
			if !strings.HasPrefix(epc, "HTTP://LOCALHOST:8080/V/") || !strings.Contains(plainCSV, ","+epc) {
				t.Fatalf("plain batch EPC %s", epc)
			}
		}
		if _, ok := adds[1]["ilmd"]; ok {
			t.Fatal("ilmd without a lot")
		}
		dels := doc.find("DELETE", "decommissioning")
		if len(dels) != 2 || !slices.Equal(strs(dels[0]["epcList"]), d.urls[:1]) || !slices.Equal(strs(dels[1]["epcList"]), d.urls[1:]) ||
			dels[0]["disposition"] != "inactive" {
			t.Fatalf("DELETE events %v", dels)
		}
		held := doc.find("OBSERVE", "holding")
		if len(held) != 1 || held[0]["disposition"] != "non_sellable_other" || held[0]["gimark:authorizationStatus"] != "suspended" ||
			fmt.Sprint(held[0]["quantityList"]) != fmt.Sprintf("[map[epcClass:http://localhost:8080/01/%s quantity:2]]", d.gtin) {
			t.Fatalf("suspension %v", held)
		}
		if back := doc.find("OBSERVE", "inspecting"); len(back) != 1 || back[0]["gimark:authorizationStatus"] != "approved" {
			t.Fatalf("reinstatement %v", back)
		}
		if len(doc.events) != 7 {
			t.Fatalf("%d events", len(doc.events))
		}

		// Scope: another enterprise sees nothing of a's; the bureau sees all, and filters.
		if n := len(exportEPCIS(t, e, b.Token, "").events); n != 0 {
			t.Fatalf("entB sees %d events", n)
		}
		if n := len(exportEPCIS(t, e, rev.Token, fmt.Sprintf("?enterprise_id=%d", a.EnterpriseID)).events); n != 7 {
			t.Fatalf("reviewer sees %d of a's events", n)
		}
		e.Get(fmt.Sprintf("/api/v1/epcis/events?enterprise_id=%d", b.EnterpriseID), a.Token).Problem(t, 404)
		q := "?from=" + url.QueryEscape(start.Add(150*time.Second).Format(time.RFC3339)) + "&to=" + url.QueryEscape(start.Add(270*time.Second).Format(time.RFC3339))
		if w := exportEPCIS(t, e, a.Token, q); len(w.events) != 2 || w.events[0]["action"] != "DELETE" || w.events[1]["action"] != "ADD" {
			t.Fatalf("window: %s", w.raw)
		}
		var product struct {
			ProductID int64 `json:"product_id"`
		}
		e.Get(fmt.Sprintf("/api/v1/filings/%d", plain), a.Token).JSON(t, &product)
		if n := len(exportEPCIS(t, e, rev.Token, fmt.Sprintf("?product_id=%d", product.ProductID)).events); n != 1 {
			t.Fatalf("product filter: %d", n)
		}
		for _, bad := range []string{"?from=yesterday", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "?product_id=x"} {
			e.Get("/api/v1/epcis/events"+bad, a.Token).Problem(t, 422)
		}
		e.Get("/api/v1/epcis/events", "").Problem(t, 401)
	})
}

// TestEPCISSerialRanges: a batch larger than MaxEPCs is split into events of at most
// MaxEPCs EPCs, one per serial range, each label exactly once, in serial order.
func TestEPCISSerialRanges(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a, rev := e.Enterprise("sra"), e.Reviewer("srr")
		f := e.Approved(a, e.Product("大批次品"), rev)
		n := 2*epcis.MaxEPCs + 1
		id := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", f), a.Token, map[string]any{"quantity": n}).ID(t)
		doc := exportEPCIS(t, e, a.Token, "")
		if len(doc.events) != 3 {
			t.Fatalf("%d events for %d labels", len(doc.events), n)
		}
		var all []string
		for i, ev := range doc.events {
			l := strs(ev["epcList"])
			if want := []int{epcis.MaxEPCs, epcis.MaxEPCs, 1}[i]; len(l) != want {
				t.Fatalf("event %d has %d EPCs", i, len(l))
			}
			all = append(all, l...)
		}
		csv := strings.Split(strings.TrimSpace(string(e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", id), a.Token).Body)), "\n")[1:]
		for i, line := range csv {
			if url := line[strings.LastIndex(line, ",")+1:]; all[i] != url {
				t.Fatalf("EPC %d is %s, label %s", i, all[i], url)
			}
		}
	})
}
