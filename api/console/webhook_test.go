package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

// failing is a webhook receiver that answers 503 until ok is set.
type failing struct {
	mu sync.Mutex
	ok bool
	n  int
}

func (f *failing) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

// TestConsoleWebhooks: an enterprise registers an endpoint (a refusal is shown next to its
// field), reads its delivery log (each attempt's time, status and response code, the same
// as the API's), sees the banner when the endpoint is disabled after failing for a day, and
// deletes it after a confirmation; another enterprise gets 404, the admin manages the
// bureau's own.
func TestConsoleWebhooks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newSigWorld(t, e)
		rc := &failing{}
		srv := httptest.NewServer(rc)
		defer srv.Close()

		w.entC.get("/console/webhooks").must(t, 200, "尚未登记推送地址", `name="secret"`)
		bad := w.entC.submit("/console/webhooks", "/console/webhooks", url.Values{"url": {"ftp://example.com/x"}, "secret": {"short"}, "kinds": {"spread", "nope"}})
		bad.must(t, http.StatusUnprocessableEntity, "请填写公网可达的 http(s) 地址。", "密钥须为 16 至 255 个字符。", "请选择信号类型。", `value="ftp://example.com/x"`, `value="spread" checked`)
		if strings.Contains(bad.Body, `value="short"`) {
			t.Fatal("the secret was sent back")
		}
		ok := w.entC.submit("/console/webhooks", "/console/webhooks", url.Values{"url": {srv.URL + "/hook"}, "secret": {"0123456789abcdef"}, "kinds": {"spread"}})
		if ok.Code != http.StatusSeeOther || ok.Header.Get("Location") != "/console/webhooks?done=created" {
			t.Fatalf("register: %d %.300s", ok.Code, ok.Body)
		}
		list := w.entC.get("/console/webhooks?done=created")
		list.must(t, 200, "推送地址已登记", srv.URL+"/hook", "多地扫描同一标签", "正常")
		if strings.Contains(list.Body, "0123456789abcdef") {
			t.Fatal("the secret is shown")
		}
		id := regexp.MustCompile(`/console/webhooks/(\d+)"`).FindStringSubmatch(list.Body)[1]
		hook := "/console/webhooks/" + id
		w.otherC.get(hook).must(t, http.StatusNotFound)
		w.otherC.get(hook+"/delete").must(t, http.StatusNotFound)
		w.otherC.submit("/console/webhooks", hook+"/delete", nil).must(t, http.StatusNotFound)
		w.adminC.get(hook).must(t, http.StatusNotFound) // the bureau's endpoints are apart
		w.adminC.get("/console/webhooks").must(t, 200, "推送地址（主管部门）", "尚未登记推送地址")

		// Failing for a day: attempts logged, then the endpoint is disabled; the banner shows
		// on every page of the enterprise's console, and on none of the other enterprise's.
		w.raise(t, model.RuleSpread, w.codes[0])
		start := e.Clock.Now()
		for e.Clock.Now().Sub(start) < 26*time.Hour {
			if _, err := e.Deliver.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(30 * time.Minute)
		}
		var log struct {
			Total int64
			Items []struct {
				Attempt    int `json:"attempt"`
				StatusCode int `json:"status_code"`
			}
		}
		token := e.Login(w.ent.Username, apitest.Password).AccessToken
		e.Get("/api/v1/webhooks/"+id+"/deliveries?page_size=100", token).JSON(t, &log)
		if log.Total < 5 {
			t.Fatalf("%d attempts in a day", log.Total)
		}
		page := w.entC.get(hook)
		page.must(t, 200, "已停用", "连续失败超过 24 小时", "503", fmt.Sprintf("共 %d 条", log.Total))
		if n := strings.Count(page.Body, "<td>503</td>"); n != min(int(log.Total), 20) {
			t.Fatalf("%d attempts with 503 on the first page, the API lists %d", n, log.Total)
		}
		if !strings.Contains(page.Body, fmt.Sprintf("<td>%d</td>\n  <td>503</td>", log.Items[0].Attempt)) {
			t.Fatalf("the newest attempt (%d) is not first", log.Items[0].Attempt)
		}
		const banner = "个推送地址连续失败超过 24 小时，已停用"
		w.entC.get("/console/filings").must(t, 200, "1 "+banner)
		w.entC.get("/console/webhooks").must(t, 200, "1 "+banner, "已停用")
		if p := w.otherC.get("/console/filings"); strings.Contains(p.Body, banner) {
			t.Fatal("another enterprise sees the banner")
		}
		if p := w.revC.get("/console/queue"); strings.Contains(p.Body, banner) {
			t.Fatal("a reviewer sees the banner")
		}

		// Deleting: a confirmation first; then gone, and the banner with it.
		w.entC.get(hook+"/delete").must(t, 200, "此操作不可撤回", "确认删除", srv.URL+"/hook")
		del := w.entC.submit(hook+"/delete", hook+"/delete", nil)
		if del.Code != http.StatusSeeOther || del.Header.Get("Location") != "/console/webhooks?done=deleted" {
			t.Fatalf("delete: %d", del.Code)
		}
		after := w.entC.get("/console/webhooks?done=deleted")
		after.must(t, 200, "推送地址已删除", "尚未登记推送地址")
		if strings.Contains(after.Body, banner) {
			t.Fatal("the banner outlived the endpoint")
		}
		w.entC.get(hook).must(t, http.StatusNotFound)
	})
}
