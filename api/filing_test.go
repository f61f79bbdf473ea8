package api_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

type filingBody struct {
	ID                  int64    `json:"id"`
	EnterpriseID        int64    `json:"enterprise_id"`
	ProductID           int64    `json:"product_id"`
	Status              string   `json:"status"`
	Kind                string   `json:"kind"`
	AnnualOutputKg      string   `json:"annual_output_kg"`
	AuthorizationNumber *string  `json:"authorization_number"`
	LabelQuota          *int64   `json:"label_quota"`
	DecisionReason      string   `json:"decision_reason"`
	MissingDocuments    []string `json:"missing_documents"`
	Documents           []struct {
		ID     int64  `json:"id"`
		SHA256 string `json:"sha256"`
	} `json:"documents"`
}

func getFiling(t *testing.T, e *apitest.Env, token string, id int64) filingBody {
	t.Helper()
	r := e.Get(fmt.Sprintf("/api/v1/filings/%d", id), token)
	if r.Code != 200 {
		t.Fatalf("get filing %d: %d %s", id, r.Code, r.Body)
	}
	var f filingBody
	r.JSON(t, &f)
	return f
}

func TestCreateFiling(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		product := e.Product("靖远枸杞")
		retired := e.Product("旧产品")
		e.Patch(fmt.Sprintf("/api/v1/products/%d", retired), e.AdminToken(), map[string]any{"active": false})
		ent := e.Enterprise("ent")
		rev := e.Reviewer("rev")
		ok := map[string]any{"product_id": product, "kind": "switch", "production_address": "靖远县北滩镇", "annual_output_kg": "2000"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range ok {
				m[kk] = vv
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		r := e.Post("/api/v1/filings", ent.Token, ok)
		if r.Code != 201 {
			t.Fatalf("create-201: %d %s", r.Code, r.Body)
		}
		var f filingBody
		r.JSON(t, &f)
		same(t, "created filing", filingBody{ID: f.ID, EnterpriseID: ent.EnterpriseID, ProductID: product, Status: "draft", Kind: "switch", AnnualOutputKg: "2000.000"}, f)
		tests := []struct {
			name  string
			token string
			body  any
			want  int
			field string
		}{
			{"create-409-live-filing-exists", ent.Token, ok, 409, ""},
			{"create-422-no-such-product", ent.Token, with("product_id", 99999), 422, "product_id"},
			{"create-422-retired-product", ent.Token, with("product_id", retired), 422, "product_id"},
			{"create-422-bad-kind", ent.Token, with("kind", "renew"), 422, "kind"},
			{"create-422-four-decimals", ent.Token, with("annual_output_kg", "1.2345"), 422, "annual_output_kg"},
			{"create-422-negative", ent.Token, with("annual_output_kg", "-5"), 422, "annual_output_kg"},
			{"create-422-zero", ent.Token, with("annual_output_kg", "0"), 422, "annual_output_kg"},
			{"create-422-float-on-wire", ent.Token, with("annual_output_kg", 12.5), 422, "annual_output_kg"},
			{"create-422-missing-address", ent.Token, with("production_address", nil), 422, "production_address"},
			{"create-403-reviewer", rev.Token, ok, 403, ""},
			{"create-401-anonymous", "", ok, 401, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p := e.Post("/api/v1/filings", tc.token, tc.body).Problem(t, tc.want)
				if tc.field != "" && !p.HasField(tc.field) {
					t.Fatalf("problem does not name %s: %+v", tc.field, p)
				}
				if tc.name == "create-409-live-filing-exists" && p.Code != "live_filing_exists" {
					t.Fatalf("code %q", p.Code)
				}
			})
		}
		// Once the live filing ends (withdrawn), a new one may start.
		e.Act(ent.Token, f.ID, "withdraw", nil, 200)
		if r := e.Post("/api/v1/filings", ent.Token, ok); r.Code != 201 {
			t.Fatalf("new filing after withdrawal: %d %s", r.Code, r.Body)
		}
	})
}

func TestCreateFilingConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		product := e.Product("靖远枸杞")
		ent := e.Enterprise("ent")
		const n = 10
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.Post("/api/v1/filings", ent.Token, map[string]any{"product_id": product, "kind": "new",
					"production_address": "靖远县", "annual_output_kg": "1"}).Code
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			if c == 201 {
				created++
			} else if c != 409 {
				t.Fatalf("status %d: %v", c, codes)
			}
		}
		if created != 1 {
			t.Fatalf("%d live filings created for one product: %v", created, codes)
		}
	})
}

// reach drives a fresh filing into state s through the API.
func reach(t *testing.T, e *apitest.Env, ent, rev apitest.Account, product int64, s model.FilingStatus) int64 {
	t.Helper()
	id := e.Draft(ent, product)
	step := func(tok, action string, body any) { e.Act(tok, id, action, body, 200) }
	reason := map[string]string{"reason": "材料不全"}
	switch s {
	case model.StatusDraft:
	case model.StatusWithdrawn:
		step(ent.Token, "withdraw", nil)
	default:
		step(ent.Token, "submit", nil)
		switch s {
		case model.StatusSubmitted:
		case model.StatusReturned:
			step(rev.Token, "return", reason)
		case model.StatusRejected:
			step(rev.Token, "reject", reason)
		default:
			step(rev.Token, "approve", nil)
			switch s {
			case model.StatusApproved:
			case model.StatusSuspended:
				step(rev.Token, "suspend", reason)
			case model.StatusRevoked:
				step(rev.Token, "revoke", reason)
			case model.StatusCancelled:
				step(ent.Token, "cancel", reason)
			}
		}
	}
	if got := getFiling(t, e, rev.Token, id).Status; got != string(s) {
		t.Fatalf("reached %s, want %s", got, s)
	}
	return id
}

// TestStateMachine tries every action from every state: exactly the arrows of DESIGN.md
// succeed, everything else is 409 invalid_transition.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	allowed := map[model.FilingStatus]map[model.Action]model.FilingStatus{
		model.StatusDraft:     {model.ActSubmit: model.StatusSubmitted, model.ActWithdraw: model.StatusWithdrawn},
		model.StatusSubmitted: {model.ActApprove: model.StatusApproved, model.ActReject: model.StatusRejected, model.ActReturn: model.StatusReturned, model.ActWithdraw: model.StatusWithdrawn},
		model.StatusReturned:  {model.ActSubmit: model.StatusSubmitted, model.ActWithdraw: model.StatusWithdrawn},
		model.StatusApproved:  {model.ActSuspend: model.StatusSuspended, model.ActRevoke: model.StatusRevoked, model.ActCancel: model.StatusCancelled},
		model.StatusSuspended: {model.ActReinstate: model.StatusApproved, model.ActRevoke: model.StatusRevoked},
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		n := 0
		for _, from := range model.AllStatuses {
			for action, tr := range model.Transitions {
				n++
				ent := e.Enterprise(fmt.Sprintf("sm%d", n))
				product := e.Product(fmt.Sprintf("产品%d", n))
				id := reach(t, e, ent, rev, product, from)
				token := rev.Token
				if tr.By == model.RoleEnterprise {
					token = ent.Token
				}
				r := e.Post(fmt.Sprintf("/api/v1/filings/%d/%s", id, action), token, map[string]string{"reason": "理由"})
				to, ok := allowed[from][action]
				if ok {
					if r.Code != 200 {
						t.Errorf("%s from %s: %d %s, want 200", action, from, r.Code, r.Body)
						continue
					}
					if got := getFiling(t, e, rev.Token, id).Status; got != string(to) {
						t.Errorf("%s from %s led to %s, want %s", action, from, got, to)
					}
					continue
				}
				if r.Code != 409 || !strings.Contains(string(r.Body), `"code":"invalid_transition"`) {
					t.Errorf("%s from %s: %d %s, want 409 invalid_transition", action, from, r.Code, r.Body)
				}
				if got := getFiling(t, e, rev.Token, id).Status; got != string(from) {
					t.Errorf("refused %s changed %s to %s", action, from, got)
				}
			}
		}
		if n != len(model.AllStatuses)*9 {
			t.Fatalf("tried %d pairs", n)
		}
	})
}

