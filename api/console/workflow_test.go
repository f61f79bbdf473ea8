package console_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gimark/internal/apitest"
	"gimark/model"
)

var locationID = regexp.MustCompile(`^/console/(?:filings|batches)/(\d+)\?done=`)

func idFrom(t *testing.T, p *page) int64 {
	t.Helper()
	m := locationID.FindStringSubmatch(p.Header.Get("Location"))
	if p.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("no redirect to an object: %d %q %.500s", p.Code, p.Header.Get("Location"), p.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestConsoleFilingWorkflow walks the whole job in the console: the enterprise files,
// corrects, uploads and submits; the reviewer opens the document and approves; the register
// shows it; the enterprise orders labels and downloads the print files.
func TestConsoleFilingWorkflow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("goji1")
		e.Reviewer("rev1")
		prod := e.Product("靖远枸杞")
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)

		// A refused form keeps what was typed and says what is wrong next to the field.
		form := url.Values{"product_id": {strconv.FormatInt(prod, 10)}, "kind": {"switch"},
			"production_address": {"靖远县五合镇白茨林村"}, "annual_output_kg": {"12x"}}
		bad := ec.submit("/console/filings/new", "/console/filings", form)
		bad.must(t, http.StatusUnprocessableEntity, `value="靖远县五合镇白茨林村"`, `value="12x"`, "请填写千克数", `value="switch" checked`)

		form.Set("annual_output_kg", "120000.5")
		id := idFrom(t, ec.submit("/console/filings/new", "/console/filings", form))
		page := fmt.Sprintf("/console/filings/%d", id)
		// No documents yet: the submit button says which are missing and is disabled.
		ec.get(page).must(t, 200, "草稿", "120000.500 千克", "换标", "提交前还须上传：营业执照、产地证明", `disabled aria-describedby="missing-docs">提交审核（缺少材料）`)

		// A second live filing for the product: the service's 409, shown on the form.
		ec.submit("/console/filings/new", "/console/filings", form).must(t, http.StatusConflict, "该产品已有一份进行中的申请", `value="靖远县五合镇白茨林村"`)

		// Correct, upload (a refused type first), submit.
		form.Set("annual_output_kg", "130000")
		if idFrom(t, ec.submit(page+"/edit", page, form)) != id {
			t.Fatal("update went elsewhere")
		}
		ec.upload(id, ec.token(page), "business_license", "a.txt", []byte("plain text")).must(t, http.StatusUnsupportedMediaType, "只接受 PDF、JPEG 或 PNG 文件")
		ec.upload(id, ec.token(page), "business_license", "营业执照.pdf", pdf).must(t, http.StatusSeeOther)
		ec.get(page).must(t, 200, "提交前还须上传：产地证明（")
		// Submitting without the origin proof: refused, and the page says which document is missing.
		ec.submit(page, page+"/transition", url.Values{"action": {"submit"}}).must(t, http.StatusConflict, "提交前须上传所需材料：缺少产地证明。")
		ec.upload(id, ec.token(page), "origin_proof", "产地证明.pdf", pdf).must(t, http.StatusSeeOther)
		if p := ec.get(page); strings.Contains(p.Body, "提交前还须上传") || strings.Contains(p.Body, "disabled") || !strings.Contains(p.Body, `<button type="submit">提交审核</button>`) {
			t.Fatalf("submit still held back with both documents: %.3000s", p.Body)
		}
		ec.submit(page, page+"/transition", url.Values{"action": {"submit"}}).must(t, http.StatusSeeOther)
		ec.get(page).must(t, 200, "待审核", "营业执照.pdf", "130000.000 千克")
		ec.get(page+"/edit").must(t, 200, "当前状态为")

		// The reviewer's queue, the filing, the document inline, the approval.
		rc := newClient(t, e)
		rc.mustLogin("rev1", apitest.Password)
		rc.get("/console/queue").must(t, 200, "靖远县goji1枸杞有限公司", "靖远枸杞", page)
		fp := rc.get(page)
		fp.must(t, 200, "核准", "退回补正", "不予核准", "营业执照.pdf", "上传材料", "提交审核")
		docLink := regexp.MustCompile(`href="(/console/filings/\d+/documents/\d+)"`).FindStringSubmatch(fp.Body)
		if docLink == nil {
			t.Fatal("no document link")
		}
		doc := rc.get(docLink[1])
		if doc.Code != 200 || doc.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(doc.Header.Get("Content-Disposition"), "inline") || doc.Body != string(pdf) {
			t.Fatalf("document: %d %v", doc.Code, doc.Header)
		}
		rc.submit(page, page+"/transition", url.Values{"action": {"approve"}, "label_quota": {"1000"}}).must(t, http.StatusSeeOther)
		rc.get(page+"?done=approve").must(t, 200, "已核准", "GI-620421-", "1000 枚", "暂停使用", "撤销核准")

		// The public register, signed out.
		newClient(t, e).get("/console/registry").must(t, 200, "靖远县goji1枸杞有限公司", "GI-620421-")

		// Labels: over the quota is the service's 409; a good order gives a batch page.
		ec.submit(page, page+"/batches", url.Values{"quantity": {"5000"}}).must(t, http.StatusConflict, "超出本年度标签配额", `value="5000"`)
		batch := idFrom(t, ec.submit(page, page+"/batches", url.Values{"quantity": {"12"}}))
		bp := ec.get(fmt.Sprintf("/console/batches/%d", batch))
		bp.must(t, 200, "12 枚", "codes.csv", "labels.zip")
		code := regexp.MustCompile(`/console/labels/([0-9A-Z]+)/qr\.svg`).FindStringSubmatch(bp.Body)
		if code == nil {
			t.Fatal("no label on the batch page")
		}
		csv := ec.get(fmt.Sprintf("/console/batches/%d/codes.csv", batch))
		if csv.Code != 200 || !strings.HasPrefix(csv.Body, "serial,code,url\n") || strings.Count(csv.Body, "\n") != 13 || !strings.Contains(csv.Body, code[1]) {
			t.Fatalf("codes.csv: %d %.300s", csv.Code, csv.Body)
		}
		if z := ec.get(fmt.Sprintf("/console/batches/%d/labels.zip", batch)); z.Code != 200 || !strings.HasPrefix(z.Body, "PK") {
			t.Fatalf("labels.zip: %d", z.Code)
		}
		if s := ec.get("/console/labels/" + code[1] + "/qr.svg"); s.Code != 200 || !strings.Contains(s.Body, "<svg") {
			t.Fatalf("qr.svg: %d", s.Code)
		}
		if p := ec.get("/console/labels/" + code[1] + "/qr.png?download=1"); p.Code != 200 || p.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr.png: %d", p.Code)
		}
		// The reviewer sees the batch but does not print it (the service's rule).
		rc.get(fmt.Sprintf("/console/batches/%d", batch)).must(t, 200)
		rc.get(fmt.Sprintf("/console/batches/%d/codes.csv", batch)).must(t, http.StatusForbidden)

		// Suspension needs a reason; then ordering is refused with the service's reason.
		rc.submit(page, page+"/transition", url.Values{"action": {"suspend"}, "reason": {"抽检不合格"}}).must(t, http.StatusSeeOther)
		ec.get("/console/filings").must(t, 200, "暂停使用", "抽检不合格")
		ec.submit(page, page+"/batches", url.Values{"quantity": {"1"}}).must(t, http.StatusConflict, "只有已核准的申请才能订购标签")
	})
}

