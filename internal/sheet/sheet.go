// Package sheet lays out print-ready labels as PDF: the GI special mark with the user's
// unified social credit code in its slot, the product's GI name and numbers, the
// authorization number, the QR code of the label's URL and its human-readable code, on a
// label stock (Templates).
//
// The fonts, the artwork and the part every label shares (one form XObject) are made with
// github.com/go-pdf/fpdf (README: chosen over signintech/gopdf by a benchmark) as a one-page
// document; the pages are then streamed after its objects (stream.go), because fpdf holds
// every page and the whole file in memory until the end. QR codes (qr.Matrix) are vector
// paths in each page's content stream, one "re" per run of dark modules in module units
// under one transform, which keeps a label to a few kilobytes; pages are built and deflated
// on every core a chunk ahead of the writer. Text is set in embedded TrueType fonts
// (assets.CJKFont and Go Regular) that fpdf subsets to the glyphs used.
package sheet

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-pdf/fpdf"

	"gimark/internal/qr"
	"gimark/model"
)

// MinModule is the smallest QR module printed, in millimetres: smaller modules do not scan
// reliably from office laser prints with a phone camera.
const MinModule = 0.33

// Facts are what every label of a batch carries besides its own code.
type Facts struct {
	USCC                string // 统一社会信用代码, printed in the mark's slot
	Enterprise          string
	Product             string // the GI name, also the trademark of a certification or collective mark
	Kind                model.ProductKind
	ReferenceNumber     string // 公告号 of a protected product, 注册号 of a mark
	RegistrationNumber  string // a protected product's trademark registration number, if it has one
	Standard            string // the product standard (标准代号)
	AuthorizationNumber string
}

// Label is one label to print.
type Label struct {
	Serial int
	Code   string
	URL    string
	Voided bool
}

// Artwork is the special mark's official artwork as a PNG that fpdf can place, and the code
// slot as fractions of it.
type Artwork struct {
	PNG                        []byte
	Width, Height              int // pixels
	SlotX, SlotY, SlotW, SlotH float64
}

// Options change the output.
type Options struct {
	CutMarks bool // hairline crosses where labels meet, for cutting plain paper
}

// ErrModule is returned when a label URL needs a QR symbol whose modules would print smaller
// than MinModule on the template.
var ErrModule = errors.New("sheet: the QR code does not fit the label at 0.33 mm a module")

// GroupCode writes a code in groups of four for people: XXXX-XXXX-XXXX-XXXX-X.
func GroupCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Lines are the product lines a label carries (DESIGN.md "The label"): for a protected
// product the GI name and its announcement number (or the standard when none is recorded),
// for a certification or collective mark the trademark and its registration number, and both
// when a protected product also holds a registration number.
func (f Facts) Lines() []string {
	switch f.Kind {
	case model.CertificationMark, model.CollectiveMark:
		kind := "证明商标"
		if f.Kind == model.CollectiveMark {
			kind = "集体商标"
		}
		return []string{f.Product + " " + kind, "注册号 " + f.ReferenceNumber}
	default:
		lines := []string{f.Product + " 地理标志保护产品"}
		switch {
		case f.ReferenceNumber != "":
			lines = append(lines, "公告号 "+f.ReferenceNumber)
		case f.Standard != "":
			lines = append(lines, "标准 "+f.Standard)
		}
		if f.RegistrationNumber != "" {
			lines = append(lines, "商标注册号 "+f.RegistrationNumber)
		}
		return lines
	}
}

type box struct{ x, y, w, h float64 }

// layout is where each part of a label goes, relative to its top-left corner, for one
// template; the same for every label of the document.
type layout struct {
	pad                  float64
	qr, scan, mark, code box
	serial               box
	rows                 []box // product lines, authorization number, enterprise
}