func TestTransitionRulesAndRoles(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		product := e.Product("靖远枸杞")
		ent := e.Enterprise("ent")
		other := e.Enterprise("other")
		rev := e.Reviewer("rev")
		admin := e.AdminToken()
		id := e.BareDraft(ent, product)
		e.AttachRequired(ent.Token, id)
		e.Act(ent.Token, id, "submit", nil, 200)

		for _, action := range []string{"reject", "return"} {
			p := e.Post(fmt.Sprintf("/api/v1/filings/%d/%s", id, action), rev.Token, nil).Problem(t, 422)
			if !p.HasField("reason") {
				t.Fatalf("%s without reason: %+v", action, p)
			}
			e.Post(fmt.Sprintf("/api/v1/filings/%d/%s", id, action), rev.Token, map[string]string{"reason": "   "}).Problem(t, 422)
		}
		e.Act(ent.Token, id, "approve", nil, 403)
		e.Act(admin, id, "approve", nil, 403)
		e.Act(other.Token, id, "withdraw", nil, 404)
		e.Act(rev.Token, id, "withdraw", nil, 403)
		e.Act(rev.Token, 99999, "approve", nil, 404)
		e.Act(rev.Token, id, "approve", map[string]any{"label_quota": 0}, 422)
		e.Act(rev.Token, id, "approve", map[string]any{"label_quota": "many"}, 422)
		e.Act(rev.Token, id, "approve", map[string]any{"reason": "ok", "extra": 1}, 400)

		// Returned: the enterprise sees the reason, corrects and resubmits.
		e.Act(rev.Token, id, "return", map[string]string{"reason": "请补充产地证明"}, 200)
		f := getFiling(t, e, ent.Token, id)
		same(t, "returned filing", map[string]string{"status": "returned", "decision_reason": "请补充产地证明"},
			map[string]string{"status": f.Status, "decision_reason": f.DecisionReason})
		if r := e.Patch(fmt.Sprintf("/api/v1/filings/%d", id), ent.Token, map[string]any{"annual_output_kg": "3000.25"}); r.Code != 200 {
			t.Fatalf("edit returned filing: %d %s", r.Code, r.Body)
		}
		e.Act(ent.Token, id, "submit", nil, 200)
		e.Patch(fmt.Sprintf("/api/v1/filings/%d", id), ent.Token, map[string]any{"annual_output_kg": "1"}).Problem(t, 409)
		e.Patch(fmt.Sprintf("/api/v1/filings/%d", id), other.Token, map[string]any{"annual_output_kg": "1"}).Problem(t, 404)
		e.Patch(fmt.Sprintf("/api/v1/filings/%d", id), rev.Token, map[string]any{"annual_output_kg": "1"}).Problem(t, 403)

		r := e.Act(rev.Token, id, "approve", map[string]any{"label_quota": 50000}, 200)
		var approved filingBody
		r.JSON(t, &approved)
		if approved.AuthorizationNumber == nil || !regexp.MustCompile(`^GI-620421-\d{4}-\d{5}$`).MatchString(*approved.AuthorizationNumber) {
			t.Fatalf("approved filing's authorization number: %s", r.Body)
		}
		quota := int64(50000)
		same(t, "approved filing's quota", &quota, approved.LabelQuota)
		same(t, "approved filing's output", "3000.250", approved.AnnualOutputKg)
		number := *approved.AuthorizationNumber
		e.Act(rev.Token, id, "suspend", map[string]string{"reason": "抽检不合格"}, 200)
		e.Act(rev.Token, id, "reinstate", nil, 200)
		same(t, "authorization number after reinstatement", &number, getFiling(t, e, ent.Token, id).AuthorizationNumber)
		e.Act(other.Token, id, "cancel", nil, 404)
		e.Get(fmt.Sprintf("/api/v1/filings/%d", id), other.Token).Problem(t, 404)
		e.Get(fmt.Sprintf("/api/v1/filings/%d/events", id), other.Token).Problem(t, 404)

		// The audit trail, oldest first, with actors and reasons.
		var events struct {
			Items []struct {
				Action, From, To, Reason string
				Actor                    struct {
					ID       int64
					Username string
					Role     string
				}
			} `json:"items"`
		}
		e.Get(fmt.Sprintf("/api/v1/filings/%d/events", id), ent.Token).JSON(t, &events)
		var trail []string
		for _, ev := range events.Items {
			trail = append(trail, ev.From+">"+ev.To)
		}
		got := strings.Join(trail, " ")
		if got != ">draft > > draft>submitted submitted>returned > returned>submitted submitted>approved approved>suspended suspended>approved" {
			t.Fatalf("trail: %s", got)
		}
		ev := events.Items[4]
		same(t, "return event", map[string]string{"reason": "请补充产地证明", "actor": "rev", "role": "reviewer"},
			map[string]string{"reason": ev.Reason, "actor": ev.Actor.Username, "role": ev.Actor.Role})
	})
}

