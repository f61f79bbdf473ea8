package console_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"gimark/internal/apitest"
)

// TestConsoleVerifyLinkIsNotAScan: the batch page's 查询页 goes through the console (whose
// cookies never reach /v/), so the owner's clerk and the bureau see the consumer's page
// without it counting as a scan; the page says so. Another enterprise is a consumer.
func TestConsoleVerifyLinkIsNotAScan(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		e.Enterprise("ent2")
		rev := e.Reviewer("rev1")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		batch := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": 2}).ID(t)

		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		bp := ec.get(fmt.Sprintf("/console/batches/%d", batch))
		m := regexp.MustCompile(`href="(/console/labels/([0-9A-Z]+)/verify)"`).FindStringSubmatch(bp.Body)
		if m == nil {
			t.Fatalf("no 查询页 link through the console: %.2000s", bp.Body)
		}
		link, code := m[1], m[2]
		rc := newClient(t, e)
		rc.mustLogin(rev.Username, apitest.Password)
		for range 3 {
			ec.get(link).must(t, 200, "正品", "消费者已查询 0 次（本次查看不计入）")
			rc.get(link).must(t, 200, "正品", "消费者已查询 0 次（本次查看不计入）")
		}
		e.Recorder.Sync()
		if n, err := e.Store.CountScans(t.Context()); err != nil || n != 0 {
			t.Fatalf("console views recorded as %d scans (%v)", n, err)
		}
		// A consumer's scan is the first; the console then shows it without adding one.
		if p := e.Get("/v/"+code, ""); p.Code != 200 || !regexp.MustCompile(`这是第 1 次查询`).Match(p.Body) {
			t.Fatalf("consumer scan: %d %.500s", p.Code, p.Body)
		}
		e.Recorder.Sync()
		ec.get(link).must(t, 200, "消费者已查询 1 次（本次查看不计入）")
		// Another enterprise's clerk is a consumer: sent to /v/.
		oc := newClient(t, e)
		oc.mustLogin("ent2", apitest.Password)
		if p := oc.get(link); p.Code != http.StatusSeeOther || p.Header.Get("Location") != "/v/"+code {
			t.Fatalf("another enterprise: %d %q", p.Code, p.Header.Get("Location"))
		}
		e.Recorder.Sync()
		if n, _ := e.Store.CountScans(t.Context()); n != 1 {
			t.Fatalf("%d scans, want the consumer's 1", n)
		}
	})
}
