package console_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gimark/internal/apitest"
)

// TestConsolePrinting: on a batch page the owner and the reviewer choose a template and a
// range, see a preview of the first label (which is not logged) and download labels.pdf;
// codes.csv and labels.zip go through the print log too; the page lists the log with
// reprints, the same records the API lists.
func TestConsolePrinting(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ent := e.Enterprise("goji1")
		rev := e.Reviewer("rev1")
		id := e.Approved(ent, e.Product("靖远枸杞"), rev)
		batch := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", id), ent.Token, map[string]int{"quantity": 30}).ID(t)
		bp := fmt.Sprintf("/console/batches/%d", batch)
		logged := func(want int) {
			t.Helper()
			var l struct{ Total int64 }
			e.Get(fmt.Sprintf("/api/v1/label-batches/%d/prints", batch), ent.Token).JSON(t, &l)
			if l.Total != int64(want) {
				t.Fatalf("print log has %d records, want %d", l.Total, want)
			}
		}

		ec := newClient(t, e)
		ec.mustLogin(ent.Username, apitest.Password)
		ec.get(bp+"?template=a4-4x10&from=3&to=12&cut_marks=1").must(t, 200, `<option value="a4-4x10" selected>`,
			`value="3"`, `value="12"`, "checked", "preview.png?cut_marks=1&amp;from=3&amp;template=a4-4x10&amp;to=12",
			"labels.pdf?cut_marks=1&amp;from=3&amp;template=a4-4x10&amp;to=12", "尚无打印记录")

		// The preview: a PNG, not logged.
		pv := ec.get(bp + "/preview.png?template=roll-40x30&from=3")
		if pv.Code != 200 || pv.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("preview: %d %.200s", pv.Code, pv.Body)
		}
		if img, err := png.Decode(bytes.NewReader([]byte(pv.Body))); err != nil || img.Bounds().Dx() < 200 {
			t.Fatalf("preview is not a label-sized PNG: %v", err)
		}
		ec.get(bp+"/preview.png?template=nope").must(t, http.StatusUnprocessableEntity, "请选择标签模板")
		ec.get(bp+"/preview.png?from=31").must(t, http.StatusUnprocessableEntity, "须为 1 到 30 之间的序号")
		logged(0)

		// labels.pdf, codes.csv, labels.zip: each logged once; the same range again is a reprint.
		pdf := ec.get(bp + "/labels.pdf?template=a4-4x10&from=3&to=12&cut_marks=1")
		if pdf.Code != 200 || !strings.HasPrefix(pdf.Body, "%PDF-") || pdf.Header.Get("X-Print-Reprint") != "false" ||
			!strings.HasPrefix(pdf.Header.Get("Repr-Digest"), "sha-256=:") {
			t.Fatalf("labels.pdf: %d %v %.200s", pdf.Code, pdf.Header, pdf.Body)
		}
		ec.get(bp+"/labels.pdf?to=abc").must(t, http.StatusUnprocessableEntity, "须为正整数")
		logged(1)
		if c := ec.get(bp + "/codes.csv"); c.Code != 200 || c.Header.Get("X-Print-Record") == "" || c.Header.Get("X-Print-Reprint") != "true" {
			t.Fatalf("codes.csv: %d %v", c.Code, c.Header)
		}
		if z := ec.get(bp + "/labels.zip"); z.Code != 200 || !strings.HasPrefix(z.Body, "PK") || z.Header.Get("X-Print-Reprint") != "true" {
			t.Fatalf("labels.zip: %d %v", z.Code, z.Header)
		}
		logged(3)

		// The reviewer prints too (serials printed before: a reprint) and sees the log; the
		// other enterprise gets 404.
		rc := newClient(t, e)
		rc.mustLogin(rev.Username, apitest.Password)
		if r := rc.get(bp + "/labels.pdf?template=roll-50x30&from=20&to=25"); r.Code != 200 || r.Header.Get("X-Print-Reprint") != "true" {
			t.Fatalf("reviewer's labels.pdf: %d %v", r.Code, r.Header)
		}
		logged(4)
		page := rc.get(bp)
		page.must(t, 200, "打印记录", "roll-50x30", "20–25", "3–12", "1–30", "重印", "共 4 条")
		if n := strings.Count(page.Body, "<td>重印</td>"); n != 3 {
			t.Errorf("the log shows %d reprints, want 3", n)
		}
		other := e.Enterprise("other")
		oc := newClient(t, e)
		oc.mustLogin(other.Username, apitest.Password)
		oc.get(bp+"/labels.pdf").must(t, http.StatusNotFound)
		oc.get(bp+"/preview.png").must(t, http.StatusNotFound)
		logged(4)

		// The log by filing and by enterprise: the reviewer sees all four; another
		// enterprise sees none of them, whatever it asks for.
		rc.get(fmt.Sprintf("/console/prints?filing_id=%d", id)).must(t, 200, "共 4 条", "roll-50x30", fmt.Sprintf(`href="/console/batches/%d"`, batch))
		rc.get(fmt.Sprintf("/console/prints?enterprise_id=%d", ent.EnterpriseID)).must(t, 200, "共 4 条")
		rc.get(fmt.Sprintf("/console/prints?enterprise_id=%d", other.EnterpriseID)).must(t, 200, "尚无打印记录")
		rc.get("/console/prints?filing_id=x").must(t, http.StatusUnprocessableEntity, "须为正整数")
		oc.get(fmt.Sprintf("/console/prints?enterprise_id=%d", ent.EnterpriseID)).must(t, 200, "尚无打印记录")
		ec.get("/console/prints").must(t, 200, "共 4 条")

		// The report counts the labels printed this year: 10 first printed, 66 again.
		rc.get("/console/report").must(t, 200, "本年打印标签 <strong>10</strong> 枚，另重印 66 枚")
	})
}