// TestConcurrentApprovals: twelve reviewers approve one filing at once; exactly one wins.
// Meanwhile other filings are approved concurrently and all get distinct numbers.
func TestConcurrentApprovals(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		product := e.Product("靖远枸杞")
		rev := e.Reviewer("rev")
		ent := e.Enterprise("ent")
		id := e.Draft(ent, product)
		e.Act(ent.Token, id, "submit", nil, 200)

		const n = 12
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.Post(fmt.Sprintf("/api/v1/filings/%d/approve", id), rev.Token, nil).Code
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, c := range codes {
			switch c {
			case 200:
				ok++
			case 409:
				conflicts++
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("concurrent approvals: %v, want one 200 and %d 409", codes, n-1)
		}
		events, err := e.Store.AuditEventsOf(t.Context(), "filing", id)
		if err != nil {
			t.Fatal(err)
		}
		approvals := 0
		for _, ev := range events {
			if ev.Action == "filing.approve" {
				approvals++
			}
		}
		if approvals != 1 {
			t.Fatalf("%d approval events", approvals)
		}

		// Distinct filings approved at once get distinct, consecutive numbers.
		const m = 8
		ids := make([]int64, m)
		for i := range m {
			a := e.Enterprise(fmt.Sprintf("co%d", i))
			ids[i] = e.Draft(a, product)
			e.Act(a.Token, ids[i], "submit", nil, 200)
		}
		numbers := make([]string, m)
		for i := range m {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.Post(fmt.Sprintf("/api/v1/filings/%d/approve", ids[i]), rev.Token, nil)
				var f filingBody
				if r.Code == 200 {
					r.JSON(t, &f)
					numbers[i] = *f.AuthorizationNumber
				} else {
					t.Errorf("approve %d: %d %s", ids[i], r.Code, r.Body)
				}
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for _, num := range numbers {
			if seen[num] {
				t.Fatalf("duplicate authorization number %s in %v", num, numbers)
			}
			seen[num] = true
		}
		for i := 2; i <= m+1; i++ {
			if !seen[fmt.Sprintf("GI-620421-%d-%05d", e.Clock.Now().Year(), i)] {
				t.Fatalf("numbers not consecutive: %v", numbers)
			}
		}
	})
}

