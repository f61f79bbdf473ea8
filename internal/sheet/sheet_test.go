package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gimark/internal/qr"
	"gimark/model"
)

func sampleFacts() Facts {
	return Facts{USCC: "914403001922038216", Enterprise: "靖远枸杞示例有限公司", Product: "靖远枸杞", Kind: model.ProtectedProduct,
		ReferenceNumber: "国家质检总局公告2012年第102号", RegistrationNumber: "第23307869号", AuthorizationNumber: "GI-620421-2026-00001"}
}

// longFacts has a 60-character enterprise name and a long announcement number.
func longFacts() Facts {
	f := sampleFacts()
	f.Enterprise = "甘肃省白银市靖远县五合镇黄河沿岸枸杞种植农民专业合作社联合社暨靖远县乡村振兴枸杞产业发展示范基地有限责任公司第一分公司甲"
	f.ReferenceNumber = "原国家质量监督检验检疫总局关于批准对靖远枸杞实施地理标志产品保护的公告2012年第102号"
	return f
}

func sampleLabels(n int, base string) []Label {
	out := make([]Label, n)
	for i := range out {
		code := fmt.Sprintf("%016dX", i+1)
		out[i] = Label{Serial: i + 1, Code: code, URL: base + code}
	}
	return out
}

func TestLongFactsAreLong(t *testing.T) {
	if n := utf8.RuneCountInString(longFacts().Enterprise); n != 60 {
		t.Fatalf("the long enterprise name has %d characters", n)
	}
}

func TestLines(t *testing.T) {
	f := sampleFacts()
	cases := []struct {
		kind     model.ProductKind
		ref, reg string
		standard string
		want     []string
	}{
		{model.ProtectedProduct, "公告A", "", "", []string{"靖远枸杞 地理标志保护产品", "公告号 公告A"}},
		{model.ProtectedProduct, "", "", "DB62/T 1", []string{"靖远枸杞 地理标志保护产品", "标准 DB62/T 1"}},
		{model.ProtectedProduct, "公告A", "第1号", "", []string{"靖远枸杞 地理标志保护产品", "公告号 公告A", "商标注册号 第1号"}},
		{model.CertificationMark, "第2号", "", "", []string{"靖远枸杞 证明商标", "注册号 第2号"}},
		{model.CollectiveMark, "第3号", "", "", []string{"靖远枸杞 集体商标", "注册号 第3号"}},
	}
	for _, tc := range cases {
		f.Kind, f.ReferenceNumber, f.RegistrationNumber, f.Standard = tc.kind, tc.ref, tc.reg, tc.standard
		if got := f.Lines(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.kind, got, tc.want)
		}
	}
}

// TestFitStaysInItsBox fits the long facts into every box of every template: no line is
// wider than its box and the lines are no taller than it.
func TestFitStaysInItsBox(t *testing.T) {
	f := longFacts()
	rows := append(f.Lines(), "授权号 "+f.AuthorizationNumber, f.Enterprise)
	for _, tpl := range Templates {
		l := newLayout(tpl, 0, rows)
		for i, s := range rows {
			b := l.rows[i]
			ft := fit(fontWidths{}, s, b.w, b.h, 8)
			if h := float64(len(ft.lines)) * lineHeight(ft.pt); h > b.h+1e-9 || ft.pt < MinPt {
				t.Errorf("%s row %d: %d lines at %.2f pt are %.2f mm tall in %.2f", tpl.Name, i, len(ft.lines), ft.pt, h, b.h)
			}
			for _, line := range ft.lines {
				if w := textWidth(line) * ft.pt; w > b.w+1e-9 {
					t.Errorf("%s row %d: %q is %.2f mm wide in %.2f", tpl.Name, i, line, w, b.w)
				}
			}
		}
	}
	// Something too long for any box is cut with an ellipsis, never left to spill.
	ft := fit(fontWidths{}, strings.Repeat("枸杞", 200), 20, 3, 8)
	if len(ft.lines) == 0 || !strings.HasSuffix(ft.lines[len(ft.lines)-1], "…") {
		t.Fatalf("overlong text: %+v", ft)
	}
}

// TestQRModules: a realistic public URL prints at 0.33 mm a module or more on every
// template, and a URL too long for the smallest label is refused, not printed smaller.
func TestQRModules(t *testing.T) {
	url := "HTTPS://GI.BAIYIN.GOV.CN/V/0123456789ABCDEFG"
	bm, err := qr.Bitmap(url)
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range Templates {
		l := newLayout(tpl, 0, sampleFacts().Lines())
		if m := l.qr.w / float64(len(bm)); m < MinModule {
			t.Errorf("%s: module %.3f mm", tpl.Name, m)
		} else {
			t.Logf("%s: QR %.1f mm, %d modules with the quiet zone, %.3f mm a module", tpl.Name, l.qr.w, len(bm), m)
		}
	}
	tpl, _ := Lookup("a4-4x10")
	err = Write(io.Discard, tpl, sampleFacts(), nil, sampleLabels(1, "HTTPS://"+strings.Repeat("A", 300)+"/V/"), Options{})
	if !errors.Is(err, ErrModule) {
		t.Fatalf("a URL too long for the label: %v", err)
	}
}