func TestConsoleCatalogAdmin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ac := newClient(t, e)
		ac.mustLogin("admin", apitest.AdminPassword)
		form := url.Values{"name": {"景泰枸杞"}, "kind": {"certification_mark"}, "reference_number": {"第23307869号"},
			"region_code": {"62042"}, "active": {"1"}}
		ac.submit("/console/catalog/new", "/console/catalog", form).must(t, http.StatusUnprocessableEntity,
			"须为六位行政区划代码", `value="第23307869号"`, `value="certification_mark" selected`)
		form.Set("region_code", "620423")
		ac.submit("/console/catalog/new", "/console/catalog", form).must(t, http.StatusSeeOther)
		list := ac.get("/console/catalog")
		list.must(t, 200, "景泰枸杞", "地理标志证明商标", "编辑")
		edit := regexp.MustCompile(`href="(/console/catalog/(\d+)/edit)"`).FindStringSubmatch(list.Body)
		form.Set("standard", "DB62/T 2000")
		form.Del("active")
		ac.submit(edit[1], "/console/catalog/"+edit[2], form).must(t, http.StatusSeeOther)
		ac.get("/console/catalog").must(t, 200, "DB62/T 2000", "已停用")

		// Reviewers read the catalog but cannot edit it.
		e.Reviewer("rev1")
		rc := newClient(t, e)
		rc.mustLogin("rev1", apitest.Password)
		if p := rc.get("/console/catalog"); p.Code != 200 || strings.Contains(p.Body, "/edit") {
			t.Fatalf("reviewer catalog: %d", p.Code)
		}
		rc.get(edit[1]).must(t, http.StatusForbidden)
	})
}