func TestRegistryAndLists(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		goji := e.Product("靖远枸杞")
		dates := e.Product("靖远小口大枣")
		rev := e.Reviewer("rev")
		a := e.Enterprise("alpha")
		b := e.Enterprise("beta")
		fa := e.Approved(a, goji, rev)
		fb := e.Approved(b, dates, rev)
		e.Draft(a, dates)
		fsub := e.Draft(b, goji)
		e.Act(b.Token, fsub, "submit", nil, 200)

		type regList struct {
			Items []struct {
				FilingID            int64  `json:"filing_id"`
				EnterpriseName      string `json:"enterprise_name"`
				USCC                string `json:"uscc"`
				ProductName         string `json:"product_name"`
				AuthorizationNumber string `json:"authorization_number"`
				ApprovedAt          string `json:"approved_at"`
			} `json:"items"`
			Total int64 `json:"total"`
		}
		var reg regList
		e.Get("/api/v1/registry", "").JSON(t, &reg)
		if reg.Total != 2 {
			t.Fatalf("register: %+v", reg)
		}
		listed := func(what string, want ...int64) {
			t.Helper()
			var got []int64
			for _, it := range reg.Items {
				got = append(got, it.FilingID)
			}
			same(t, what+": total", int64(len(want)), reg.Total)
			same(t, what+": filings", want, got)
		}
		e.Get(fmt.Sprintf("/api/v1/registry?product_id=%d", goji), "").JSON(t, &reg)
		listed("register by product", fa)
		if it := reg.Items[0]; it.ProductName != "靖远枸杞" {
			t.Fatalf("register by product: product %q, want 靖远枸杞", it.ProductName)
		}
		for name, v := range map[string]string{"authorization_number": reg.Items[0].AuthorizationNumber, "uscc": reg.Items[0].USCC, "approved_at": reg.Items[0].ApprovedAt} {
			if v == "" {
				t.Errorf("register by product: %s is empty", name)
			}
		}
		e.Get("/api/v1/registry?q=beta", "").JSON(t, &reg)
		listed("register search", fb)
		// Suspension takes an entry off the register at once; reinstatement puts it back.
		e.Act(rev.Token, fa, "suspend", map[string]string{"reason": "抽检"}, 200)
		e.Get("/api/v1/registry", "").JSON(t, &reg)
		listed("register with a suspended filing", fb)
		e.Act(rev.Token, fa, "reinstate", nil, 200)
		e.Act(b.Token, fb, "cancel", map[string]string{"reason": "停止生产"}, 200)
		e.Get("/api/v1/registry", "").JSON(t, &reg)
		listed("register after reinstate and cancel", fa)
		e.Get("/api/v1/registry?product_id=x", "").Problem(t, 422)

		type fList struct {
			Items []filingBody `json:"items"`
			Total int64        `json:"total"`
		}
		var l fList
		e.Get("/api/v1/filings", a.Token).JSON(t, &l)
		if l.Total != 2 {
			t.Fatalf("enterprise sees %d filings, want its own 2", l.Total)
		}
		e.Get(fmt.Sprintf("/api/v1/filings?enterprise_id=%d", b.EnterpriseID), a.Token).JSON(t, &l)
		for _, f := range l.Items {
			if f.EnterpriseID != a.EnterpriseID {
				t.Fatalf("enterprise a saw b's filing %d", f.ID)
			}
		}
		e.Get("/api/v1/filings?status=submitted", rev.Token).JSON(t, &l)
		same(t, "queue: total", int64(1), l.Total)
		same(t, "queue: first", fsub, l.Items[0].ID)
		e.Get(fmt.Sprintf("/api/v1/filings?product_id=%d", goji), rev.Token).JSON(t, &l)
		if l.Total != 2 {
			t.Fatalf("by product: %+v", l)
		}
		e.Get("/api/v1/filings?status=pending", rev.Token).Problem(t, 422)
		e.Get("/api/v1/filings?product_id=-1", rev.Token).Problem(t, 422)
	})
}