// newLayout places the parts of a label on template t. The text rows under the mark share
// the height left in proportion to the lines each would need at 5 pt, so a long
// announcement number gets the room a short enterprise name does not use.
func newLayout(t Template, markAspect float64, rows []string) layout {
	W, H := t.LabelW, t.LabelH
	p := math.Max(1.0, 0.045*H)
	iw, ih := W-2*p, H-2*p
	const gap = 0.8
	hb := math.Max(2.6, 0.13*ih) // bottom band: code and serial
	hu := ih - hb - gap/2
	hs := math.Max(2.2, 0.1*hu) // 扫码验真 under the QR
	q := math.Min(hu-hs, 0.4*iw)
	l := layout{pad: p}
	l.qr = box{p + iw - q, p, q, q}
	l.scan = box{l.qr.x, p + q, q, hs}
	l.code = box{p, H - p - hb, iw * 0.72, hb}
	l.serial = box{p + iw*0.72, H - p - hb, iw * 0.28, hb}
	lw := iw - q - gap
	// Every text row gets at least one line at MinPt; the mark gives up height for that.
	minRow := lineHeight(MinPt)
	mh := math.Min(0.4*hu, hu-float64(len(rows))*minRow-0.4)
	if markAspect <= 0 {
		markAspect = lw / mh // the plain frame fills the column
	}
	mw := math.Min(lw, mh*markAspect)
	l.mark = box{p, p, mw, mw / markAspect}
	top := p + l.mark.h + 0.4
	avail := p + hu - top
	weights, total := make([]float64, len(rows)), 0.0
	for i, s := range rows {
		weights[i] = float64(len(wrap(fontWidths{}, s, lw/5)))
		total += weights[i]
	}
	for i := range rows {
		h := minRow + (avail-float64(len(rows))*minRow)*weights[i]/total
		l.rows = append(l.rows, box{p, top, lw, h})
		top += h
	}
	return l
}

// doc is one PDF being written.
type doc struct {
	pdf  *fpdf.Fpdf
	t    Template
	l    layout
	art  *Artwork
	slot box // the code slot inside the mark box
	opt  Options
	kpt  float64 // points per millimetre
	// Text that is the same on every label, fitted once.
	markText, uscc, scan fitted
	rows                 []fitted
	voidText             fitted
	static               fpdf.Template // the shared part of a label
	shell                *shell        // the document the pages share (stream.go)
}

func (d *doc) width1(s string) float64 { return textWidth(s) }

// fontWidths measures with the embedded fonts' own widths.
type fontWidths struct{}

func (fontWidths) width1(s string) float64 { return textWidth(s) }

// fit sets text in box b at most maxPt large.
func (d *doc) fit(text string, b box, maxPt float64) fitted {
	return fit(d, text, b.w, b.h, maxPt)
}

// newDoc lays out a label of template t and fits the text every label shares: the same for
// the PDF (Write) and the preview (Preview).
func newDoc(t Template, f Facts, art *Artwork, opt Options) *doc {
	aspect := 0.0
	if art != nil {
		aspect = float64(art.Width) / float64(art.Height)
	}
	lines := f.Lines()
	lines = append(lines, "授权号 "+f.AuthorizationNumber, f.Enterprise)
	d := &doc{t: t, l: newLayout(t, aspect, lines), art: art, opt: opt, kpt: 72 / 25.4}
	m := d.l.mark
	if art != nil {
		d.slot = box{m.x + art.SlotX*m.w, m.y + art.SlotY*m.h, art.SlotW * m.w, art.SlotH * m.h}
	} else {
		d.slot = box{m.x + 0.06*m.w, m.y + 0.58*m.h, 0.88 * m.w, 0.32 * m.h}
		d.markText = d.fit("专用标志图样", box{0, 0, m.w * 0.9, m.h * 0.45}, 9)
	}
	d.uscc = d.fit(f.USCC, inset(d.slot, 0.3), 8)
	d.scan = d.fit("扫码验真", d.l.scan, 7)
	for i, s := range lines {
		d.rows = append(d.rows, d.fit(s, d.l.rows[i], 8))
	}
	d.voidText = d.fit("已作废", box{0, 0, t.LabelW * 0.6, t.LabelH * 0.35}, 28)
	return d
}