// TestConsoleRouteTable lists every console route with what each role gets; a route without
// a row fails, as TestAuthorizationTable does for the API. Every POST refuses a request
// without its CSRF token.
func TestConsoleRouteTable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent1")
		e.Enterprise("ent2")
		e.Reviewer("rev1")
		rev := e.Login("rev1", apitest.Password).AccessToken
		prod := e.Product("靖远枸杞")
		id := e.Approved(ent, prod, apitest.Account{Token: rev})
		doc := e.Upload(ent.Token, e.Draft(ent, e.Product("景泰枸杞")), "other", "a.pdf", pdf).ID(t)
		_ = doc
		r := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": 2})
		batch := r.ID(t)
		csv := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), ent.Token)
		code := strings.Split(strings.Split(string(csv.Body), "\n")[1], ",")[1]

		var draftDoc struct {
			ID        int64
			Documents []struct{ ID int64 }
		}
		list := e.Get("/api/v1/filings?status=draft", ent.Token)
		var drafts struct{ Items []struct{ ID int64 } }
		list.JSON(t, &drafts)
		e.Get(fmt.Sprintf("/api/v1/filings/%d", drafts.Items[0].ID), ent.Token).JSON(t, &draftDoc)

		ent1, prodID := ent.EnterpriseID, prod
		now := e.Clock.Now()
		if err := e.Store.RaiseSignals(t.Context(), []model.SignalRaise{{Rule: model.RuleSpread, Key: "spread:" + code, Code: code,
			EnterpriseID: &ent1, ProductID: &prodID, Count: 1, First: now, Last: now}}); err != nil {
			t.Fatal(err)
		}
		var sig model.SignalCase
		if err := e.Store.DB().Take(&sig).Error; err != nil {
			t.Fatal(err)
		}
		hook := e.Post("/api/v1/webhooks", ent.Token, map[string]any{"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}).ID(t)
		paths := map[string]string{
			":signal": strconv.FormatInt(sig.ID, 10), ":hook": strconv.FormatInt(hook, 10),
			":id/filing": strconv.FormatInt(id, 10), ":doc": fmt.Sprintf("%d/documents/%d", draftDoc.ID, draftDoc.Documents[0].ID),
			":batch": strconv.FormatInt(batch, 10), ":code": code, ":ent": strconv.FormatInt(ent.EnterpriseID, 10),
			":product": strconv.FormatInt(prod, 10),
		}
		// want: anon, ent1, ent2, reviewer, admin. 303 = sent to sign-in.
		type row struct {
			path string
			want [5]int
		}
		table := map[string]row{
			"GET /console/static/console.css":                   {"/console/static/console.css", [5]int{200, 200, 200, 200, 200}},
			"GET /console/login":                                {"/console/login", [5]int{200, 303, 303, 303, 303}},
			"GET /console/register":                             {"/console/register", [5]int{200, 303, 303, 303, 303}},
			"POST /console/register":                            {"/console/register", [5]int{403, 403, 403, 403, 403}},
			"GET /console/registry":                             {"/console/registry", [5]int{200, 200, 200, 200, 200}},
			"GET /console":                                      {"/console", [5]int{303, 303, 303, 303, 303}},
			"GET /console/catalog":                              {"/console/catalog", [5]int{303, 200, 200, 200, 200}},
			"GET /console/filings/:id":                          {"/console/filings/:id/filing", [5]int{303, 200, 404, 200, 200}},
			"GET /console/filings/:id/documents/:doc_id":        {"/console/filings/:doc", [5]int{303, 200, 404, 200, 200}},
			"GET /console/filings/:id/confirm":                  {"/console/filings/:id/filing/confirm?action=cancel", [5]int{303, 200, 404, 403, 403}},
			"GET /console/batches/:id/void":                     {"/console/batches/:batch/void", [5]int{303, 200, 404, 200, 403}},
			"POST /console/batches/:id/void":                    {"/console/batches/:batch/void", [5]int{303, 403, 403, 403, 403}},
			"GET /console/password":                             {"/console/password", [5]int{303, 200, 200, 200, 200}},
			"GET /console/users":                                {"/console/users", [5]int{303, 403, 403, 403, 200}},
			"POST /console/password":                            {"/console/password", [5]int{303, 403, 403, 403, 403}},
			"POST /console/users/password-reset":                {"/console/users/password-reset", [5]int{303, 403, 403, 403, 403}},
			"GET /console/queue":                                {"/console/queue", [5]int{303, 403, 403, 200, 200}},
			"GET /console/enterprises":                          {"/console/enterprises", [5]int{303, 403, 403, 200, 200}},
			"GET /console/enterprises/:id":                      {"/console/enterprises/:ent", [5]int{303, 403, 403, 200, 200}},
			"GET /console/signals":                              {"/console/signals", [5]int{303, 200, 200, 200, 200}},
			"GET /console/signals/:id":                          {"/console/signals/:signal", [5]int{303, 200, 404, 200, 200}},
			"GET /console/signals/:id/resolve":                  {"/console/signals/:signal/resolve", [5]int{303, 403, 403, 200, 403}},
			"GET /console/signals/:id/reports/:report_id/photo": {"/console/signals/:signal/reports/999/photo", [5]int{303, 404, 404, 404, 404}},
			"GET /console/signal-rules":                         {"/console/signal-rules", [5]int{303, 403, 403, 200, 200}},
			"GET /console/webhooks":                             {"/console/webhooks", [5]int{303, 200, 200, 403, 200}},
			"GET /console/webhooks/:id":                         {"/console/webhooks/:hook", [5]int{303, 200, 404, 403, 404}},
			"GET /console/webhooks/:id/delete":                  {"/console/webhooks/:hook/delete", [5]int{303, 200, 404, 403, 404}},
			"GET /console/scans":                                {"/console/scans", [5]int{303, 200, 200, 200, 200}},
			"GET /console/batches/:id/scans":                    {"/console/batches/:batch/scans", [5]int{303, 200, 404, 200, 200}},
			"GET /console/catalog/new":                          {"/console/catalog/new", [5]int{303, 403, 403, 403, 200}},
			"GET /console/catalog/:id/edit":                     {"/console/catalog/:product/edit", [5]int{303, 403, 403, 403, 200}},
			"GET /console/special-mark":                         {"/console/special-mark", [5]int{303, 403, 403, 403, 200}},
			"POST /console/special-mark":                        {"/console/special-mark", [5]int{303, 403, 403, 403, 403}},
			"GET /console/filings":                              {"/console/filings", [5]int{303, 200, 200, 403, 403}},
			"GET /console/filings/new":                          {"/console/filings/new", [5]int{303, 200, 200, 403, 403}},
			"GET /console/filings/:id/edit":                     {"/console/filings/:id/filing/edit", [5]int{303, 200, 404, 403, 403}},
			"GET /console/batches/:id":                          {"/console/batches/:batch", [5]int{303, 200, 404, 200, 200}},
			"GET /console/batches/:id/codes.csv":                {"/console/batches/:batch/codes.csv", [5]int{303, 200, 404, 403, 403}},
			"GET /console/batches/:id/labels.zip":               {"/console/batches/:batch/labels.zip", [5]int{303, 200, 404, 403, 403}},
			"GET /console/batches/:id/labels.pdf":               {"/console/batches/:batch/labels.pdf", [5]int{303, 200, 404, 200, 403}},
			"GET /console/batches/:id/preview.png":              {"/console/batches/:batch/preview.png", [5]int{303, 200, 404, 200, 403}},
			"GET /console/prints":                               {"/console/prints", [5]int{303, 200, 200, 200, 403}},
			"GET /console/labels/:code/qr.png":                  {"/console/labels/:code/qr.png", [5]int{303, 200, 404, 200, 200}},
			"GET /console/labels/:code/qr.svg":                  {"/console/labels/:code/qr.svg", [5]int{303, 200, 404, 200, 200}},
			"GET /console/labels/:code/verify":                  {"/console/labels/:code/verify", [5]int{303, 200, 303, 200, 200}},
			"GET /console/report":                               {"/console/report", [5]int{303, 200, 200, 200, 200}},
			"GET /console/report.csv":                           {"/console/report.csv", [5]int{303, 200, 200, 200, 200}},
			"GET /console/sales":                                {"/console/sales", [5]int{303, 200, 200, 403, 403}},
			"POST /console/sales":                               {"/console/sales", [5]int{303, 403, 403, 403, 403}},
			"POST /console/sales/upload":                        {"/console/sales/upload", [5]int{303, 403, 403, 403, 403}},
			// POSTs without a token: refused (anonymous visitors are sent to sign in first;
			// the sign-in form itself needs the token too).
			"POST /console/login":                  {"/console/login", [5]int{403, 403, 403, 403, 403}},
			"POST /console/logout":                 {"/console/logout", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings/:id/transition": {"/console/filings/:id/filing/transition", [5]int{303, 403, 403, 403, 403}},
			"POST /console/catalog":                {"/console/catalog", [5]int{303, 403, 403, 403, 403}},
			"POST /console/catalog/:id":            {"/console/catalog/:product", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings":                {"/console/filings", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings/:id":            {"/console/filings/:id/filing", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings/:id/documents":  {"/console/filings/:id/filing/documents", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings/:id/gtins":      {"/console/filings/:id/filing/gtins", [5]int{303, 403, 403, 403, 403}},
			"POST /console/filings/:id/batches":    {"/console/filings/:id/filing/batches", [5]int{303, 403, 403, 403, 403}},
			"POST /console/signals/:id/events":     {"/console/signals/:signal/events", [5]int{303, 403, 403, 403, 403}},
			"POST /console/webhooks":               {"/console/webhooks", [5]int{303, 403, 403, 403, 403}},
			"POST /console/webhooks/:id/delete":    {"/console/webhooks/:hook/delete", [5]int{303, 403, 403, 403, 403}},
		}
		clients := []*client{newClient(t, e), newClient(t, e), newClient(t, e), newClient(t, e), newClient(t, e)}
		clients[1].mustLogin("ent1", apitest.Password)
		clients[2].mustLogin("ent2", apitest.Password)
		clients[3].mustLogin("rev1", apitest.Password)
		clients[4].mustLogin("admin", apitest.AdminPassword)
		names := []string{"anon", "ent1", "ent2", "reviewer", "admin"}
		seen := 0
		for _, rt := range e.Routes() {
			if !strings.HasPrefix(rt.Path, "/console") {
				continue
			}
			seen++
			key := rt.Method + " " + rt.Path
			tc, ok := table[key]
			if !ok {
				t.Errorf("%s has no row in the console route table", key)
				continue
			}
			path := tc.path
			for k, v := range paths {
				path = strings.Replace(path, k, v, 1)
			}
			for i, c := range clients {
				var p *page
				if rt.Method == "GET" {
					p = c.get(path)
				} else {
					p = c.post(path, url.Values{"action": {"approve"}, "quantity": {"1"}})
				}
				if p.Code != tc.want[i] {
					t.Errorf("%s as %s: %d, want %d: %.200s", key, names[i], p.Code, tc.want[i], p.Body)
				}
			}
		}
		if seen != len(table) {
			t.Errorf("the table has %d rows for %d routes", len(table), seen)
		}
	})
}

// uploadCSV posts a sales CSV the way the browser form does: the token first, then the file.
func (c *client) uploadCSV(token, content string) *page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token != "" {
		_ = mw.WriteField("csrf_token", token)
	}
	fw, _ := mw.CreateFormFile("file", "sales.csv")
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/console/sales/upload", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Origin", "http://example.com")
	return c.do(r)
}