var (
	bboxPage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// TestTextNeverLeavesItsLabel renders the long facts on every template and reads every
// word's box back with pdftotext -bbox: each lies inside the label it belongs to.
func TestTextNeverLeavesItsLabel(t *testing.T) {
	needTools(t, "pdftotext")
	f := longFacts()
	for _, tpl := range Templates {
		var buf bytes.Buffer
		labels := sampleLabels(tpl.PerPage(), "HTTP://LOCALHOST:8080/V/")
		if len(labels) > 1 {
			labels[len(labels)-1].Voided = true
		}
		if err := Write(&buf, tpl, f, nil, labels, Options{}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "l.pdf")
		os.WriteFile(file, buf.Bytes(), 0o600)
		out, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		const k = 72 / 25.4
		words := bboxWord.FindAllStringSubmatch(string(out), -1)
		if bboxPage.FindStringSubmatch(string(out)) == nil || len(words) < tpl.PerPage()*4 {
			t.Fatalf("%s: %d words", tpl.Name, len(words))
		}
		text := ""
		for _, w := range words {
			v := make([]float64, 4)
			for i := range v {
				v[i], _ = strconv.ParseFloat(w[i+1], 64)
			}
			text += w[5]
			cx, cy := (v[0]+v[2])/2/k, (v[1]+v[3])/2/k
			col := int((cx - tpl.Left) / (tpl.LabelW + tpl.GapX))
			row := int((cy - tpl.Top) / (tpl.LabelH + tpl.GapY))
			x0, y0 := tpl.origin(row*tpl.Cols + col)
			const eps = 0.05 // mm
			if v[0]/k < x0-eps || v[2]/k > x0+tpl.LabelW+eps || v[1]/k < y0-eps || v[3]/k > y0+tpl.LabelH+eps {
				t.Errorf("%s: %q at %.1f-%.1f × %.1f-%.1f mm leaves its label at %.1f, %.1f", tpl.Name, w[5],
					v[0]/k, v[2]/k, v[1]/k, v[3]/k, x0, y0)
			}
		}
		// The numbers a label must carry are never cut.
		for _, s := range []string{f.USCC, f.AuthorizationNumber, GroupCode(labels[0].Code)} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q is not printed whole", tpl.Name, s)
			}
		}
	}
}

// TestWriteSample writes a sample of every template to $SHEET_OUT, for looking at.
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("SHEET_OUT")
	if dir == "" {
		t.Skip("set SHEET_OUT to a folder to write sample sheets")
	}
	for _, tp := range Templates {
		f, err := os.Create(filepath.Join(dir, tp.Name+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		labels := sampleLabels(tp.PerPage()+1, "HTTP://LOCALHOST:8080/V/")
		labels[min(4, len(labels)-1)].Voided = true
		if err := Write(f, tp, sampleFacts(), nil, labels, Options{CutMarks: true}); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// TestConcurrentWrites builds documents at once (run with -race): they share no font bytes,
// and each comes out the same as one built alone.
func TestConcurrentWrites(t *testing.T) {
	tpl, _ := Lookup("a4-4x10")
	labels := sampleLabels(5, "HTTP://LOCALHOST:8080/V/")
	var alone bytes.Buffer
	if err := Write(&alone, tpl, sampleFacts(), nil, labels, Options{}); err != nil {
		t.Fatal(err)
	}
	strip := regexp.MustCompile(`/CreationDate \([^)]*\)|/ModDate \([^)]*\)`)
	want := strip.ReplaceAll(alone.Bytes(), nil)
	var wg sync.WaitGroup
	out := make([]bytes.Buffer, 4)
	errs := make([]error, 4)
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Write(&out[i], tpl, sampleFacts(), nil, labels, Options{})
		}()
	}
	wg.Wait()
	for i := range out {
		if errs[i] != nil || !bytes.Equal(strip.ReplaceAll(out[i].Bytes(), nil), want) {
			t.Fatalf("document %d built beside others differs (err %v)", i, errs[i])
		}
	}
}

// TestPreview draws one label of each template as a PNG of the label's size whose QR code
// decodes to specimen text, never to the label's URL: a preview is not a print.
func TestPreview(t *testing.T) {
	needTools(t, "zbarimg")
	lb := sampleLabels(1, "HTTPS://GI.BAIYIN.GOV.CN/V/")[0]
	for _, tpl := range Templates {
		var buf bytes.Buffer
		if err := Preview(&buf, tpl, longFacts(), nil, lb, 300); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); math.Abs(float64(w)-tpl.LabelW*300/25.4) > 1 || math.Abs(float64(h)-tpl.LabelH*300/25.4) > 1 {
			t.Errorf("%s: %d×%d pixels", tpl.Name, w, h)
		}
		path := filepath.Join(t.TempDir(), tpl.Name+".png")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("zbarimg", "-q", "--raw", path).Output()
		if err != nil {
			t.Fatalf("%s: zbarimg: %v", tpl.Name, err)
		}
		got := strings.TrimSpace(string(out))
		if !strings.HasPrefix(got, "SPECIMEN") || strings.Contains(got, lb.Code) || len(got) != len(lb.URL) {
			t.Errorf("%s: the preview's QR reads %q", tpl.Name, got)
		}
	}
}

