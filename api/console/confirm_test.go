package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// TestConsoleDestructiveActionsAsk: cancelling, revoking and voiding a whole batch are links
// in a separate 危险操作 section below everything else, each to a confirmation page that
// counts the active labels that will verify as warnings (label.Service.ActiveLabels), says it
// cannot be undone, and refuses without a reason next to the reason field.
func TestConsoleDestructiveActionsAsk(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		rev := e.Reviewer("rev1")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		for _, n := range []int{3, 4} {
			if r := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": n}); r.Code != 201 {
				t.Fatalf("order: %d %s", r.Code, r.Body)
			}
		}
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		page := fmt.Sprintf("/console/filings/%d", id)
		fp := ec.get(page)
		fp.must(t, 200, "危险操作", page+"/confirm?action=cancel")
		if strings.Contains(fp.Body, `name="action" value="cancel"`) {
			t.Fatal("the filing page cancels in one click")
		}
		if i, j := strings.Index(fp.Body, "危险操作"), strings.Index(fp.Body, "订购标签"); i < j || i < strings.Index(fp.Body, "办理记录") {
			t.Fatal("the dangerous actions are not apart at the bottom of the page")
		}

		confirm := page + "/confirm?action=cancel"
		ec.get(confirm).must(t, 200, "注销（停止使用）", "<strong>7</strong> 枚标签（2 个批次）", "此操作不可撤回", `name="reason"`)
		// No reason: the confirmation page again, the refusal next to the reason.
		ec.submit(confirm, page+"/transition", url.Values{"action": {"cancel"}, "reason": {"  "}}).
			must(t, http.StatusUnprocessableEntity, "将会发生什么", "请填写理由", "<strong>7</strong> 枚标签")
		if s := e.Get(fmt.Sprintf("/api/v1/filings/%d", id), ent.Token); !strings.Contains(string(s.Body), `"approved"`) {
			t.Fatalf("refused cancellation changed the filing: %s", s.Body)
		}
		ec.get(page+"/confirm?action=approve").must(t, http.StatusNotFound)

		// Another approved filing: the reviewer revokes it after the same confirmation.
		id2 := e.Approved(ent, e.Product("景泰枸杞"), rev)
		rc := newClient(t, e)
		rc.mustLogin(rev.Username, apitest.Password)
		page2 := fmt.Sprintf("/console/filings/%d", id2)
		rp := rc.get(page2)
		rp.must(t, 200, "危险操作", page2+"/confirm?action=revoke")
		if strings.Contains(rp.Body, `name="action" value="revoke"`) {
			t.Fatal("the filing page revokes in one click")
		}
		rc.get(page2+"/confirm?action=revoke").must(t, 200, "撤销核准", "<strong>0</strong> 枚标签", "此操作不可撤回")
		ec.get(page2+"/confirm?action=revoke").must(t, http.StatusForbidden) // not the enterprise's action
		ec.submit(page2, page2+"/transition", url.Values{"action": {"revoke"}, "reason": {"x"}}).must(t, http.StatusForbidden)
		rc.submit(page2+"/confirm?action=revoke", page2+"/transition", url.Values{"action": {"revoke"}, "reason": {"以假充真"}}).must(t, http.StatusSeeOther)
		rc.get(page2).must(t, 200, "已撤销", "以假充真")

		// Voiding a whole batch: the batch page links to the confirmation; the count is the batch's.
		var list struct {
			Items []struct{ ID, Quantity int64 }
		}
		e.Get(fmt.Sprintf("/api/v1/label-batches?filing_id=%d", id), ent.Token).JSON(t, &list)
		var batch int64
		for _, b := range list.Items {
			if b.Quantity == 4 {
				batch = b.ID
			}
		}
		bpage := fmt.Sprintf("/console/batches/%d", batch)
		ec.get(bpage).must(t, 200, "危险操作", bpage+"/void")
		ec.get(bpage+"/void").must(t, 200, "作废标签批次", "<strong>4</strong> 枚标签", "此操作不可撤回")
		ec.submit(bpage+"/void", bpage+"/void", url.Values{"reason": {""}}).must(t, http.StatusUnprocessableEntity, "将会发生什么", "field-error")
		ec.submit(bpage+"/void", bpage+"/void", url.Values{"reason": {"印刷错误"}}).must(t, http.StatusSeeOther)
		ec.get(bpage+"?done=void").must(t, 200, "已作废", "印刷错误")
		if strings.Contains(ec.get(bpage).Body, "危险操作") {
			t.Fatal("a voided batch still offers voiding")
		}
		// The filing now has 3 active labels; cancelling it with a reason goes through.
		ec.get(confirm).must(t, 200, "<strong>3</strong> 枚标签（1 个批次）")
		ec.submit(confirm, page+"/transition", url.Values{"action": {"cancel"}, "reason": {"停产"}}).must(t, http.StatusSeeOther)
		ec.get(page).must(t, 200, "已注销", "停产")
	})
}
