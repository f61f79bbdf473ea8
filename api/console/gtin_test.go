package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// TestConsoleGTINsAndBatchOrder: the filing page lists the filing's GTINs (to the owner and
// the bureau); the owner of an approved filing records one with errors next to the fields;
// the order form offers the filing's GTINs and a lot (label.Service.OrderItem), and the batch
// pages show them.
func TestConsoleGTINsAndBatchOrder(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		rev := e.Reviewer("rev1")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		draft := e.Draft(ent, e.Product("景泰枸杞"))
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		fp := fmt.Sprintf("/console/filings/%d", id)
		ec.get(fp).must(t, 200, "商品条码（GTIN）", "尚未登记商品条码", `action="`+fp+`/gtins"`)
		if strings.Contains(ec.get(fmt.Sprintf("/console/filings/%d", draft)).Body, "/gtins") {
			t.Fatal("a draft offers to record GTINs")
		}

		add := func(gtin, desc string) *page {
			return ec.submit(fp, fp+"/gtins", url.Values{"gtin": {gtin}, "description": {desc}})
		}
		add("4006381333932", "500克礼盒").must(t, http.StatusUnprocessableEntity, "不是有效的 GTIN（商品条码）", `value="4006381333932"`, `value="500克礼盒"`)
		add("4006381333931", "bad\x01text").must(t, http.StatusUnprocessableEntity, "含有不允许的字符", `value="4006381333931"`)
		add("4006381333931", "500克礼盒").must(t, http.StatusSeeOther)
		add("4006381333931", "again").must(t, http.StatusConflict)
		ec.get(fp).must(t, 200, "04006381333931", "500克礼盒", `<option value="04006381333931">`)

		rc := newClient(t, e)
		rc.mustLogin(rev.Username, apitest.Password)
		rp := rc.get(fp)
		rp.must(t, 200, "04006381333931")
		if strings.Contains(rp.Body, "登记 GTIN") {
			t.Fatal("the reviewer is offered to record a GTIN")
		}

		// The order form: a lot without a GTIN, then a bad lot, are refused next to the field.
		order := func(v url.Values) *page { return ec.submit(fp, fp+"/batches", v) }
		order(url.Values{"quantity": {"2"}, "lot": {"L1"}}).must(t, http.StatusUnprocessableEntity, "填写批号时须同时填写 GTIN", `value="L1"`)
		order(url.Values{"quantity": {"2"}, "gtin": {"04006381333931"}, "lot": {"批号一"}}).must(t, http.StatusUnprocessableEntity, "须为 1 到 20 个字符", `<option value="04006381333931" selected>`)
		batch := idFrom(t, order(url.Values{"quantity": {"2"}, "gtin": {"04006381333931"}, "lot": {"L2026-01"}}))
		ec.get(fmt.Sprintf("/console/batches/%d", batch)).must(t, 200, "商品条码（GTIN）", "04006381333931", "批号", "L2026-01")
		ec.get(fp).must(t, 200, "04006381333931 / L2026-01")
		plain := idFrom(t, order(url.Values{"quantity": {"1"}, "gtin": {""}}))
		if strings.Contains(ec.get(fmt.Sprintf("/console/batches/%d", plain)).Body, "商品条码（GTIN）") {
			t.Fatal("a batch without a GTIN shows one")
		}
	})
}
