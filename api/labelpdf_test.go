package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gimark/internal/apitest"
	"gimark/internal/sheet"
)

// needTools skips (or, in CI, fails) when poppler-utils or zbar-tools are missing.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext", "pdfinfo", "pdffonts", "pdfimages", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing (apt-get install poppler-utils zbar-tools)", tool)
			}
			t.Skipf("%s is missing (apt-get install poppler-utils zbar-tools)", tool)
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// printWorld is an approved filing of a product protected both ways (announcement and
// trademark registration numbers), its owner and a reviewer.
type printWorld struct {
	*labelWorld
	uscc, auth, ref, reg string
}

func newPrintWorld(t *testing.T, e *apitest.Env) *printWorld {
	w := &printWorld{labelWorld: &labelWorld{e: e, owner: e.Enterprise("owner"), other: e.Enterprise("other"), rev: e.Reviewer("rev")},
		ref: "国家质检总局公告2012年第102号", reg: "第23307869号"}
	r := e.Post("/api/v1/products", e.AdminToken(), map[string]any{
		"name": "靖远枸杞", "kind": "protected_product", "reference_number": w.ref, "registration_number": w.reg,
		"protected_area": "甘肃省靖远县", "standard": "DB62/T 0000", "region_code": "620421"})
	if r.Code != 201 {
		t.Fatalf("product: %d %s", r.Code, r.Body)
	}
	w.product = r.ID(t)
	w.filing = e.Approved(w.owner, w.product, w.rev)
	w.batchURL = fmt.Sprintf("/api/v1/filings/%d/label-batches", w.filing)
	var ent struct{ USCC string }
	e.Get(fmt.Sprintf("/api/v1/enterprises/%d", w.owner.EnterpriseID), w.owner.Token).JSON(t, &ent)
	var f struct {
		AuthorizationNumber string `json:"authorization_number"`
	}
	e.Get(fmt.Sprintf("/api/v1/filings/%d", w.filing), w.owner.Token).JSON(t, &f)
	w.uscc, w.auth = ent.USCC, f.AuthorizationNumber
	if w.uscc == "" || w.auth == "" {
		t.Fatalf("uscc %q, authorization number %q", w.uscc, w.auth)
	}
	return w
}

// pdf downloads labels.pdf and checks its digest header against its bytes.
func (w *printWorld) pdf(t *testing.T, token, query string, batch int64) *apitest.Response {
	t.Helper()
	r := w.e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.pdf?%s", batch, query), token)
	if r.Code != 200 {
		return r
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("content type %q", ct)
	}
	sum := sha256.Sum256(r.Body)
	if got, want := r.Header.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
		t.Fatalf("Repr-Digest %q, want %q", got, want)
	}
	return r
}

// cellQR decodes, with zbarimg, the QR code inside one label of a page rendered at dpi, or
// "" when none decodes there.
func cellQR(t *testing.T, img image.Image, tpl sheet.Template, slot int, dpi float64, dir string) string {
	t.Helper()
	px := func(mm float64) int { return int(math.Round(mm / 25.4 * dpi)) }
	col, row := slot%tpl.Cols, slot/tpl.Cols
	x, y := tpl.Left+float64(col)*(tpl.LabelW+tpl.GapX), tpl.Top+float64(row)*(tpl.LabelH+tpl.GapY)
	r := image.Rect(px(x), px(y), px(x+tpl.LabelW), px(y+tpl.LabelH))
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
	var buf bytes.Buffer
	if err := png.Encode(&buf, sub); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("cell-%d.png", slot))
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("zbarimg", "--raw", "-q", file).Output() // exit status 4: nothing found
	return strings.TrimSpace(string(out))
}

var spaces = regexp.MustCompile(`\s+`)