// Write renders labels on template t as one PDF to w. art is nil until an artwork is
// uploaded: labels then carry a plain frame with 专用标志图样 and the code in its slot.
// Voided labels print as a crossed-out box with 已作废 and no QR code.
//
// The pages are built a chunk ahead of the writer on every core (QR symbol, operators,
// deflation) and written as they come (stream.go), so memory does not grow with the file.
func Write(w io.Writer, t Template, f Facts, art *Artwork, labels []Label, opt Options) error {
	d := newDoc(t, f, art, opt)
	sh, err := d.makeShell(labels)
	if err != nil {
		return err
	}
	d.shell = sh
	per := t.PerPage()
	pages := max(1, (len(labels)+per-1)/per)
	chunk := max(1, 256/per) // pages
	type result struct {
		pages [][]byte
		err   error
	}
	// Buffered: the chunk in flight can always be handed over, so its goroutine ends even
	// when the writer has stopped.
	ready := make(chan result, 1)
	prep := func(p0 int) {
		pp, err := d.pages(labels, p0, min(p0+chunk, pages))
		ready <- result{pp, err}
	}
	go prep(0)
	next := 0
	return writeFile(w, sh, t, pages, func() ([][]byte, error) {
		r := <-ready
		if next += chunk; r.err == nil && next < pages {
			go prep(next)
		}
		return r.pages, r.err
	})
}

