package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
)

// zipEntries downloads a batch's labels.zip and returns its entries.
func zipEntries(t *testing.T, e *apitest.Env, token string, batch int64) []*zip.File {
	t.Helper()
	z := e.Get(fmt.Sprintf("/api/v1/label-batches/%d/labels.zip?size=128", batch), token)
	if z.Code != 200 {
		t.Fatalf("labels.zip: %d %s", z.Code, z.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(z.Body), int64(len(z.Body)))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File
}

func readEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBatchKeepsItsBaseURL: a batch records GIMARK_PUBLIC_BASE_URL when it is ordered, and
// every print file of it — codes.csv, labels.zip, qr.png, qr.svg — uses that URL after the
// setting changes; a batch ordered before the URL was recorded (NULL) uses the configured one.
func TestBatchKeepsItsBaseURL(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		first := w.order(t, 3)
		e.Labels.SetBaseURL("https://gi.example.gov.cn/") // what a restart with a new domain does
		second := w.order(t, 3)

		for _, tc := range []struct {
			batch  int64
			base   string
			prefix string
		}{
			{first, "http://localhost:8080", "HTTP://LOCALHOST:8080/V/"},
			{second, "https://gi.example.gov.cn", "HTTPS://GI.EXAMPLE.GOV.CN/V/"},
		} {
			var b struct {
				PublicBaseURL string `json:"public_base_url"`
			}
			e.Get(fmt.Sprintf("/api/v1/label-batches/%d", tc.batch), w.owner.Token).JSON(t, &b)
			if b.PublicBaseURL != tc.base {
				t.Fatalf("batch %d: public_base_url %q, want %q", tc.batch, b.PublicBaseURL, tc.base)
			}
			rows := w.codes(t, tc.batch)
			for _, r := range rows[1:] {
				if r[2] != tc.prefix+r[1] {
					t.Fatalf("batch %d codes.csv url %q, want %q", tc.batch, r[2], tc.prefix+r[1])
				}
			}
			files := zipEntries(t, e, w.owner.Token, tc.batch)
			if got := decodeQR(t, readEntry(t, files[2])); got != tc.prefix+rows[3][1] {
				t.Fatalf("batch %d labels.zip decodes to %q, want %q", tc.batch, got, tc.prefix+rows[3][1])
			}
			code := rows[1][1]
			if got := decodeQR(t, e.Get("/api/v1/labels/"+code+"/qr.png", w.owner.Token).Body); got != tc.prefix+code {
				t.Fatalf("batch %d qr.png decodes to %q", tc.batch, got)
			}
			svg := e.Get("/api/v1/labels/"+code+"/qr.svg", w.owner.Token)
			if svg.Code != 200 {
				t.Fatalf("qr.svg: %d", svg.Code)
			}
			if got := decodeSVG(t, svg.Body); got != "" && got != tc.prefix+code {
				t.Fatalf("batch %d qr.svg decodes to %q", tc.batch, got)
			}
		}

		// A batch from before the URL was recorded follows the configured URL.
		if err := e.Store.DB().Exec("UPDATE label_batches SET public_base_url = NULL WHERE id = ?", first).Error; err != nil {
			t.Fatal(err)
		}
		rows := w.codes(t, first)
		if want := "HTTPS://GI.EXAMPLE.GOV.CN/V/" + rows[1][1]; rows[1][2] != want {
			t.Fatalf("unrecorded batch url %q, want %q", rows[1][2], want)
		}
	})
}

// decodeSVG rasterises an SVG with ImageMagick's convert (convertArgs before the file names),
// as a print shop would, and decodes
// it with zbarimg. Without the tools it returns "" (and fails under CI=true).
func decodeSVG(t *testing.T, svg []byte, convertArgs ...string) string {
	t.Helper()
	convert, err1 := exec.LookPath("convert")
	zbar, err2 := exec.LookPath("zbarimg")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI needs ImageMagick (convert) and zbar-tools (zbarimg)")
		}
		t.Log("convert or zbarimg missing: SVG not rasterised")
		return ""
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "qr.svg"), filepath.Join(dir, "qr.png")
	if err := os.WriteFile(in, svg, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(convert, append(append(convertArgs, in), out)...).CombinedOutput(); err != nil {
		t.Fatalf("convert qr.svg qr.png: %v %s", err, b)
	}
	b, err := exec.Command(zbar, "-q", "--raw", out).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code in convert's rendering of the SVG: %v\n%s", err, svg[:min(len(svg), 300)])
	}
	return strings.TrimSpace(string(b))
}

// TestQRSVGForPrinters: qr.svg states its size (pixels, or millimetres with ?mm=), renders
// with crisp edges and no stroke, and ImageMagick's rendering of it decodes.
func TestQRSVGForPrinters(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		batch := w.order(t, 1)
		code := w.codes(t, batch)[1][1]
		parse := func(b []byte) (d struct {
			W, H, SR string
			strokes  []string
		}) {
			var doc struct {
				Width  string `xml:"width,attr"`
				Height string `xml:"height,attr"`
				SR     string `xml:"shape-rendering,attr"`
				Kids   []struct {
					Stroke string `xml:"stroke,attr"`
				} `xml:",any"`
			}
			if err := xml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("qr.svg is not XML: %v", err)
			}
			d.W, d.H, d.SR = doc.Width, doc.Height, doc.SR
			for _, k := range doc.Kids {
				d.strokes = append(d.strokes, k.Stroke)
			}
			return d
		}
		for _, tc := range []struct{ query, size string }{{"", "256"}, {"?size=512", "512"}, {"?mm=25", "25mm"}, {"?mm=22.5&size=512", "22.5mm"}} {
			r := e.Get("/api/v1/labels/"+code+"/qr.svg"+tc.query, w.owner.Token)
			if r.Code != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
				t.Fatalf("qr.svg%s: %d", tc.query, r.Code)
			}
			d := parse(r.Body)
			if d.W != tc.size || d.H != tc.size || d.SR != "crispEdges" {
				t.Fatalf("qr.svg%s: width %q height %q shape-rendering %q, want %s", tc.query, d.W, d.H, d.SR, tc.size)
			}
			for _, s := range d.strokes {
				if s != "none" {
					t.Fatalf("qr.svg%s: an element has stroke %q", tc.query, s)
				}
			}
			// A millimetre size is rendered at a print resolution, as a print shop does.
			var args []string
			if strings.Contains(tc.size, "mm") {
				args = []string{"-density", "300"}
			}
			if got := decodeSVG(t, r.Body, args...); got != "" && got != "HTTP://LOCALHOST:8080/V/"+code {
				t.Fatalf("qr.svg%s decodes to %q", tc.query, got)
			}
		}
		for _, q := range []string{"?mm=abc", "?mm=0", "?mm=-3", "?mm=4", "?mm=501", "?mm=NaN", "?size=10"} {
			e.Get("/api/v1/labels/"+code+"/qr.svg"+q, w.owner.Token).Problem(t, 422)
		}
	})
}

// TestZipEntriesCarryBatchTime: labels.zip entries are dated when the batch was ordered,
// not 1980-01-01 (the zero DOS date).
func TestZipEntriesCarryBatchTime(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC))
		w := newLabelWorld(t, e)
		batch := w.order(t, 2)
		for _, f := range zipEntries(t, e, w.owner.Token, batch) {
			if d := f.Modified.Sub(time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)); d < -2*time.Second || d > 2*time.Second {
				t.Fatalf("%s dated %v, want the batch's 2026-03-14 09:26:53 UTC", f.Name, f.Modified)
			}
		}
	})
}