// TestLabelsPDFOnEveryTemplate renders a batch on every template and reads the PDF back as a
// printer and a phone would: page size, fonts, every QR code (each its own label's URL, in
// serial order, the voided one never), and the text of every label.
func TestLabelsPDFOnEveryTemplate(t *testing.T) {
	needTools(t)
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newPrintWorld(t, e)
		for _, tpl := range sheet.Templates {
			t.Run(tpl.Name, func(t *testing.T) {
				n := tpl.PerPage() + 2 // a second page, partly filled
				batch := w.order(t, n)
				rows := w.codes(t, batch) // serial, code, url
				voided := 2
				if r := e.Post("/api/v1/labels/"+rows[voided][1]+"/void", w.owner.Token, map[string]string{"reason": "损坏"}); r.Code != 200 {
					t.Fatalf("void: %d %s", r.Code, r.Body)
				}
				r := w.pdf(t, w.rev.Token, "template="+tpl.Name, batch) // reviewers print too
				if r.Code != 200 {
					t.Fatalf("labels.pdf: %d %s", r.Code, r.Body)
				}
				dir := t.TempDir()
				file := filepath.Join(dir, "labels.pdf")
				if err := os.WriteFile(file, r.Body, 0o600); err != nil {
					t.Fatal(err)
				}

				info := run(t, "pdfinfo", file)
				m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(info)
				pw, _ := strconv.ParseFloat(m[1], 64)
				ph, _ := strconv.ParseFloat(m[2], 64)
				if math.Abs(pw*25.4/72-tpl.PageW) > 0.1 || math.Abs(ph*25.4/72-tpl.PageH) > 0.1 {
					t.Fatalf("page %.2f×%.2f mm, want %.1f×%.1f", pw*25.4/72, ph*25.4/72, tpl.PageW, tpl.PageH)
				}
				pages := (n + tpl.PerPage() - 1) / tpl.PerPage()
				if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info); m == nil || m[1] != strconv.Itoa(pages) {
					t.Fatalf("want %d pages: %s", pages, info)
				}
				fonts := run(t, "pdffonts", file)
				for _, line := range strings.Split(strings.TrimSpace(fonts), "\n")[2:] {
					if f := strings.Fields(line); len(f) < 7 || f[len(f)-5] != "yes" {
						t.Fatalf("a font is not embedded: %s", fonts)
					}
				}
				if len(strings.Split(strings.TrimSpace(fonts), "\n")) != 4 {
					t.Fatalf("want the two embedded fonts: %s", fonts)
				}
				// The QR codes are vector paths: without an uploaded artwork there is no image at all.
				if imgs := run(t, "pdfimages", "-list", file); len(strings.Split(strings.TrimSpace(imgs), "\n")) != 2 {
					t.Fatalf("the PDF holds images: %s", imgs)
				}

				for p := 1; p <= pages; p++ {
					prefix := filepath.Join(dir, fmt.Sprintf("p%d", p))
					run(t, "pdftoppm", "-r", "300", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-singlefile", "-png", file, prefix)
					first := (p-1)*tpl.PerPage() + 1
					last := min(p*tpl.PerPage(), n)
					var want []string
					for s := first; s <= last; s++ {
						if s != voided {
							want = append(want, rows[s][2])
						}
					}
					// zbarimg over the whole page finds none but the page's URLs, the voided one never.
					out, _ := exec.Command("zbarimg", "--raw", "-q", prefix+".png").Output()
					for _, u := range strings.Fields(string(out)) {
						if !slices.Contains(want, u) {
							t.Fatalf("page %d: zbarimg decoded %q, not a URL of the page's labels", p, u)
						}
					}
					// Label by label, in serial order: each cell holds its own label's URL.
					f, err := os.Open(prefix + ".png")
					if err != nil {
						t.Fatal(err)
					}
					img, err := png.Decode(f)
					f.Close()
					if err != nil {
						t.Fatal(err)
					}
					for s := first; s <= last; s++ {
						got := cellQR(t, img, tpl, s-first, 300, dir)
						switch {
						case s == voided && got != "":
							t.Fatalf("the voided label %d decodes to %q", s, got)
						case s != voided && got != rows[s][2]:
							t.Fatalf("label %d decodes to %q, want %q", s, got, rows[s][2])
						}
					}
					text := spaces.ReplaceAllString(run(t, "pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), file, "-"), "")
					for _, s := range []string{w.uscc, "靖远枸杞", w.ref, w.reg, w.auth, "扫码验真"} {
						if len(want) > 0 && !strings.Contains(text, s) { // a page of only the voided label has none
							t.Fatalf("page %d lacks %q: %s", p, s, text)
						}
					}
					for s := first; s <= last; s++ {
						code := sheet.GroupCode(rows[s][1])
						if s == voided {
							if strings.Contains(text, code) || !strings.Contains(text, "已作废") {
								t.Fatalf("the voided label prints its code or lacks 已作废: %s", text)
							}
							continue
						}
						if !strings.Contains(text, code) || !strings.Contains(text, "No."+strconv.Itoa(s)) {
							t.Fatalf("page %d lacks label %d's %s: %s", p, s, code, text)
						}
					}
				}
			})
		}
	})
}