func TestConsoleSalesAndReport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("goji1")
		rev := e.Reviewer("rev1")
		prod := e.Product("靖远枸杞")
		e.Approved(ent, prod, rev)
		year := e.Clock.Now().Year()
		month := fmt.Sprintf("%d-01", year)
		pid := strconv.FormatInt(prod, 10)
		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)

		// A refused figure: the same 422 as the API, the field named, the typed values kept.
		row := map[string]any{"product_id": prod, "period": "2026-13", "channel": "online", "platform": "tmall", "amount_cny": "100.00", "quantity_kg": "1"}
		api := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": []any{row}}})
		form := url.Values{"product_id": {pid}, "period": {"2026-13"}, "channel": {"online"}, "platform": {"tmall"}, "amount_cny": {"100.00"}, "quantity_kg": {"1"}}
		con := ec.submit("/console/sales", "/console/sales", form)
		if con.Code != api.Code || api.Code != http.StatusUnprocessableEntity {
			t.Fatalf("console %d, api %d", con.Code, api.Code)
		}
		con.must(t, http.StatusUnprocessableEntity, "请填写月份", `value="2026-13"`, `value="100.00"`, `value="tmall" selected`)

		form.Set("period", month)
		form.Set("amount_cny", "125000.50")
		ec.submit("/console/sales", "/console/sales", form).must(t, http.StatusSeeOther)
		ec.get("/console/sales").must(t, 200, "125000.50", "天猫", month)

		// CSV: one bad line refuses the file and is named by its line.
		bad := "product_id,period,channel,platform,country,amount_cny,quantity_kg\n" +
			pid + "," + month + ",export,,JP,5000.00,100\n" + pid + "," + month + ",export,,XX,1.00,1\n"
		ec.uploadCSV(ec.token("/console/sales"), bad).must(t, http.StatusUnprocessableEntity, "第 3 行 country")
		ec.uploadCSV("", bad).must(t, http.StatusForbidden)
		good := "\uFEFFproduct_id,period,channel,platform,country,amount_cny,quantity_kg\n" +
			pid + "," + month + ",export,,JP,5000.00,100\n" + pid + "," + month + ",online,jd,,800.00,10\n"
		ec.uploadCSV(ec.token("/console/sales"), good).must(t, http.StatusSeeOther)

		// The report: figures and SVG charts, for the bureau and for the enterprise's own.
		rc := newClient(t, e)
		rc.mustLogin("rev1", apitest.Password)
		rp := rc.get(fmt.Sprintf("/console/report?year=%d", year))
		rp.must(t, 200, "<svg", "网络销售额（万元）按月", "京东", "日本 JP", "授权使用企业", "下载 CSV")
		if strings.Contains(rp.Body, "<script") {
			t.Fatal("script on the report page")
		}
		ec.get("/console/report").must(t, 200, "仅含本企业的数字", "<svg")
		rc.get("/console/report?year=1999").must(t, http.StatusUnprocessableEntity, "须为 2000 到")
		csv := rc.get(fmt.Sprintf("/console/report.csv?year=%d", year))
		if csv.Code != 200 || !strings.HasPrefix(csv.Body, "\uFEFF地理标志品牌价值报告") || !strings.Contains(csv.Body, "125800.50") {
			t.Fatalf("report.csv: %d %.400s", csv.Code, csv.Body)
		}
	})
}