var (
	pdf     = append([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"), bytes.Repeat([]byte("x"), 2000)...)
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 100)...)
	jpeg    = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{1}, 100)...)
	elf     = append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0}, 100)...)
)

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{MaxUploadBytes: 64 << 10}, func(t *testing.T, e *apitest.Env) {
		product := e.Product("靖远枸杞")
		ent := e.Enterprise("ent")
		other := e.Enterprise("other")
		rev := e.Reviewer("rev")
		id := e.BareDraft(ent, product)
		docsDir := filepath.Join(e.DataDir, "documents")

		r := e.Upload(ent.Token, id, "business_license", "营业执照.pdf", pdf)
		if r.Code != 201 {
			t.Fatalf("upload-201: %d %s", r.Code, r.Body)
		}
		doc := r.Map(t)
		same(t, "document", map[string]any{"size": float64(len(pdf)), "filename": "营业执照.pdf", "content_type": "application/pdf"},
			fields(doc, "size", "filename", "content_type"))
		if sum, _ := doc["sha256"].(string); len(sum) != 64 {
			t.Fatalf("document sha256 %q", sum)
		}
		docID := int64(doc["id"].(float64))
		if r := e.Upload(ent.Token, id, "inspection_report", "report.png", pngFile); r.Code != 201 {
			t.Fatalf("png: %d %s", r.Code, r.Body)
		}
		r = e.Upload(ent.Token, id, "origin_proof", "../../../etc/passwd.jpg", jpeg)
		if r.Code != 201 || r.Map(t)["filename"] != "passwd.jpg" {
			t.Fatalf("traversal name not cleaned: %d %s", r.Code, r.Body)
		}
		filesBefore := countFiles(t, docsDir)
		var rowsBefore int64
		e.Store.DB().Model(&model.Document{}).Count(&rowsBefore)

		tests := []struct {
			name     string
			token    string
			kind     string
			filename string
			content  []byte
			want     int
		}{
			{"upload-415-executable-named-pdf", ent.Token, "business_license", "licence.pdf", elf, 415},
			{"upload-415-html", ent.Token, "other", "x.pdf", []byte("<html><script>alert(1)</script></html>"), 415},
			{"upload-413-too-large", ent.Token, "other", "big.pdf", append(append([]byte{}, pdf...), bytes.Repeat([]byte("y"), 70<<10)...), 413},
			{"upload-422-bad-kind", ent.Token, "passport", "a.pdf", pdf, 422},
			{"upload-422-no-kind", ent.Token, "", "a.pdf", pdf, 422},
			{"upload-422-no-file", ent.Token, "other", "", nil, 422},
			{"upload-422-empty-file", ent.Token, "other", "a.pdf", []byte{}, 422},
			{"upload-404-other-enterprise", other.Token, "other", "a.pdf", pdf, 404},
			{"upload-403-reviewer", rev.Token, "other", "a.pdf", pdf, 403},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.Upload(tc.token, id, tc.kind, tc.filename, tc.content).Problem(t, tc.want)
			})
		}
		// A huge body is refused before it is read.
		big := e.Do(apitest.Request{Method: "POST", Path: fmt.Sprintf("/api/v1/filings/%d/documents", id), Token: ent.Token,
			Body: bytes.Repeat([]byte("z"), 1<<20), Header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}})
		big.Problem(t, 413)
		var rowsAfter int64
		e.Store.DB().Model(&model.Document{}).Count(&rowsAfter)
		if got := countFiles(t, docsDir); got != filesBefore || rowsAfter != rowsBefore {
			t.Fatalf("refused uploads left %d files (was %d) and %d rows (was %d)", got, filesBefore, rowsAfter, rowsBefore)
		}

		// Download: owner and reviewer get the bytes with the original name; others 404.
		path := fmt.Sprintf("/api/v1/filings/%d/documents/%d", id, docID)
		for _, tok := range []string{ent.Token, rev.Token, e.AdminToken()} {
			r := e.Get(path, tok)
			if r.Code != 200 || !bytes.Equal(r.Body, pdf) {
				t.Fatalf("download: %d, %d bytes, want 200 and the %d bytes uploaded", r.Code, len(r.Body), len(pdf))
			}
			same(t, "download content type", "application/pdf", r.Header.Get("Content-Type"))
			if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf") {
				t.Fatalf("download Content-Disposition %q", cd)
			}
		}
		e.Get(path, other.Token).Problem(t, 404)
		e.Get(fmt.Sprintf("/api/v1/filings/%d/documents/99999", id), ent.Token).Problem(t, 404)
		f := getFiling(t, e, rev.Token, id)
		if len(f.Documents) != 3 || f.Documents[0].ID != docID {
			t.Fatalf("filing documents: %+v", f.Documents)
		}
		// After submission the documents are frozen.
		e.Act(ent.Token, id, "submit", nil, 200)
		p := e.Upload(ent.Token, id, "other", "late.pdf", pdf).Problem(t, 409)
		if p.Code != "invalid_transition" {
			t.Fatalf("code %q", p.Code)
		}
	})
}