// TestLabelsPDFRange checks the range and template parameters and the 10,000-label limit.
func TestLabelsPDFRange(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newPrintWorld(t, e)
		small := w.order(t, 5)
		for _, tc := range []struct{ q, field string }{
			{"template=nope", "template"}, {"from=0", "from"}, {"from=6", "from"}, {"from=3&to=2", "to"},
			{"to=6", "to"}, {"from=x", "from"}, {"cut_marks=maybe", "cut_marks"},
		} {
			p := w.pdf(t, w.owner.Token, tc.q, small).Problem(t, 422)
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%s: %+v", tc.q, p)
			}
		}
		if r := w.pdf(t, w.owner.Token, "template=roll-50x30&from=2&to=3&cut_marks=true", small); r.Code != 200 {
			t.Fatalf("range: %d %s", r.Code, r.Body)
		}
		big := w.order(t, 10_001)
		p := w.pdf(t, w.owner.Token, "template=a4-4x10", big).Problem(t, 422)
		if p.Code != "too_many_labels" || !strings.Contains(p.Detail, "10000") {
			t.Fatalf("whole batch over the limit: %+v", p)
		}
		p = w.pdf(t, w.owner.Token, "from=1&to=10001", big).Problem(t, 422)
		if p.Code != "too_many_labels" || !strings.Contains(p.Detail, "10000") {
			t.Fatalf("range over the limit: %+v", p)
		}
		var log struct{ Total int }
		e.Get(fmt.Sprintf("/api/v1/label-batches/%d/prints", big), w.owner.Token).JSON(t, &log)
		if log.Total != 0 {
			t.Fatalf("a refused download was recorded: %d", log.Total)
		}
		if r := w.pdf(t, w.owner.Token, "from=2&to=10001", big); r.Code != 200 {
			t.Fatalf("10,000 labels: %d %s", r.Code, r.Body)
		}
	})
}

