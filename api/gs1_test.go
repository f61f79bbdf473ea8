package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"gimark/internal/apitest"
	"gimark/internal/gs1"
)

var gtinSeq atomic.Int64

// testGTIN is a valid GTIN-13 made from n (GS1 prefix 690, China).
func testGTIN(n int) string {
	body := fmt.Sprintf("690%09d", n)
	return body + string(gs1.CheckDigit(body))
}

// dlLabel is one label of a batch with a GTIN and its Digital Link URI.
type dlLabel struct {
	filing, batch  int64
	gtin           string // GTIN-14
	code, url      string // as codes.csv gives them
	path           string // the URI's path, as a phone requests it
	auth           string // the filing's authorization number
	codes, urls    []string
	product, token string
}

// newDLLabel approves a filing of a's for a new product, records a GTIN under it and orders
// a 3-label batch with that GTIN and lot (none when lot is "").
func newDLLabel(e *apitest.Env, a, rev apitest.Account, lot string) *dlLabel {
	e.T.Helper()
	n := int(gtinSeq.Add(1))
	name := fmt.Sprintf("数字链接品%d", n)
	f := e.Approved(a, e.Product(name), rev)
	g := testGTIN(n)
	r := e.Post(fmt.Sprintf("/api/v1/filings/%d/gtins", f), a.Token, map[string]string{"gtin": g, "description": "500 g 礼盒"})
	if r.Code != http.StatusCreated {
		e.T.Fatalf("add GTIN: %d %s", r.Code, r.Body)
	}
	body := map[string]any{"quantity": 3, "gtin": g}
	if lot != "" {
		body["lot"] = lot
	}
	r = e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", f), a.Token, body)
	if r.Code != http.StatusCreated {
		e.T.Fatalf("order batch: %d %s", r.Code, r.Body)
	}
	d := &dlLabel{filing: f, batch: r.ID(e.T), gtin: "0" + g, product: name, token: a.Token}
	csv := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", d.batch), a.Token)
	for _, line := range strings.Split(strings.TrimSpace(string(csv.Body)), "\n")[1:] {
		f := strings.Split(line, ",")
		d.codes, d.urls = append(d.codes, f[1]), append(d.urls, f[2])
	}
	d.code, d.url = d.codes[0], d.urls[0]
	d.path = dlPath(e.T, d.url)
	var fl struct {
		AuthorizationNumber string `json:"authorization_number"`
	}
	e.Get(fmt.Sprintf("/api/v1/filings/%d", f), a.Token).JSON(e.T, &fl)
	d.auth = fl.AuthorizationNumber
	return d
}