// makeShell makes the one-page document whose fonts, artwork and label XObject every page
// uses (stream.go): the fonts carry every glyph of the shared text and of labels' own.
func (d *doc) makeShell(labels []Label) (*shell, error) {
	t := d.t
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: t.PageW, Ht: t.PageH}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true) // the same labels give the same file, apart from its dates
	pdf.SetCreator("gimark", true)
	pdf.SetTitle("地理标志专用标志 标签 "+t.Name, true)
	addFonts(pdf)
	pdf.SetFont(cjkFace.family, "", 8)
	if d.art != nil {
		pdf.RegisterImageOptionsReader("mark", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(d.art.PNG))
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	d.pdf = pdf
	// What every label of the document shares is drawn once, as a form XObject each label
	// places: per label a page then holds only the QR code, the code and the serial.
	d.static = pdf.CreateTemplateCustom(fpdf.PointType{}, fpdf.SizeType{Wd: t.LabelW, Ht: t.LabelH}, func(tp *fpdf.Tpl) {
		d.pdf = &tp.Fpdf
		d.drawMark(0, 0)
		for k, f := range d.rows {
			d.text(f, d.l.rows[k], 0, 0, 'L')
		}
		d.text(d.scan, d.l.scan, 0, 0, 'C')
		d.pdf = pdf
	})
	pdf.AddPage()
	pdf.UseTemplateScaled(d.static, fpdf.PointType{}, fpdf.SizeType{Wd: t.LabelW, Ht: t.LabelH})
	runes := usedRunes(labels)
	for _, f := range []*face{latinFace, cjkFace} {
		pt := float64(shellLatinPt)
		if f == cjkFace {
			pt = shellCJKPt
		}
		pdf.SetFont(f.family, "", pt)
		if s := runes[f]; s != "" {
			pdf.Text(1, 1, s)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	return parseShell(buf.Bytes())
}

func inset(b box, by float64) box { return box{b.x + by, b.y + by, b.w - 2*by, b.h - 2*by} }

// pageEncoder holds one worker's buffers: a page's operators and their deflated form.
type pageEncoder struct {
	ops []byte
	z   bytes.Buffer
	zw  *zlib.Writer
}

var pageEncoders = sync.Pool{New: func() any {
	e := new(pageEncoder)
	e.zw, _ = zlib.NewWriterLevel(&e.z, zlib.BestSpeed)
	return e
}}

// pages builds the deflated content streams of pages p0 to p1 (exclusive), on every core.
func (d *doc) pages(labels []Label, p0, p1 int) ([][]byte, error) {
	out := make([][]byte, p1-p0)
	errs := make([]error, p1-p0)
	per := d.t.PerPage()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), p1-p0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := pageEncoders.Get().(*pageEncoder)
			defer pageEncoders.Put(e)
			for {
				k := int(next.Add(1) - 1)
				if k >= len(out) {
					return
				}
				b := e.ops[:0]
				if d.opt.CutMarks {
					b = d.cutMarks(b)
				}
				first := (p0 + k) * per
				for slot := range per {
					if first+slot >= len(labels) {
						break
					}
					var err error
					if b, err = d.label(b, slot, labels[first+slot]); err != nil {
						errs[k] = err
						return
					}
				}
				e.ops = b
				e.z.Reset()
				e.zw.Reset(&e.z)
				e.zw.Write(b)
				e.zw.Close()
				out[k] = bytes.Clone(e.z.Bytes())
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// qrOps appends content's symbol, quiet zone included, as a side×side mm square at (x, y)
// from the page's top-left: one transform to module units (y pointing down), then one
// rectangle per horizontal run of dark modules, filled black.
func (d *doc) qrOps(b []byte, content string, x, y, side float64) ([]byte, error) {
	bm, err := qr.Matrix(content)
	if err != nil {
		return b, err
	}
	n := len(bm)
	mod := side / float64(n)
	if mod < MinModule {
		return b, fmt.Errorf("%w: %d modules in %.1f mm on %s", ErrModule, n, side, d.t.Name)
	}
	s := mod * d.kpt
	b = append(b, "q 0 g "...)
	b = strconv.AppendFloat(b, s, 'f', 5, 64)
	b = append(b, " 0 0 "...)
	b = strconv.AppendFloat(b, -s, 'f', 5, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, x*d.kpt, 'f', 3, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (d.t.PageH-y)*d.kpt, 'f', 3, 64)
	b = append(b, " cm\n"...)
	for _, r := range rects(bm) {
		for k, v := range r {
			if k > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = append(b, " re\n"...)
	}
	return append(b, "f Q\n"...), nil
}

// rects covers the dark modules of bm with rectangles {x, y, w, h}: each horizontal run of
// dark modules, merged with the same run in the rows below it (finder patterns and other
// solid blocks become one rectangle), which makes a symbol's path about a quarter shorter.
func rects(bm [][]bool) [][4]int {
	type run struct{ x, w, rect int }
	var out [][4]int
	var prev, cur []run // the runs of the row above and of this row, left to right
	for y, row := range bm {
		cur = cur[:0]
		j := 0
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			w := x - start
			for j < len(prev) && prev[j].x < start {
				j++
			}
			if j < len(prev) && prev[j].x == start && prev[j].w == w {
				out[prev[j].rect][3]++
				cur = append(cur, run{start, w, prev[j].rect})
			} else {
				out = append(out, [4]int{start, y, w, 1})
				cur = append(cur, run{start, w, len(out) - 1})
			}
		}
		prev, cur = cur, prev
	}
	return out
}

// label appends the operators of a label in slot of its page.
func (d *doc) label(b []byte, slot int, lb Label) ([]byte, error) {
	t := d.t
	ox, oy := t.origin(slot)
	if lb.Voided {
		return d.voided(b, ox, oy, lb), nil
	}
	b = append(b, "q 1 0 0 1 "...)
	b = appendNums(b, ox*d.kpt, (t.PageH-oy-t.LabelH)*d.kpt)
	b = append(b, "cm /TPL"...)
	b = append(b, d.static.ID()...)
	b = append(b, " Do Q\n"...)
	b = d.textOps(b, d.fit(GroupCode(lb.Code), d.l.code, 8), d.l.code, ox, oy, 'L')
	b = d.textOps(b, d.fit("No."+strconv.Itoa(lb.Serial), d.l.serial, 8), d.l.serial, ox, oy, 'R')
	return d.qrOps(b, lb.URL, ox+d.l.qr.x, oy+d.l.qr.y, d.l.qr.w)
}

func (d *doc) drawMark(ox, oy float64) {
	pdf, m := d.pdf, d.l.mark
	if d.art != nil {
		pdf.ImageOptions("mark", ox+m.x, oy+m.y, m.w, m.h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	} else {
		pdf.SetLineWidth(0.2)
		pdf.Rect(ox+m.x, oy+m.y, m.w, m.h, "D")
		d.text(d.markText, box{m.x, m.y + 0.05*m.h, m.w, m.h * 0.5}, ox, oy, 'C')
		pdf.SetLineWidth(0.1)
		pdf.Rect(ox+d.slot.x, oy+d.slot.y, d.slot.w, d.slot.h, "D")
	}
	d.text(d.uscc, d.slot, ox, oy, 'C')
}

// voided appends a crossed-out box with 已作废 and the serial, and no code or QR.
func (d *doc) voided(b []byte, ox, oy float64, lb Label) []byte {
	p, k, H := d.l.pad, d.kpt, d.t.PageH
	W, LH := d.t.LabelW, d.t.LabelH
	b = append(b, "q "...)
	b = appendNums(b, 0.3*k)
	b = append(b, "w\n"...)
	b = appendNums(b, (ox+p)*k, (H-oy-p)*k, (W-2*p)*k, -(LH-2*p)*k)
	b = append(b, "re S\n"...)
	b = d.line(b, ox+p, oy+p, ox+W-p, oy+LH-p)
	b = d.line(b, ox+W-p, oy+p, ox+p, oy+LH-p)
	b = append(b, "Q\n"...)
	b = d.textOps(b, d.voidText, box{W * 0.2, LH * 0.3, W * 0.6, LH * 0.35}, ox, oy, 'C')
	return d.textOps(b, d.fit("No."+strconv.Itoa(lb.Serial), d.l.serial, 8), d.l.serial, ox, oy, 'R')
}

// line appends a stroked line between two points in mm from the page's top-left.
func (d *doc) line(b []byte, x1, y1, x2, y2 float64) []byte {
	k, H := d.kpt, d.t.PageH
	b = appendNums(b, x1*k, (H-y1)*k)
	b = append(b, "m "...)
	b = appendNums(b, x2*k, (H-y2)*k)
	return append(b, "l S\n"...)
}

// place lays fitted text out in b (relative to the label at ox, oy), centred vertically,
// and hands each run of one font to emit with its baseline's start in mm on the page.
func (d *doc) place(f fitted, b box, ox, oy float64, align byte, emit func(fc *face, x, y float64, run string)) {
	lh := lineHeight(f.pt)
	top := oy + b.y + (b.h-lh*float64(len(f.lines)))/2
	for k, s := range f.lines {
		x := ox + b.x
		if align != 'L' {
			w := d.width1(s) * f.pt
			if align == 'C' {
				x += (b.w - w) / 2
			} else {
				x += b.w - w
			}
		}
		// The baseline sits about 0.8 of the size below the line's top, centred in the leading.
		y := top + float64(k)*lh + f.pt*mmPerPt*(0.1+0.82)
		fontRuns(s, func(fc *face, run string) {
			emit(fc, x, y, run)
			x += textWidth(run) * f.pt
		})
	}
}

// text draws fitted text with fpdf (the label XObject).
func (d *doc) text(f fitted, b box, ox, oy float64, align byte) {
	d.place(f, b, ox, oy, align, func(fc *face, x, y float64, run string) {
		d.pdf.SetFont(fc.family, "", f.pt)
		d.pdf.Text(x, y, run)
	})
}

// textOps appends fitted text as page operators.
func (d *doc) textOps(b []byte, f fitted, bx box, ox, oy float64, align byte) []byte {
	d.place(f, bx, ox, oy, align, func(fc *face, x, y float64, run string) {
		b = d.appendText(b, fc, f.pt, x, y, run)
	})
	return b
}

// cutMarks appends hairline crosses at every corner of the label grid, in grey.
func (d *doc) cutMarks(b []byte) []byte {
	t := d.t
	b = append(b, "q "...)
	b = appendNums(b, 0.1*d.kpt)
	b = append(b, "w 0.502 G\n"...)
	const arm = 1.5
	for r := 0; r <= t.Rows; r++ {
		for c := 0; c <= t.Cols; c++ {
			for _, x := range edges(t.Left, t.LabelW, t.GapX, c, t.Cols) {
				for _, y := range edges(t.Top, t.LabelH, t.GapY, r, t.Rows) {
					b = d.line(b, x-arm, y, x+arm, y)
					b = d.line(b, x, y-arm, x, y+arm)
				}
			}
		}
	}
	return append(b, "Q\n"...)
}

// edges are the grid lines at boundary k of n cells: one where cells touch, two across a gap.
func edges(start, size, gap float64, k, n int) []float64 {
	end := start + float64(k)*(size+gap)
	switch {
	case k == 0:
		return []float64{start}
	case k == n:
		return []float64{end - gap}
	case gap == 0:
		return []float64{end}
	default:
		return []float64{end - gap, end}
	}
}
