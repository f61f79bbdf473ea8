package console_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// TestConsoleBatchPageBaseURLAndMillimetres: the batch page shows the base URL recorded on
// the batch, and offers each label's SVG at a printed size in millimetres (qr.svg?mm=), with
// a wrong size refused next to the size field.
func TestConsoleBatchPageBaseURLAndMillimetres(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		rev := e.Reviewer("rev1")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		r := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": 2})
		var b struct {
			ID            int64
			PublicBaseURL string `json:"public_base_url"`
		}
		r.JSON(t, &b)
		if b.PublicBaseURL == "" {
			t.Fatalf("the batch has no base URL: %s", r.Body)
		}
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		page := fmt.Sprintf("/console/batches/%d", b.ID)
		bp := ec.get(page)
		bp.must(t, 200, "二维码网址", b.PublicBaseURL, "SVG（25 毫米）")
		m := regexp.MustCompile(`href="(/console/labels/[0-9A-Z]+/qr\.svg)\?mm=25&amp;download=1"`).FindStringSubmatch(bp.Body)
		if m == nil {
			t.Fatalf("no SVG link in millimetres: %.2000s", bp.Body)
		}
		svg := ec.get(m[1] + "?mm=30&download=1")
		if svg.Code != 200 || !strings.Contains(svg.Body, `width="30mm"`) || !strings.Contains(svg.Header.Get("Content-Disposition"), "-30mm.svg") {
			t.Fatalf("svg in mm: %d %q %.300s", svg.Code, svg.Header.Get("Content-Disposition"), svg.Body)
		}
		ec.get(m[1]+"?mm=1").must(t, http.StatusUnprocessableEntity, "须为 5 到 500 毫米")
		ec.get(page+"?mm=40").must(t, 200, "SVG（40 毫米）", "?mm=40&amp;download=1")
		bad := ec.get(page + "?mm=abc")
		bad.must(t, 200, `value="abc"`, `<span class="field-error">须为数字。</span>`, "SVG（25 毫米）")
	})
}