type printEntry struct {
	ID           int64  `json:"id"`
	BatchID      int64  `json:"batch_id"`
	FilingID     int64  `json:"filing_id"`
	EnterpriseID int64  `json:"enterprise_id"`
	UserID       int64  `json:"user_id"`
	Format       string `json:"format"`
	Template     string `json:"template"`
	FromSerial   int    `json:"from_serial"`
	ToSerial     int    `json:"to_serial"`
	Labels       int    `json:"labels"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	Reprint      bool   `json:"reprint"`
}

func prints(t *testing.T, e *apitest.Env, path, token string) []printEntry {
	t.Helper()
	var out struct {
		Items []printEntry
		Total int
	}
	r := e.Get(path, token)
	if r.Code != 200 {
		t.Fatalf("%s: %d %s", path, r.Code, r.Body)
	}
	r.JSON(t, &out)
	if out.Total != len(out.Items) {
		t.Fatalf("total %d, items %d", out.Total, len(out.Items))
	}
	return out.Items
}

// TestPrintLog checks that each download of print files is recorded once, with its hash,
// and that a range downloaded again is a reprint; and who sees the log.
func TestPrintLog(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newPrintWorld(t, e)
		batch := w.order(t, 6)
		type dl struct {
			path    string
			token   string
			format  string
			from    int
			to      int
			reprint bool
		}
		base := fmt.Sprintf("/api/v1/label-batches/%d/", batch)
		steps := []dl{
			{"labels.pdf?template=a4-3x8&from=1&to=2", w.owner.Token, "pdf", 1, 2, false},
			{"labels.pdf?template=roll-40x30&from=1&to=2", w.owner.Token, "pdf", 1, 2, true},
			{"labels.pdf?from=3&to=4", w.rev.Token, "pdf", 3, 4, false},
			{"labels.pdf?from=4&to=5", w.owner.Token, "pdf", 4, 5, true}, // overlaps 3-4
			{"codes.csv", w.owner.Token, "csv", 1, 6, true},
			{"labels.zip?size=64", w.owner.Token, "zip", 1, 6, true},
		}
		var sums []string
		for _, s := range steps {
			r := e.Get(base+s.path, s.token)
			if r.Code != 200 {
				t.Fatalf("%s: %d %s", s.path, r.Code, r.Body)
			}
			sum := sha256.Sum256(r.Body)
			sums = append(sums, hex.EncodeToString(sum[:]))
			if r.Header.Get("X-Print-Reprint") != strconv.FormatBool(s.reprint) {
				t.Fatalf("%s: reprint header %q", s.path, r.Header.Get("X-Print-Reprint"))
			}
		}
		log := prints(t, e, base+"prints", w.owner.Token)
		if len(log) != len(steps) {
			t.Fatalf("%d records for %d downloads: %+v", len(log), len(steps), log)
		}
		for i, s := range steps {
			got := log[len(log)-1-i] // newest first
			uid := w.owner.UserID
			if s.token == w.rev.Token {
				uid = w.rev.UserID
			}
			if got.Format != s.format || got.FromSerial != s.from || got.ToSerial != s.to || got.Labels != s.to-s.from+1 ||
				got.Reprint != s.reprint || got.SHA256 != sums[i] || got.UserID != uid || got.BatchID != batch ||
				got.FilingID != w.filing || got.EnterpriseID != w.owner.EnterpriseID {
				t.Fatalf("record %d: %+v, want %+v sha %s", i, got, s, sums[i])
			}
		}
		if log[len(log)-1].Template != "a4-3x8" || log[len(log)-3].Template != sheet.DefaultTemplate {
			t.Fatalf("templates: %+v", log)
		}
		// Filters: reviewers by filing or enterprise; an enterprise only its own.
		if got := prints(t, e, fmt.Sprintf("/api/v1/prints?filing_id=%d", w.filing), w.rev.Token); len(got) != len(steps) {
			t.Fatalf("by filing: %d", len(got))
		}
		if got := prints(t, e, fmt.Sprintf("/api/v1/prints?enterprise_id=%d", w.owner.EnterpriseID), w.rev.Token); len(got) != len(steps) {
			t.Fatalf("by enterprise: %d", len(got))
		}
		if got := prints(t, e, fmt.Sprintf("/api/v1/prints?enterprise_id=%d", w.owner.EnterpriseID), w.other.Token); len(got) != 0 {
			t.Fatalf("another enterprise sees %d records", len(got))
		}
		if got := prints(t, e, "/api/v1/prints", w.other.Token); len(got) != 0 {
			t.Fatalf("another enterprise sees %d records", len(got))
		}
		// The yearly report counts them: 1-2 and 3-4 first; 1-2, 4-5 and the batch twice again.
		for tok, want := range map[string][2]int64{w.rev.Token: {4, 16}, w.owner.Token: {4, 16}, w.other.Token: {0, 0}} {
			var rep struct {
				LabelsPrinted struct{ First, Reprinted int64 } `json:"labels_printed"`
			}
			e.Get("/api/v1/reports/summary", tok).JSON(t, &rep)
			if got := [2]int64{rep.LabelsPrinted.First, rep.LabelsPrinted.Reprinted}; got != want {
				t.Fatalf("report: labels printed %v, want %v", got, want)
			}
		}
		e.Get(base+"prints", w.other.Token).Problem(t, 404)
		e.Get("/api/v1/prints?filing_id=x", w.rev.Token).Problem(t, 422)
		events, _ := e.Store.AuditEventsOf(t.Context(), "label_batch", batch)
		var acts []string
		for _, ev := range events {
			acts = append(acts, ev.Action)
		}
		if want := []string{"label_batch.create", "label_batch.print", "label_batch.reprint", "label_batch.print",
			"label_batch.reprint", "label_batch.reprint", "label_batch.reprint"}; !slices.Equal(acts, want) {
			t.Fatalf("audit %v, want %v", acts, want)
		}
	})
}

// TestPrintLogConcurrentDownloads downloads one fresh range from many clients at once: every
// download is recorded exactly once, and exactly one of them is the first print.
func TestPrintLogConcurrentDownloads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newPrintWorld(t, e)
		batch := w.order(t, 30)
		const n = 8
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				path := fmt.Sprintf("/api/v1/label-batches/%d/labels.pdf?template=a4-4x10&from=1&to=30", batch)
				if i%2 == 1 {
					path = fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch)
				}
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+w.owner.Token)
				rec := httptest.NewRecorder()
				e.Handler.ServeHTTP(rec, req)
				codes[i] = rec.Code
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != 200 {
				t.Fatalf("download %d: %d", i, c)
			}
		}
		log := prints(t, e, fmt.Sprintf("/api/v1/label-batches/%d/prints?page_size=100", batch), w.rev.Token)
		first := 0
		for _, r := range log {
			if !r.Reprint {
				first++
			}
		}
		if len(log) != n || first != 1 {
			t.Fatalf("%d records (%d first prints) for %d downloads", len(log), first, n)
		}
	})
}

// multipartMark builds a PUT /api/v1/special-mark body.
func multipartMark(t *testing.T, fields map[string]string, file []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"slot_x", "slot_y", "slot_w", "slot_h"} {
		if v, ok := fields[k]; ok {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "mark")
	fw.Write(file)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func putMark(e *apitest.Env, token string, fields map[string]string, file []byte) *apitest.Response {
	ct, body := multipartMark(e.T.(*testing.T), fields, file)
	return e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/special-mark", Token: token, Body: body,
		Header: map[string]string{"Content-Type": ct}})
}

var slot = map[string]string{"slot_x": "0.1", "slot_y": "0.7", "slot_w": "0.8", "slot_h": "0.2"}

// markPNG is a 300×200 PNG: a red ring on white.
func markPNG(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			d := math.Hypot(float64(x-150), float64(y-80))
			c := [4]uint8{255, 255, 255, 255}
			if d > 60 && d < 75 {
				c = [4]uint8{200, 20, 20, 255}
			}
			copy(img.Pix[img.PixOffset(x, y):], c[:])
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngBomb is a valid PNG header claiming 100,000×100,000 pixels with hardly any data.
func pngBomb() []byte {
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := img.Bytes()
	// IHDR data starts at byte 16: width, height; then fix the chunk's CRC.
	for i, v := range []uint32{100_000, 100_000} {
		b[16+4*i], b[17+4*i], b[18+4*i], b[19+4*i] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	crc := crc32IEEE(b[12:29])
	b[29], b[30], b[31], b[32] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	return b
}

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 100"><circle cx="60" cy="40" r="30" fill="none" stroke="#c00" stroke-width="6"/><rect x="10" y="75" width="100" height="20" fill="none" stroke="#000"/></svg>`

// TestSpecialMarkUpload checks the artwork's upload: who may, what is refused (and leaves no
// file), and that labels then carry it while their QR codes still decode.
func TestSpecialMarkUpload(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newPrintWorld(t, e)
		admin := e.AdminToken()
		files := func() int {
			n, root := 0, filepath.Join(e.DataDir, "documents")
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if rel, _ := filepath.Rel(root, p); err == nil && !d.IsDir() && !strings.HasPrefix(rel, "tmp") {
					n++
				}
				return nil
			})
			return n
		}
		before := files() // the filing's own documents
		e.Get("/api/v1/special-mark", admin).Problem(t, 404)
		putMark(e, w.owner.Token, slot, markPNG(t)).Problem(t, 403)
		putMark(e, w.rev.Token, slot, markPNG(t)).Problem(t, 403)

		refusals := []struct {
			name   string
			fields map[string]string
			file   []byte
			status int
			code   string
		}{
			{"script", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>`), 422, "svg_refused"},
			{"onload", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><rect width="5" height="5"/></svg>`), 422, "svg_refused"},
			{"external image", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="https://example.com/a.png" width="5" height="5"/></svg>`), 422, "svg_refused"},
			{"external use", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><use xlink:href="https://example.com/m.svg#a"/></svg>`), 422, "svg_refused"},
			{"css url", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5" style="fill:url(https://example.com/x)"/></svg>`), 422, "svg_refused"},
			{"style import", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>@import "https://example.com/a.css";</style></svg>`), 422, "svg_refused"},
			{"entity", slot, []byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&x;</text></svg>`), 422, "svg_refused"},
			{"foreignObject", slot, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>`), 422, "svg_refused"},
			{"png bomb", slot, pngBomb(), 422, "image_too_large"},
			{"not an image", slot, []byte("%PDF-1.4 not an artwork"), 415, "unsupported_type"},
			{"slot outside", map[string]string{"slot_x": "0.5", "slot_y": "0.7", "slot_w": "0.8", "slot_h": "0.2"}, markPNG(t), 422, "validation_failed"},
			{"slot missing", map[string]string{"slot_x": "0.5"}, markPNG(t), 422, "validation_failed"},
			{"too large", slot, append(markPNG(t), make([]byte, 2<<20)...), 413, ""},
		}
		for _, tc := range refusals {
			p := putMark(e, admin, tc.fields, tc.file).Problem(t, tc.status)
			if tc.code != "" && p.Code != tc.code {
				t.Fatalf("%s: %+v", tc.name, p)
			}
		}
		if n := files(); n != before {
			t.Fatalf("refused uploads left %d files", n-before)
		}
		e.Get("/api/v1/special-mark", admin).Problem(t, 404)

		r := putMark(e, admin, slot, []byte(goodSVG))
		if r.Code != 200 {
			t.Fatalf("svg: %d %s", r.Code, r.Body)
		}
		r = putMark(e, admin, slot, markPNG(t))
		if r.Code != 200 {
			t.Fatalf("png: %d %s", r.Code, r.Body)
		}
		var m struct {
			ContentType   string `json:"content_type"`
			Width, Height int
			SlotY         float64 `json:"slot_y"`
		}
		e.Get("/api/v1/special-mark", w.owner.Token).JSON(t, &m)
		if m.ContentType != "image/png" || m.Width != 300 || m.Height != 200 || m.SlotY != 0.7 {
			t.Fatalf("current mark: %+v", m)
		}
		if n := files(); n != before+2 {
			t.Fatalf("%d files for two uploads", n-before)
		}

		// Labels now carry the artwork (one image, placed on every label) and still scan.
		if !hasTools() {
			return
		}
		batch := w.order(t, 3)
		rows := w.codes(t, batch)
		pdf := w.pdf(t, w.owner.Token, "template=a4-3x8", batch)
		dir := t.TempDir()
		file := filepath.Join(dir, "l.pdf")
		os.WriteFile(file, pdf.Body, 0o600)
		if imgs := run(t, "pdfimages", "-list", file); strings.Count(imgs, "\n") != 2+3 {
			t.Fatalf("want the artwork on each of 3 labels: %s", imgs)
		}
		run(t, "pdftoppm", "-r", "300", "-singlefile", "-png", file, filepath.Join(dir, "p"))
		out, _ := exec.Command("zbarimg", "--raw", "-q", filepath.Join(dir, "p.png")).Output()
		got := strings.Fields(string(out))
		slices.Sort(got)
		want := []string{rows[1][2], rows[2][2], rows[3][2]}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("with artwork: decoded %v, want %v", got, want)
		}
		if text := run(t, "pdftotext", file, "-"); !strings.Contains(text, w.uscc) {
			t.Fatalf("the code is not in the slot's text: %s", text)
		}
	})
}

func hasTools() bool {
	for _, tool := range []string{"pdftoppm", "pdftotext", "pdfimages", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			return os.Getenv("CI") != "" // in CI a missing tool fails below
		}
	}
	return true
}

func TestLabelTemplates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var out struct {
			Items []struct {
				Name          string
				LabelWidthMM  float64 `json:"label_width_mm"`
				LabelHeightMM float64 `json:"label_height_mm"`
				PageWidthMM   float64 `json:"page_width_mm"`
				LabelsPerPage int     `json:"labels_per_page"`
			}
		}
		r := e.Get("/api/v1/label-templates", e.Enterprise("ent").Token)
		if r.Code != http.StatusOK {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		r.JSON(t, &out)
		got := map[string]string{}
		for _, it := range out.Items {
			got[it.Name] = fmt.Sprintf("%g×%g/%g/%d", it.LabelWidthMM, it.LabelHeightMM, it.PageWidthMM, it.LabelsPerPage)
		}
		want := map[string]string{"roll-40x30": "40×30/40/1", "roll-50x30": "50×30/50/1", "a4-3x8": "70×37/210/24", "a4-4x10": "48.5×25.4/210/40"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("templates %v, want %v", got, want)
		}
	})
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// TestLabelsPDFDigitalLink prints a batch ordered with a GTIN and a lot on the smallest
// label: each QR code holds the label's GS1 Digital Link URI, as codes.csv gives it.
func TestLabelsPDFDigitalLink(t *testing.T) {
	needTools(t)
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		owner, rev := e.Enterprise("dlowner"), e.Reviewer("dlrev")
		d := newDLLabel(e, owner, rev, "LOT2026")
		r := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.pdf?template=roll-40x30", d.batch), owner.Token)
		if r.Code != 200 {
			t.Fatalf("labels.pdf: %d %s", r.Code, r.Body)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "dl.pdf")
		os.WriteFile(file, r.Body, 0o600)
		for p, want := range d.urls {
			prefix := filepath.Join(dir, fmt.Sprintf("p%d", p+1))
			run(t, "pdftoppm", "-r", "300", "-f", strconv.Itoa(p+1), "-l", strconv.Itoa(p+1), "-singlefile", "-png", file, prefix)
			out, _ := exec.Command("zbarimg", "--raw", "-q", prefix+".png").Output()
			if got := strings.TrimSpace(string(out)); got != want || !strings.Contains(want, "/01/") {
				t.Fatalf("label %d decodes to %q, want %q", p+1, got, want)
			}
		}
	})
}