// TestSubmitNeedsDocuments: a filing without a business licence and an origin proof cannot
// be submitted; the refusal names every missing kind and changes nothing.
func TestSubmitNeedsDocuments(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("ent")
		id := e.BareDraft(ent, e.Product("靖远枸杞"))
		submit := func() *apitest.Response {
			return e.Post(fmt.Sprintf("/api/v1/filings/%d/submit", id), ent.Token, nil)
		}
		missing := func(want ...string) {
			t.Helper()
			p := submit().Problem(t, 409)
			if p.Code != "documents_missing" || len(p.Errors) != len(want) {
				t.Fatalf("problem %+v, want documents_missing naming %v", p, want)
			}
			for _, k := range want {
				if !p.HasField("documents."+k) || !strings.Contains(p.Detail, k) {
					t.Fatalf("problem %+v does not name %s", p, k)
				}
			}
			f := getFiling(t, e, ent.Token, id)
			if f.Status != "draft" || !slices.Equal(f.MissingDocuments, want) {
				t.Fatalf("after refusal: status %s, missing_documents %v", f.Status, f.MissingDocuments)
			}
		}
		missing("business_license", "origin_proof")
		// Documents of other kinds do not count.
		e.Upload(ent.Token, id, "inspection_report", "report.pdf", pdf)
		e.Upload(ent.Token, id, "other", "other.pdf", pdf)
		missing("business_license", "origin_proof")
		e.Upload(ent.Token, id, "origin_proof", "产地证明.pdf", pdf)
		missing("business_license")
		e.Upload(ent.Token, id, "business_license", "营业执照.pdf", pdf)
		e.Act(ent.Token, id, "submit", nil, 200)
		if f := getFiling(t, e, ent.Token, id); f.MissingDocuments != nil {
			t.Fatalf("missing_documents after submission: %v", f.MissingDocuments)
		}
	})
}