// dlPath is the escaped path and query of a URI, what reaches the server.
func dlPath(t testing.TB, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func TestGTINs(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a, b, rev := e.Enterprise("gta"), e.Enterprise("gtb"), e.Reviewer("gtr")
		p := e.Product("枸杞GTIN")
		f := e.Approved(a, p, rev)
		path := fmt.Sprintf("/api/v1/filings/%d/gtins", f)
		for _, c := range [][2]string{{"96385074", "00000096385074"}, {"036000291452", "00036000291452"},
			{"4006381333931", "04006381333931"}, {"10614141073464", "10614141073464"}} {
			in, want := c[0], c[1]
			r := e.Post(path, a.Token, map[string]string{"gtin": in, "description": "规格 " + in})
			if r.Code != http.StatusCreated || r.Map(t)["gtin"] != want {
				t.Fatalf("add %s: %d %s, want gtin %s", in, r.Code, r.Body, want)
			}
		}
		// The same GTIN in another length is the same GTIN-14: a duplicate.
		if p := e.Post(path, a.Token, map[string]string{"gtin": "0036000291452"}).Problem(t, 409); !p.HasField("gtin") {
			t.Fatalf("duplicate: %+v", p)
		}
		for _, bad := range []string{"96385075", "0234567", "0952012345678A", "4006381 333931", ""} {
			if p := e.Post(path, a.Token, map[string]string{"gtin": bad}).Problem(t, 422); !p.HasField("gtin") {
				t.Fatalf("%q: %+v", bad, p)
			}
		}
		e.Post(path, a.Token, map[string]string{"gtin": "02345673", "description": strings.Repeat("长", 201)}).Problem(t, 422)
		e.Post(path, b.Token, map[string]string{"gtin": "02345673"}).Problem(t, 404)
		e.Post(path, rev.Token, map[string]string{"gtin": "02345673"}).Problem(t, 403)
		e.Get(path, b.Token).Problem(t, 404)
		var list struct {
			Items []struct{ GTIN string }
		}
		e.Get(path, rev.Token).JSON(t, &list)
		if len(list.Items) != 4 || list.Items[0].GTIN != "00000096385074" {
			t.Fatalf("reviewer sees %+v", list)
		}
		draft := e.Draft(a, e.Product("未批GTIN"))
		if p := e.Post(fmt.Sprintf("/api/v1/filings/%d/gtins", draft), a.Token, map[string]string{"gtin": "02345673"}).Problem(t, 409); p.Code != "filing_not_approved" {
			t.Fatalf("draft: %+v", p)
		}
		// Unique per enterprise: another enterprise may record the same GTIN for its own filing.
		fb := e.Approved(b, p, rev)
		if r := e.Post(fmt.Sprintf("/api/v1/filings/%d/gtins", fb), b.Token, map[string]string{"gtin": "96385074"}); r.Code != 201 {
			t.Fatalf("entB same GTIN: %d %s", r.Code, r.Body)
		}
		// Nothing half-written: the refused requests left exactly the four.
		e.Get(path, a.Token).JSON(t, &list)
		if len(list.Items) != 4 {
			t.Fatalf("%d GTINs after refusals", len(list.Items))
		}
		var audits int64
		if err := e.Store.DB().Table("audit_events").Where("action = ?", "trade_item.create").Count(&audits).Error; err != nil || audits != 5 {
			t.Fatalf("%d trade_item.create audit events (%v), want 5", audits, err)
		}
	})
}