// TestStreamedFile checks the file Write streams: every cross-reference entry points at its
// object, the page tree counts every page, and (with poppler and zbar) every label that is
// not voided carries a QR code that reads back as its URL, on every page.
func TestStreamedFile(t *testing.T) {
	xrefAt := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`)
	for _, tc := range []struct {
		tpl    string
		labels int
	}{{"roll-40x30", 3}, {"a4-4x10", 41}} {
		tpl, _ := Lookup(tc.tpl)
		labels := sampleLabels(tc.labels, "HTTP://LOCALHOST:8080/V/")
		labels[1].Voided = true
		var buf bytes.Buffer
		if err := Write(&buf, tpl, sampleFacts(), nil, labels, Options{CutMarks: true}); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		m := xrefAt.FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s: no startxref at the end", tc.tpl)
		}
		at, _ := strconv.Atoi(string(m[1]))
		lines := strings.Split(string(b[at:]), "\n")
		var first, count int
		if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil || lines[0] != "xref" {
			t.Fatalf("%s: xref %q %q", tc.tpl, lines[0], lines[1])
		}
		for i := 1; i < count; i++ {
			off, _ := strconv.Atoi(strings.Fields(lines[2+i])[0])
			if !bytes.HasPrefix(b[off:], []byte(strconv.Itoa(i)+" 0 obj\n")) {
				t.Fatalf("%s: object %d is not at %d", tc.tpl, i, off)
			}
		}
		pages := (tc.labels + tpl.PerPage() - 1) / tpl.PerPage()
		if !bytes.Contains(b, []byte(fmt.Sprintf("/Count %d\n", pages))) || !bytes.Contains(b, []byte(fmt.Sprintf("/Size %d\n", count))) {
			t.Fatalf("%s: page count or trailer size wrong", tc.tpl)
		}
		if !haveTools(t, "pdfinfo", "pdftoppm", "zbarimg") {
			continue
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "l.pdf")
		os.WriteFile(file, b, 0o600)
		info, err := exec.Command("pdfinfo", file).CombinedOutput()
		if err != nil || !strings.Contains(string(info), fmt.Sprintf("Pages:           %d\n", pages)) || strings.Contains(strings.ToLower(string(info)), "error") {
			t.Fatalf("%s: pdfinfo: %v\n%s", tc.tpl, err, info)
		}
		if out, err := exec.Command("pdftoppm", "-r", "300", "-png", file, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
		out, _ := exec.Command("zbarimg", append([]string{"-q", "--raw"}, pngs...)...).Output()
		got := strings.Fields(string(out))
		slices.Sort(got)
		var want []string
		for _, lb := range labels {
			if !lb.Voided {
				want = append(want, lb.URL)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the QR codes read %d URLs, want %d (%v)", tc.tpl, len(got), len(want), got)
		}
	}
}

// failAfter fails every write once n bytes have been written.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(b []byte) (int, error) {
	if f.n -= len(b); f.n < 0 {
		return 0, errFull
	}
	return len(b), nil
}

// TestWriteError: a writer that fails ends the file with its error, not a truncated success.
func TestWriteError(t *testing.T) {
	tpl, _ := Lookup("roll-40x30")
	for _, n := range []int{0, 100 << 10} {
		err := Write(&failAfter{n: n}, tpl, sampleFacts(), nil, sampleLabels(1000, "HTTP://LOCALHOST:8080/V/"), Options{})
		if !errors.Is(err, errFull) {
			t.Errorf("failing after %d bytes: %v", n, err)
		}
	}
}

// needTools skips (or, in CI, fails) when poppler-utils or zbar-tools are missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if !haveTools(t, tools...) {
		t.Skipf("%v: not all installed (apt-get install poppler-utils zbar-tools)", tools)
	}
}

// haveTools tells whether the tools are installed; in CI a missing one fails the test, since
// a check that silently does not run there would prove nothing.
func haveTools(t *testing.T, tools ...string) bool {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing (apt-get install poppler-utils zbar-tools)", tool)
			}
			return false
		}
	}
	return true
}