// TestCancelNeedsReasonAndImpact: cancelling an approved filing, which cannot be undone,
// needs a reason as suspension and revocation do; before it, the owner can read how many
// active labels would turn into warnings.
func TestCancelNeedsReasonAndImpact(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent, other, rev := e.Enterprise("ent"), e.Enterprise("other"), e.Reviewer("rev")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		order := func(n int) int64 {
			r := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": n})
			if r.Code != 201 {
				t.Fatalf("order: %d %s", r.Code, r.Body)
			}
			return r.ID(t)
		}
		b1, b2, b3 := order(5), order(7), order(2)
		var csvBody []byte = e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", b1), ent.Token).Body
		code := strings.Split(strings.Split(string(csvBody), "\n")[1], ",")[1]
		e.Post("/api/v1/labels/"+code+"/void", ent.Token, map[string]string{"reason": "破损"})
		e.Post(fmt.Sprintf("/api/v1/label-batches/%d/void", b3), ent.Token, map[string]string{"reason": "印错"})

		type impact struct {
			FilingID      int64 `json:"filing_id"`
			Status        string
			ActiveBatches int64 `json:"active_batches"`
			ActiveLabels  int64 `json:"active_labels"`
			Batches       []struct {
				ID           int64 `json:"id"`
				ActiveLabels int64 `json:"active_labels"`
			}
		}
		path := fmt.Sprintf("/api/v1/filings/%d/active-labels", id)
		for _, tok := range []string{ent.Token, rev.Token, e.AdminToken()} {
			var got impact
			r := e.Get(path, tok)
			if r.Code != 200 {
				t.Fatalf("active-labels: %d %s", r.Code, r.Body)
			}
			r.JSON(t, &got)
			if got.FilingID != id || got.Status != "approved" || got.ActiveBatches != 2 || got.ActiveLabels != 4+7 ||
				len(got.Batches) != 2 || got.Batches[0].ID != b2 || got.Batches[0].ActiveLabels != 7 || got.Batches[1].ID != b1 || got.Batches[1].ActiveLabels != 4 {
				t.Fatalf("active-labels: %s", r.Body)
			}
		}
		e.Get(path, other.Token).Problem(t, 404)
		e.Get("/api/v1/filings/99999/active-labels", rev.Token).Problem(t, 404)

		for _, body := range []any{nil, map[string]string{"reason": "  "}} {
			p := e.Post(fmt.Sprintf("/api/v1/filings/%d/cancel", id), ent.Token, body).Problem(t, 422)
			if !p.HasField("reason") {
				t.Fatalf("cancel without reason: %+v", p)
			}
		}
		if f := getFiling(t, e, ent.Token, id); f.Status != "approved" {
			t.Fatalf("a refused cancel changed the filing to %s", f.Status)
		}
		r := e.Act(ent.Token, id, "cancel", map[string]string{"reason": "企业停产"}, 200)
		var f filingBody
		r.JSON(t, &f)
		if f.Status != "cancelled" || f.DecisionReason != "企业停产" {
			t.Fatalf("cancelled: %s", r.Body)
		}
		var events struct {
			Items []struct{ Action, Reason string } `json:"items"`
		}
		e.Get(fmt.Sprintf("/api/v1/filings/%d/events", id), ent.Token).JSON(t, &events)
		if last := events.Items[len(events.Items)-1]; last.Action != "filing.cancel" || last.Reason != "企业停产" {
			t.Fatalf("audit: %+v", last)
		}
	})
}

// TestReviewQueueOldestFirst: the review queue (status=submitted) lists filings by
// submission time, oldest first, whatever order they were created in; a filing returned and
// resubmitted queues by its latest submission.
func TestReviewQueueOldestFirst(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		product := e.Product("靖远枸杞")
		var ids []int64
		for i := range 4 {
			ids = append(ids, e.Draft(e.Enterprise(fmt.Sprintf("queue%d", i)), product))
		}
		owner := func(id int64) string {
			var f model.Filing
			e.Store.DB().Take(&f, id)
			var u model.User
			e.Store.DB().Where("enterprise_id = ?", f.EnterpriseID).Take(&u)
			return e.Login(u.Username, apitest.Password).AccessToken
		}
		// Submitted newest-created first, a few seconds apart (and within one second twice).
		order := []int64{ids[3], ids[1], ids[2], ids[0]}
		for i, id := range order {
			e.Clock.Advance(time.Duration(i%2) * 3 * time.Second)
			e.Act(owner(id), id, "submit", nil, 200)
		}
		// The first one is returned and resubmitted: it goes to the back.
		e.Act(rev.Token, order[0], "return", map[string]string{"reason": "补充材料"}, 200)
		e.Clock.Advance(5 * time.Second)
		e.Act(owner(order[0]), order[0], "submit", nil, 200)
		want := []int64{order[1], order[2], order[3], order[0]}

		var list struct {
			Items []struct {
				ID          int64     `json:"id"`
				SubmittedAt time.Time `json:"submitted_at"`
			} `json:"items"`
		}
		e.Get("/api/v1/filings?status=submitted", rev.Token).JSON(t, &list)
		var got []int64
		for _, it := range list.Items {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("queue %v, want %v (oldest submission first)", got, want)
		}
		// Paging keeps the order.
		e.Get("/api/v1/filings?status=submitted&page=2&page_size=2", rev.Token).JSON(t, &list)
		if len(list.Items) != 2 || list.Items[0].ID != want[2] || list.Items[1].ID != want[3] {
			t.Fatalf("second page: %+v", list.Items)
		}
	})
}
