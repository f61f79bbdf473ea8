package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"gimark/internal/apitest"
	"gimark/internal/labelcode"
	"gimark/internal/verify"
	"gimark/model"
)

// labelWorld is an approved filing with its owner, a stranger and a reviewer.
type labelWorld struct {
	e        *apitest.Env
	owner    apitest.Account
	other    apitest.Account
	rev      apitest.Account
	product  int64
	filing   int64
	batchURL string
}

func newLabelWorld(t *testing.T, e *apitest.Env) *labelWorld {
	w := &labelWorld{e: e, owner: e.Enterprise("owner"), other: e.Enterprise("other"), rev: e.Reviewer("rev")}
	w.product = e.Product("靖远枸杞")
	w.filing = e.Approved(w.owner, w.product, w.rev)
	w.batchURL = fmt.Sprintf("/api/v1/filings/%d/label-batches", w.filing)
	return w
}

func (w *labelWorld) order(t *testing.T, n int) int64 {
	t.Helper()
	r := w.e.Post(w.batchURL, w.owner.Token, map[string]int{"quantity": n})
	if r.Code != 201 {
		t.Fatalf("order %d: %d %s", n, r.Code, r.Body)
	}
	return r.ID(t)
}

func (w *labelWorld) codes(t *testing.T, batch int64) [][]string {
	t.Helper()
	r := w.e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), w.owner.Token)
	if r.Code != 200 {
		t.Fatalf("codes.csv: %d %s", r.Code, r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

type verifyBody struct {
	Result  string `json:"result"`
	Reasons []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"reasons"`
	Code           string  `json:"code"`
	Serial         int     `json:"serial"`
	ScanCount      int64   `json:"scan_count"`
	FirstScannedAt *string `json:"first_scanned_at"`
	Product        *struct {
		Name            string `json:"name"`
		Kind            string `json:"kind"`
		ReferenceNumber string `json:"reference_number"`
	} `json:"product"`
	Enterprise *struct {
		Name string `json:"name"`
		USCC string `json:"uscc"`
	} `json:"enterprise"`
	AuthorizationNumber string `json:"authorization_number"`
	Batch               *struct {
		ID int64 `json:"id"`
	} `json:"batch"`
}

func (v verifyBody) reason(code string) bool {
	for _, r := range v.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// verdict is an answer's result and reason codes, for comparing with go-cmp.
type verdict struct {
	Result  string
	Reasons []string
}

func (v verifyBody) verdict() verdict {
	out := verdict{Result: v.Result}
	for _, r := range v.Reasons {
		out.Reasons = append(out.Reasons, r.Code)
	}
	return out
}

func verifyCode(t *testing.T, e *apitest.Env, code string) verifyBody {
	t.Helper()
	r := e.Get("/api/v1/verify/"+code, "")
	if r.Code != 200 {
		t.Fatalf("verify %s: %d %s", code, r.Code, r.Body)
	}
	var v verifyBody
	r.JSON(t, &v)
	return v
}

func TestOrderBatch(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		r := e.Post(w.batchURL, w.owner.Token, map[string]int{"quantity": 250})
		if r.Code != 201 {
			t.Fatalf("order-201: %d %s", r.Code, r.Body)
		}
		got := r.Map(t)
		same(t, "batch", map[string]any{"quantity": float64(250), "status": "active", "filing_id": float64(w.filing)},
			fields(got, "quantity", "status", "filing_id"))
		rows := w.codes(t, r.ID(t))
		same(t, "csv header", []string{"serial", "code", "url"}, rows[0])
		same(t, "csv labels", 250, len(rows)-1)
		seen := map[string]bool{}
		for i, row := range rows[1:] {
			code, err := labelcode.Parse(row[1])
			if err != nil || code != row[1] {
				t.Fatalf("row %d: code %q is not canonical (%v)", i, row[1], err)
			}
			if seen[code] {
				t.Fatalf("row %d: code %s issued twice", i, code)
			}
			same(t, fmt.Sprintf("row %d", i), []string{fmt.Sprint(i + 1), code, "HTTP://LOCALHOST:8080/V/" + code}, row)
			seen[code] = true
		}

		draftOwner := e.Enterprise("drafter")
		draft := e.Draft(draftOwner, w.product)
		suspended := e.Approved(e.Enterprise("susp"), e.Product("靖远小口大枣"), w.rev)
		e.Act(w.rev.Token, suspended, "suspend", map[string]string{"reason": "抽检"}, 200)
		tests := []struct {
			name  string
			path  string
			token string
			body  any
			want  int
			code  string
		}{
			{"order-422-zero", w.batchURL, w.owner.Token, map[string]int{"quantity": 0}, 422, "validation_failed"},
			{"order-422-too-many", w.batchURL, w.owner.Token, map[string]int{"quantity": 1_000_001}, 422, "validation_failed"},
			{"order-422-not-a-number", w.batchURL, w.owner.Token, map[string]any{"quantity": "ten"}, 422, "validation_failed"},
			{"order-404-other-enterprise", w.batchURL, w.other.Token, map[string]int{"quantity": 1}, 404, "not_found"},
			{"order-403-reviewer", w.batchURL, w.rev.Token, map[string]int{"quantity": 1}, 403, "forbidden"},
			{"order-404-no-filing", "/api/v1/filings/99999/label-batches", w.owner.Token, map[string]int{"quantity": 1}, 404, "not_found"},
			{"order-409-draft", fmt.Sprintf("/api/v1/filings/%d/label-batches", draft), draftOwner.Token, map[string]int{"quantity": 1}, 409, "filing_not_approved"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p := e.Post(tc.path, tc.token, tc.body).Problem(t, tc.want)
				if p.Code != tc.code {
					t.Fatalf("code %q, want %q", p.Code, tc.code)
				}
			})
		}
		_ = suspended
	})
}

func TestBatchQuota(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		owner, rev := e.Enterprise("owner"), e.Reviewer("rev")
		id := e.Draft(owner, e.Product("靖远枸杞"))
		e.Act(owner.Token, id, "submit", nil, 200)
		e.Act(rev.Token, id, "approve", map[string]int{"label_quota": 100}, 200)
		url := fmt.Sprintf("/api/v1/filings/%d/label-batches", id)
		// Concurrent orders of 40 against a quota of 100: at most two fit, never three.
		codes := make([]int, 5)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.Post(url, owner.Token, map[string]int{"quantity": 40}).Code
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			if c == 201 {
				ok++
			} else if c != 409 {
				t.Fatalf("status %d: %v", c, codes)
			}
		}
		if ok != 2 {
			t.Fatalf("%d batches of 40 fit a quota of 100: %v", ok, codes)
		}
		// Concurrent batches got disjoint id ranges: each streams exactly its own 40 labels.
		var batches struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		e.Get(fmt.Sprintf("/api/v1/label-batches?filing_id=%d", id), owner.Token).JSON(t, &batches)
		seen := map[string]bool{}
		for _, b := range batches.Items {
			r := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", b.ID), owner.Token)
			rows, _ := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
			same(t, fmt.Sprintf("batch %d: labels streamed", b.ID), 40, len(rows)-1)
			same(t, fmt.Sprintf("batch %d: first and last serial", b.ID), []string{"1", "40"}, []string{rows[1][0], rows[40][0]})
			for _, row := range rows[1:] {
				if seen[row[1]] {
					t.Fatalf("code %s in two batches", row[1])
				}
				seen[row[1]] = true
			}
		}
		p := e.Post(url, owner.Token, map[string]int{"quantity": 21}).Problem(t, 409)
		if p.Code != "quota_exceeded" {
			t.Fatalf("code %q", p.Code)
		}
		if r := e.Post(url, owner.Token, map[string]int{"quantity": 20}); r.Code != 201 {
			t.Fatalf("the last 20 of the quota: %d %s", r.Code, r.Body)
		}
		// A voided batch no longer counts against the quota.
		var list struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		e.Get(fmt.Sprintf("/api/v1/label-batches?filing_id=%d", id), owner.Token).JSON(t, &list)
		e.Post(fmt.Sprintf("/api/v1/label-batches/%d/void", list.Items[0].ID), owner.Token, map[string]string{"reason": "印刷损坏"})
		if r := e.Post(url, owner.Token, map[string]int{"quantity": 20}); r.Code != 201 {
			t.Fatalf("after voiding a batch: %d %s", r.Code, r.Body)
		}
	})
}

// TestBatchIsAllOrNothing: a failure while issuing leaves no batch and no label, and a code
// collision is retried without the caller noticing.
func TestBatchIsAllOrNothing(t *testing.T) {
	t.Parallel()
	// newCodes is what the label service generates codes with; each step below replaces it.
	var newCodes func(n int) ([]string, error)
	o := apitest.Options{LabelCodes: func(n int) ([]string, error) { return newCodes(n) }}
	apitest.EachWith(t, o, func(t *testing.T, e *apitest.Env) {
		newCodes = labelcode.NewBatch
		w := newLabelWorld(t, e)
		first := w.codes(t, w.order(t, 5))[1][1]

		// Collision: the generator's first chunk ends with a code already issued.
		calls := 0
		newCodes = func(n int) ([]string, error) {
			calls++
			codes, err := labelcode.NewBatch(n)
			if calls == 1 {
				codes[len(codes)-1] = first // after rows the statement already wrote
			}
			return codes, err
		}
		batch := w.order(t, 3)
		rows := w.codes(t, batch)
		if len(rows) != 4 {
			t.Fatalf("collided batch has %d labels", len(rows)-1)
		}
		for _, row := range rows[1:] {
			if row[1] == first {
				t.Fatal("a colliding code was issued twice")
			}
		}

		// Failure half-way: nothing of the batch remains.
		var before, batchesBefore int64
		e.Store.DB().Model(&model.Label{}).Count(&before)
		e.Store.DB().Model(&model.LabelBatch{}).Count(&batchesBefore)
		calls = 0
		newCodes = func(n int) ([]string, error) {
			calls++
			if calls > 1 {
				return nil, errors.New("entropy source failed")
			}
			return labelcode.NewBatch(n)
		}
		e.Post(w.batchURL, w.owner.Token, map[string]int{"quantity": 70_000}).Problem(t, 500) // more than one chunk on every path
		var after, batchesAfter int64
		e.Store.DB().Model(&model.Label{}).Count(&after)
		e.Store.DB().Model(&model.LabelBatch{}).Count(&batchesAfter)
		if after != before || batchesAfter != batchesBefore {
			t.Fatalf("a failed batch left %d labels and %d batches", after-before, batchesAfter-batchesBefore)
		}
	})
}

func decodeQR(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

func TestPrintFiles(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		batch := w.order(t, 30)
		rows := w.codes(t, batch)
		code := rows[1][1]

		r := e.Get("/api/v1/labels/"+strings.ToLower(labelcode.Format(code))+"/qr.png", w.owner.Token)
		same(t, "qr.png status", 200, r.Code)
		same(t, "qr.png content type", "image/png", r.Header.Get("Content-Type"))
		if got := decodeQR(t, r.Body); got != "HTTP://LOCALHOST:8080/V/"+code {
			t.Fatalf("QR decodes to %q", got)
		}
		if img, _ := png.Decode(bytes.NewReader(e.Get("/api/v1/labels/"+code+"/qr.png?size=512", w.rev.Token).Body)); img.Bounds().Dx() != 512 {
			t.Fatal("size not honoured")
		}
		e.Get("/api/v1/labels/"+code+"/qr.png?size=63", w.owner.Token).Problem(t, 422)
		e.Get("/api/v1/labels/"+code+"/qr.png?size=5000", w.owner.Token).Problem(t, 422)
		e.Get("/api/v1/labels/"+code+"/qr.png", w.other.Token).Problem(t, 404)
		e.Get("/api/v1/labels/0000000000000000Z/qr.png", w.owner.Token).Problem(t, 404)
		svg := e.Get("/api/v1/labels/"+code+"/qr.svg", w.owner.Token)
		if svg.Code != 200 || !bytes.Contains(svg.Body, []byte("<svg")) || !bytes.Contains(svg.Body, []byte("crispEdges")) {
			t.Fatalf("qr.svg: %d %.100s", svg.Code, svg.Body)
		}

		z := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.zip?size=128", batch), w.owner.Token)
		same(t, "labels.zip status", 200, z.Code)
		same(t, "labels.zip content type", "application/zip", z.Header.Get("Content-Type"))
		zr, err := zip.NewReader(bytes.NewReader(z.Body), int64(len(z.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 30 {
			t.Fatalf("zip holds %d files, want 30", len(zr.File))
		}
		for i, f := range zr.File {
			want := fmt.Sprintf("%07d-%s.png", i+1, rows[i+1][1])
			if f.Name != want {
				t.Fatalf("entry %d is %s, want %s (serial order)", i, f.Name, want)
			}
		}
		fr, _ := zr.File[29].Open()
		var buf bytes.Buffer
		buf.ReadFrom(fr)
		if got := decodeQR(t, buf.Bytes()); got != "HTTP://LOCALHOST:8080/V/"+rows[30][1] {
			t.Fatalf("zip image decodes to %q", got)
		}
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.zip?size=10", batch), w.owner.Token).Problem(t, 422)
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), w.other.Token).Problem(t, 404)
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), w.rev.Token).Problem(t, 403)
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d", batch), w.other.Token).Problem(t, 404)
		e.Get("/api/v1/label-batches?filing_id=abc", w.owner.Token).Problem(t, 422)
		var list struct{ Total int64 }
		e.Get("/api/v1/label-batches", w.other.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("a stranger lists %d batches", list.Total)
		}
	})
}

func TestVerify(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{ScanThreshold: 3}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		rows := w.codes(t, w.order(t, 5))
		code := rows[1][1]

		v := verifyCode(t, e, code)
		same(t, "first scan", verdict{Result: "genuine"}, v.verdict())
		same(t, "first scan: count", int64(1), v.ScanCount)
		same(t, "first scan: serial", rows[1][0], strconv.Itoa(v.Serial))
		if v.Product == nil || v.Enterprise == nil || v.Batch == nil || v.FirstScannedAt == nil {
			t.Fatalf("genuine answer without product, enterprise, batch or first scan: %+v", v)
		}
		same(t, "first scan: product", map[string]string{"name": "靖远枸杞", "kind": "protected_product"},
			map[string]string{"name": v.Product.Name, "kind": v.Product.Kind})
		if v.Enterprise.USCC == "" {
			t.Fatalf("genuine answer without the enterprise's USCC: %+v", v.Enterprise)
		}
		if !strings.HasPrefix(v.AuthorizationNumber, "GI-620421-") {
			t.Fatalf("genuine answer: authorization number %q", v.AuthorizationNumber)
		}
		// The serial is the label's place in its own batch, not in the table.
		later := w.codes(t, w.order(t, 3))
		same(t, "second label of a later batch: serial in the CSV", "2", later[2][0])
		same(t, "second label of a later batch: serial verified", 2, verifyCode(t, e, later[2][1]).Serial)
		e.Recorder.Sync()
		// Case and hyphens are ignored; the count goes on.
		v2 := verifyCode(t, e, strings.ToLower(labelcode.Format(code)))
		same(t, "second scan", verdict{Result: "genuine"}, v2.verdict())
		same(t, "second scan: count", int64(2), v2.ScanCount)
		same(t, "second scan: first scanned at", v.FirstScannedAt, v2.FirstScannedAt)
		verifyCode(t, e, code)
		v4 := verifyCode(t, e, code) // past the threshold of 3: a copied label?
		same(t, "fourth scan", verdict{Result: "warning", Reasons: []string{"over_scanned"}}, v4.verdict())
		same(t, "fourth scan: count", int64(4), v4.ScanCount)

		// A wrong check symbol, a malformed code, an unknown code.
		bad := code[:16] + string(labelcode.Alphabet[(strings.IndexByte(labelcode.Alphabet, code[16])+1)%32])
		vb := verifyCode(t, e, bad)
		same(t, "bad check", verdict{Result: "invalid", Reasons: []string{"check_failed"}}, vb.verdict())
		if vb.Product != nil {
			t.Fatalf("bad check names a product: %+v", vb.Product)
		}
		same(t, "malformed", verdict{Result: "invalid", Reasons: []string{"malformed"}}, verifyCode(t, e, "hello").verdict())
		unknown, _ := labelcode.New()
		for range 3 {
			same(t, "unknown", verdict{Result: "not_found", Reasons: []string{"not_registered"}}, verifyCode(t, e, unknown).verdict())
		}

		// The filing's state shows at once (the cache is invalidated).
		other := rows[2][1]
		e.Act(w.rev.Token, w.filing, "suspend", map[string]string{"reason": "抽检不合格"}, 200)
		same(t, "suspended", verdict{Result: "warning", Reasons: []string{"filing_suspended"}}, verifyCode(t, e, other).verdict())
		e.Act(w.rev.Token, w.filing, "reinstate", nil, 200)
		if v := verifyCode(t, e, other); v.Result != "genuine" {
			t.Fatalf("reinstated: %+v", v)
		}
		// Voided labels warn, with the reason.
		e.Post("/api/v1/labels/"+rows[3][1]+"/void", w.owner.Token, map[string]string{"reason": "印刷错误"})
		vv := verifyCode(t, e, rows[3][1])
		same(t, "voided", verdict{Result: "warning", Reasons: []string{"label_voided"}}, vv.verdict())
		if !strings.Contains(vv.Reasons[0].Message, "印刷错误") {
			t.Fatalf("voided: the message %q does not give the reason", vv.Reasons[0].Message)
		}

		// Every answer is a scan; signals show the copied label and the unknown code.
		e.Recorder.Sync()
		n, _ := e.Store.CountScans(t.Context())
		if n != 13 {
			t.Fatalf("%d scans recorded, want 13", n)
		}
		// Only a keyed hash of the caller's address is kept: the same for one address,
		// different for another, and never the address itself.
		e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/hello", RemoteAddr: "198.51.100.7:4321"})
		e.Recorder.Sync()
		var hashes []string
		if err := e.Store.DB().Model(&model.Scan{}).Distinct("client_hash").Pluck("client_hash", &hashes).Error; err != nil {
			t.Fatal(err)
		}
		if len(hashes) != 2 {
			t.Fatalf("%d distinct client hashes for two addresses: %q", len(hashes), hashes)
		}
		for _, h := range hashes {
			if len(h) != 32 || strings.Trim(h, "0123456789abcdef") != "" || strings.Contains(h, "192.0.2.1") || strings.Contains(h, "198.51.100.7") {
				t.Fatalf("client hash %q", h)
			}
		}
		var sig struct {
			Items []struct {
				Kind     string `json:"kind"`
				Code     string `json:"code"`
				Count    int64  `json:"count"`
				FilingID *int64 `json:"filing_id"`
			} `json:"items"`
			Total int64 `json:"total"`
		}
		e.Get("/api/v1/signals", w.rev.Token).JSON(t, &sig)
		kinds := map[string]int64{}
		for _, s := range sig.Items {
			kinds[s.Kind+":"+s.Code] = s.Count
		}
		// The voided label and the label scanned while its filing was suspended are dead_label signals.
		same(t, "signals: total", int64(4), sig.Total)
		same(t, "signals", map[string]int64{"over_scanned:" + code: 4, "unknown_code:" + unknown: 3, "dead_label:" + rows[3][1]: 1, "dead_label:" + other: 1}, kinds)
		e.Get("/api/v1/signals?kind=unknown_code&min_tries=4", w.rev.Token).JSON(t, &sig)
		if sig.Total != 0 {
			t.Fatalf("min_tries ignored: %+v", sig)
		}
		e.Get("/api/v1/signals?kind=fake", w.rev.Token).Problem(t, 422)
	})
}

func TestVerifyPage(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		owner, rev := e.Enterprise("owner"), e.Reviewer("rev")
		hostile := "<script>alert(1)</script>枸杞"
		r := e.Post("/api/v1/products", e.AdminToken(), map[string]any{"name": hostile, "kind": "certification_mark",
			"reference_number": "第23307869号", "region_code": "620422"})
		product := r.ID(t)
		filing := e.Approved(owner, product, rev)
		b := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", filing), owner.Token, map[string]int{"quantity": 1}).ID(t)
		csvBody := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", b), owner.Token).Body
		code := strings.Split(strings.Split(string(csvBody), "\n")[1], ",")[1]

		page := e.Get("/V/"+code, "")
		body := string(page.Body)
		if page.Code != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "正品") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;枸杞") ||
			strings.Contains(body, "<script>") || !strings.Contains(body, "第23307869号") || !strings.Contains(body, "地理标志证明商标") {
			t.Fatalf("page: %d %s", page.Code, body)
		}
		if p := e.Get("/v/not-a-code", ""); p.Code != 200 || !strings.Contains(string(p.Body), "请核对编码") {
			t.Fatalf("invalid page: %d", p.Code)
		}
		unknown, _ := labelcode.New()
		if p := e.Get("/v/"+unknown, ""); !strings.Contains(string(p.Body), "未登记") {
			t.Fatal("unknown page")
		}
		p := e.Get("/v?code="+strings.ToLower(code), "")
		same(t, "form redirect", map[string]string{"status": "303", "location": "/v/" + code},
			map[string]string{"status": strconv.Itoa(p.Code), "location": p.Header.Get("Location")})
	})
}

func TestVerifyRateLimit(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{VerifyRatePerMin: 2}, func(t *testing.T, e *apitest.Env) {
		code, _ := labelcode.New()
		e.Get("/api/v1/verify/"+code, "")
		e.Get("/v/"+code, "")
		r := e.Get("/api/v1/verify/"+code, "")
		r.Problem(t, 429)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		p := e.Get("/v/"+code, "")
		if p.Code != 429 || !strings.Contains(string(p.Body), "查询过于频繁") || p.Header.Get("Retry-After") == "" {
			t.Fatalf("page: %d %s", p.Code, p.Body)
		}
		if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + code, Header: map[string]string{"X-Forwarded-For": "203.0.113.9"}}); r.Code != 429 {
			t.Fatalf("X-Forwarded-For from an untrusted peer changed the client: %d", r.Code)
		}
	})
}

// TestConcurrentScansLoseNoCount: scan counts are atomic increments in the database.
func TestConcurrentScansLoseNoCount(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{ScanThreshold: 1000}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 1))[1][1]
		const n = 60
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.Get("/api/v1/verify/"+code, "")
			}()
		}
		wg.Wait()
		e.Recorder.Sync()
		var l model.Label
		if err := e.Store.DB().Where("code = ?", code).Take(&l).Error; err != nil {
			t.Fatal(err)
		}
		same(t, "scan_count after concurrent scans", n, l.ScanCount)
		if l.FirstScannedAt == nil {
			t.Fatal("no first scan time after concurrent scans")
		}
	})
}

// TestScansCountBeforeTheyAreFolded: scans already written but not yet in the label's count
// in the database (counts are folded every so often) still count, and the first scan time is
// the first scan's. A new recorder, as after a crash, folds what it finds when it starts.
func TestScansCountBeforeTheyAreFolded(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{ScanThreshold: 1000}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 1))[1][1]
		first := verifyCode(t, e, code)
		for range 2 {
			e.Clock.Advance(time.Minute)
			verifyCode(t, e, code)
		}
		// Write the scans without folding their counts (Sync would fold).
		e.Recorder.Flush()
		if n, err := e.Store.CountScans(t.Context()); err != nil || n != 3 {
			t.Fatalf("scans written after Flush: %d (%v), want 3", n, err)
		}
		label := func() model.Label {
			var l model.Label
			if err := e.Store.DB().Where("code = ?", code).Take(&l).Error; err != nil {
				t.Fatal(err)
			}
			return l
		}
		dbCount := func() int64 { return label().ScanCount }
		same(t, "count in the database before a fold", int64(0), dbCount())
		e.Clock.Advance(time.Minute)
		v := verifyCode(t, e, code)
		same(t, "fourth scan: count", int64(4), v.ScanCount)
		same(t, "fourth scan: first scanned at", first.FirstScannedAt, v.FirstScannedAt)
		e.Recorder.Sync()
		if n := dbCount(); n != 4 {
			t.Fatalf("count after Sync: %d, want 4", n)
		}

		// Scans written but never folded (the process died): the next recorder folds them.
		id := label().ID
		at := e.Clock.Now()
		f := model.ScanFlush{Scans: []model.Scan{{LabelID: &id, Code: code, Result: model.ResultGenuine, ClientHash: "h", ScannedAt: at}},
			Labels: map[int64]model.ScanTally{id: {Count: 1, First: at, Last: at}}}
		if err := e.Store.RecordScans(t.Context(), f, nil); err != nil {
			t.Fatal(err)
		}
		rec := verify.NewRecorder(e.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), 16, time.Hour, time.Hour)
		defer rec.Close(t.Context())
		if n := dbCount(); n != 5 {
			t.Fatalf("count after a new recorder started: %d, want 5", n)
		}
	})
}

func TestVoiding(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		batch := w.order(t, 4)
		rows := w.codes(t, batch)
		path := fmt.Sprintf("/api/v1/label-batches/%d/void", batch)
		e.Post(path, w.owner.Token, map[string]string{}).Problem(t, 422)
		e.Post(path, w.other.Token, map[string]string{"reason": "x"}).Problem(t, 404)
		e.Post(path, e.AdminToken(), map[string]string{"reason": "x"}).Problem(t, 403)
		r := e.Post(path, w.rev.Token, map[string]string{"reason": "整批作废"})
		if r.Code != 200 {
			t.Fatalf("void batch: %d %s", r.Code, r.Body)
		}
		same(t, "voided batch status", any("voided"), r.Map(t)["status"])
		e.Post(path, w.owner.Token, map[string]string{"reason": "again"}).Problem(t, 409)
		for _, row := range rows[1:] {
			same(t, "label of a voided batch", verdict{Result: "warning", Reasons: []string{"label_voided"}}, verifyCode(t, e, row[1]).verdict())
		}
		e.Post("/api/v1/labels/"+rows[1][1]+"/void", w.owner.Token, map[string]string{"reason": "x"}).Problem(t, 409)
		e.Post("/api/v1/labels/NOTACODE/void", w.owner.Token, map[string]string{"reason": "x"}).Problem(t, 404)
		events, _ := e.Store.AuditEventsOf(t.Context(), "label_batch", batch)
		// create, the codes.csv download above (print log), void.
		if len(events) != 3 || events[1].Action != "label_batch.print" {
			t.Fatalf("%d audit events, want 3: %+v", len(events), events)
		}
		same(t, "audit of the void", map[string]string{"action": "label_batch.void", "reason": "整批作废"},
			map[string]string{"action": events[2].Action, "reason": events[2].Reason})
	})
}