// markUpload posts the artwork form: the CSRF token, the slot fields, then the file.
func (c *client) markUpload(token string, slot []string, filename string, content []byte) *page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", token)
	for i, n := range []string{"slot_x", "slot_y", "slot_w", "slot_h"} {
		if i < len(slot) {
			_ = mw.WriteField(n, slot[i])
		}
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/console/special-mark", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Origin", "http://example.com")
	return c.do(r)
}

// TestConsoleSpecialMark: the admin uploads the mark's artwork with its code slot; refusals
// (a slot outside the artwork, an SVG with a script, a PNG bomb) come back on the form in
// Chinese next to the field, and nothing is stored; labels then print the artwork.
func TestConsoleSpecialMark(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ac := newClient(t, e)
		ac.mustLogin("admin", apitest.AdminPassword)
		ac.get("/console/special-mark").must(t, 200, "尚未上传图样")
		tok := ac.token("/console/special-mark")
		img := image.NewRGBA(image.Rect(0, 0, 300, 200))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{200, 0, 0, 255}), image.Point{}, draw.Src)
		var pngBuf bytes.Buffer
		if err := png.Encode(&pngBuf, img); err != nil {
			t.Fatal(err)
		}
		slot := []string{"0.1", "0.7", "0.8", "0.2"}

		ac.markUpload(tok, []string{"0.5", "0.7", "0.8", "0.2"}, "mark.png", pngBuf.Bytes()).must(t, http.StatusUnprocessableEntity,
			"编码位置须在图样之内", `value="0.5"`)
		ac.markUpload(tok, slot[:2], "mark.png", pngBuf.Bytes()).must(t, http.StatusUnprocessableEntity, "请先填写编码位置，再选择文件")
		svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20"><script>alert(1)</script><rect width="30" height="20"/></svg>`
		ac.markUpload(tok, slot, "mark.svg", []byte(svg)).must(t, http.StatusUnprocessableEntity, "SVG 图样含有脚本")
		// A PNG header claiming 100000×100000 pixels.
		ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00")
		bomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
		bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(ihdr))
		ac.markUpload(tok, slot, "bomb.png", bomb).must(t, http.StatusUnprocessableEntity, "像素尺寸过大")
		ac.get("/console/special-mark").must(t, 200, "尚未上传图样")

		done := ac.markUpload(tok, slot, "mark.png", pngBuf.Bytes())
		if done.Code != http.StatusSeeOther || done.Header.Get("Location") != "/console/special-mark?done=special_mark" {
			t.Fatalf("upload: %d %q %.300s", done.Code, done.Header.Get("Location"), done.Body)
		}
		ac.get("/console/special-mark?done=special_mark").must(t, 200, "已上传新的图样", "image/png，300×200 像素", "x 0.1，y 0.7，宽 0.8，高 0.2")
		var m struct {
			Width  int     `json:"width"`
			SlotY  float64 `json:"slot_y"`
			SHA256 string  `json:"sha256"`
		}
		e.Get("/api/v1/special-mark", e.AdminToken()).JSON(t, &m)
		if m.Width != 300 || m.SlotY != 0.7 || m.SHA256 == "" {
			t.Fatalf("the API's metadata: %+v", m)
		}
	})
}