// scanQR decodes a PNG the way a phone's scanner app does.
func scanQR(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

// TestBatchWithGTIN: order with a GTIN and lot, decode the printed QR, follow its Digital
// Link to the verification page; a batch without GTIN is unchanged; bad GTINs and lots are
// refused before anything is written.
func TestBatchWithGTIN(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		a, rev := e.Enterprise("bga"), e.Reviewer("bgr")
		d := newDLLabel(e, a, rev, "LOT-7")
		want := "HTTP://LOCALHOST:8080/01/" + d.gtin + "/10/LOT-7/21/" + d.code
		if d.url != want {
			t.Fatalf("codes.csv url %s, want %s", d.url, want)
		}
		var batch map[string]any
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d", d.batch), a.Token).JSON(t, &batch)
		if batch["gtin"] != d.gtin || batch["lot"] != "LOT-7" {
			t.Fatalf("batch %v", batch)
		}
		// The QR image and the ZIP carry the Digital Link URI.
		if got := scanQR(t, e.Get("/api/v1/labels/"+d.code+"/qr.png", a.Token).Body); got != want {
			t.Fatalf("QR says %s", got)
		}
		z := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.zip", d.batch), a.Token).Body
		zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
		if err != nil || len(zr.File) != 3 {
			t.Fatalf("zip: %v", err)
		}
		rc, _ := zr.File[0].Open()
		var pngb bytes.Buffer
		pngb.ReadFrom(rc)
		if got := scanQR(t, pngb.Bytes()); got != want {
			t.Fatalf("ZIP QR says %s", got)
		}
		if svg := e.Get("/api/v1/labels/"+d.code+"/qr.svg", a.Token); svg.Code != 200 {
			t.Fatalf("svg %d", svg.Code)
		}
		// Scan → Digital Link → verification page.
		r := e.Get(dlPath(t, want), "")
		if r.Code != http.StatusTemporaryRedirect || r.Header.Get("Location") != "http://localhost:8080/v/"+d.code {
			t.Fatalf("resolve: %d %q", r.Code, r.Header.Get("Location"))
		}
		page := e.Get(dlPath(t, r.Header.Get("Location")), "")
		if page.Code != 200 || !strings.Contains(string(page.Body), "正品") || !strings.Contains(string(page.Body), d.product) {
			t.Fatalf("verification page %d: %.300s", page.Code, page.Body)
		}
		// A batch without GTIN works exactly as before.
		f := e.Approved(a, e.Product("无GTIN品"), rev)
		r = e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", f), a.Token, map[string]any{"quantity": 1})
		csv := string(e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", r.ID(t)), a.Token).Body)
		if _, has := r.Map(t)["gtin"]; has || !strings.Contains(csv, ",HTTP://LOCALHOST:8080/V/") {
			t.Fatalf("plain batch: %s %s", r.Body, csv)
		}
		orders := fmt.Sprintf("/api/v1/filings/%d/label-batches", d.filing)
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"quantity": 1, "gtin": testGTIN(999999)}, "gtin"},    // valid, not recorded here
			{map[string]any{"quantity": 1, "gtin": "96385075"}, "gtin"},          // check digit
			{map[string]any{"quantity": 1, "lot": "L1"}, "lot"},                  // lot without GTIN
			{map[string]any{"quantity": 1, "gtin": d.gtin, "lot": "L 1"}, "lot"}, // space is not CSET 82
			{map[string]any{"quantity": 1, "gtin": d.gtin, "lot": "批次"}, "lot"},  // nor is Chinese
			{map[string]any{"quantity": 1, "gtin": d.gtin, "lot": strings.Repeat("A", 21)}, "lot"},
		} {
			if p := e.Post(orders, a.Token, c.body).Problem(t, 422); !p.HasField(c.field) {
				t.Fatalf("%v: %+v", c.body, p)
			}
		}
		var list struct{ Total int }
		e.Get(fmt.Sprintf("/api/v1/label-batches?filing_id=%d", d.filing), a.Token).JSON(t, &list)
		if list.Total != 1 {
			t.Fatalf("%d batches after refused orders", list.Total)
		}
		// A lot that needs escaping in a path still round-trips through the QR and resolver.
		d2 := newDLLabel(e, a, rev, "AB/1%")
		if !strings.Contains(d2.url, "/10/AB%2F1%25/21/") {
			t.Fatalf("escaped lot: %s", d2.url)
		}
		if r := e.Get(d2.path, ""); r.Code != 307 {
			t.Fatalf("escaped lot resolves %d: %s", r.Code, r.Body)
		}
	})
}

// TestDigitalLinkScanIsOneVerification: the resolver only redirects; the scan is counted
// once, by the verification page it sends the phone to, under that page's rate limit.
func TestDigitalLinkScanIsOneVerification(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{VerifyRatePerMin: 3}, func(t *testing.T, e *apitest.Env) {
		a, rev := e.Enterprise("sca"), e.Reviewer("scr")
		d := newDLLabel(e, a, rev, "")
		for i := 0; i < 5; i++ { // resolving alone never counts nor spends the verification budget
			if r := e.Get(d.path, ""); r.Code != 307 {
				t.Fatalf("resolve %d: %d", i, r.Code)
			}
		}
		loc := e.Get(d.path, "").Header.Get("Location")
		if r := e.Get(dlPath(t, loc), ""); r.Code != 200 {
			t.Fatalf("page %d", r.Code)
		}
		var v struct {
			Result    string
			ScanCount int64 `json:"scan_count"`
		}
		e.Get("/api/v1/verify/"+d.code, "").JSON(t, &v) // the second verification of this label
		if v.ScanCount != 2 || v.Result != "genuine" {
			t.Fatalf("after one Digital Link scan and one verify: %+v", v)
		}
		// The third verification is the last the limit allows; the next scan is refused, at
		// the page, exactly as for /v/CODE.
		if r := e.Get(dlPath(t, loc), ""); r.Code != 200 {
			t.Fatalf("third: %d", r.Code)
		}
		if r := e.Get(dlPath(t, e.Get(d.path, "").Header.Get("Location")), ""); r.Code != http.StatusTooManyRequests {
			t.Fatalf("fourth scan: %d, want 429", r.Code)
		}
		if r := e.Get("/v/"+d.code, ""); r.Code != http.StatusTooManyRequests {
			t.Fatalf("/v/: %d", r.Code)
		}
	})
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}
