// Package sheet lays out print-ready labels as PDF: the GI special mark with the user's
// unified social credit code in its slot, the product's GI name and numbers, the
// authorization number, the QR code of the label's URL and its human-readable code, on a
// label stock (Templates).
//
// The PDF is made with github.com/go-pdf/fpdf (README: chosen over signintech/gopdf by a
// benchmark). QR codes are vector paths written straight into the page's content stream, one
// "re" per run of dark modules in module units under one transform, which keeps a label to a
// few kilobytes; they are computed on every core while the document is written. Text is set
// in an embedded TrueType CJK font (assets.CJKFont) that fpdf subsets to the glyphs used.
package sheet

import (
	"bytes"
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
func Write(w io.Writer, t Template, f Facts, art *Artwork, labels []Label, opt Options) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: t.PageW, Ht: t.PageH}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	// Pages are deflated. fpdf sets up a zlib writer of its own for each page (about 1.5 MB):
	// on a roll template, one label a page, that is about a quarter of a file's CPU time.
	// Storing such pages undeflated measured 0.98× the QR baseline's CPU time instead of
	// 1.29×, but fpdf holds the whole output in memory too, so the 2.5× larger file raised
	// the peak RSS growth of 10,000 labels from 125 to 156 MiB, past the 128 MiB limit.
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true) // the same labels give the same file, apart from its dates
	pdf.SetCreator("gimark", true)
	pdf.SetTitle("地理标志专用标志 标签 "+t.Name, true)
	addFonts(pdf)
	pdf.SetFont(cjkFace.family, "", 8)
	if art != nil {
		pdf.RegisterImageOptionsReader("mark", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(art.PNG))
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	d := newDoc(t, f, art, opt)
	d.pdf = pdf
	// What every label of the document shares is drawn once, as a form XObject each label
	// places: per label the page then holds only the QR code, the code and the serial.
	d.static = pdf.CreateTemplateCustom(fpdf.PointType{}, fpdf.SizeType{Wd: t.LabelW, Ht: t.LabelH}, func(tp *fpdf.Tpl) {
		d.pdf = &tp.Fpdf
		d.drawMark(0, 0)
		for k, f := range d.rows {
			d.text(f, d.l.rows[k], 0, 0, 'L')
		}
		d.text(d.scan, d.l.scan, 0, 0, 'C')
		d.pdf = pdf
	})

	// QR paths are built on every core a chunk ahead of the writer.
	const chunk = 256
	next := make(chan []qrPath, 1)
	prep := func(lo int) { next <- d.qrPaths(labels[lo:min(lo+chunk, len(labels))], lo) }
	if len(labels) > 0 {
		go prep(0)
	}
	for lo := 0; lo < len(labels); lo += chunk {
		paths := <-next
		if hi := lo + chunk; hi < len(labels) {
			go prep(hi)
		}
		for k, p := range paths {
			if p.err != nil {
				// Drain the chunk in flight so its goroutine ends.
				if lo+chunk < len(labels) {
					<-next
				}
				return p.err
			}
			d.label(lo+k, labels[lo+k], p.ops)
		}
	}
	if len(labels) == 0 {
		pdf.AddPage()
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	return pdf.Output(w)
}

func inset(b box, by float64) box { return box{b.x + by, b.y + by, b.w - 2*by, b.h - 2*by} }

type qrPath struct {
	ops string
	err error
}

// qrPaths builds the QR content-stream operators of labels (the i-th is label first+i).
func (d *doc) qrPaths(labels []Label, first int) []qrPath {
	out := make([]qrPath, len(labels))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(labels) {
					return
				}
				if labels[i].Voided {
					continue // a voided label never carries a QR code
				}
				x, y := d.t.origin((first + i) % d.t.PerPage())
				out[i].ops, out[i].err = d.qrOps(labels[i].URL, x+d.l.qr.x, y+d.l.qr.y, d.l.qr.w)
			}
		}()
	}
	wg.Wait()
	return out
}

// qrOps draws content's symbol, quiet zone included, as a side×side mm square at (x, y) from
// the page's top-left: one transform to module units (y pointing down), then one rectangle
// per horizontal run of dark modules, filled black.
func (d *doc) qrOps(content string, x, y, side float64) (string, error) {
	bm, err := qr.Bitmap(content)
	if err != nil {
		return "", err
	}
	n := len(bm)
	mod := side / float64(n)
	if mod < MinModule {
		return "", fmt.Errorf("%w: %d modules in %.1f mm on %s", ErrModule, n, side, d.t.Name)
	}
	b := make([]byte, 0, 64+12*n*n/4)
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
	b = append(b, "f Q\n"...)
	return string(b), nil
}

// rects covers the dark modules of bm with rectangles {x, y, w, h}: each horizontal run of
// dark modules, merged with the same run in the rows below it (finder patterns and other
// solid blocks become one rectangle), which makes a symbol's path about a quarter shorter.
func rects(bm [][]bool) [][4]int {
	var out [][4]int
	open := map[[2]int]int{} // run (x, w) of the previous row → its rectangle in out
	for y, row := range bm {
		next := make(map[[2]int]int, len(open))
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			key := [2]int{start, x - start}
			if i, ok := open[key]; ok {
				out[i][3]++
				next[key] = i
			} else {
				out = append(out, [4]int{start, y, x - start, 1})
				next[key] = len(out) - 1
			}
		}
		open = next
	}
	return out
}

// label draws the i-th label of the document.
func (d *doc) label(i int, lb Label, qrOps string) {
	pdf, t := d.pdf, d.t
	slot := i % t.PerPage()
	if slot == 0 {
		pdf.AddPage()
		if d.opt.CutMarks {
			d.cutMarks()
		}
	}
	ox, oy := t.origin(slot)
	if lb.Voided {
		d.voided(ox, oy, lb)
		return
	}
	pdf.UseTemplateScaled(d.static, fpdf.PointType{X: ox, Y: oy}, fpdf.SizeType{Wd: t.LabelW, Ht: t.LabelH})
	d.text(d.fit(GroupCode(lb.Code), d.l.code, 8), d.l.code, ox, oy, 'L')
	d.text(d.fit("No."+strconv.Itoa(lb.Serial), d.l.serial, 8), d.l.serial, ox, oy, 'R')
	// The QR path, the largest write, goes last: the page's buffer then grows once to about
	// its final size (fpdf keeps every page in memory until the file is written).
	pdf.RawWriteStr(qrOps)
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

// voided draws a crossed-out box with 已作废 and the serial, and no code or QR.
func (d *doc) voided(ox, oy float64, lb Label) {
	pdf, p := d.pdf, d.l.pad
	W, H := d.t.LabelW, d.t.LabelH
	pdf.SetLineWidth(0.3)
	pdf.Rect(ox+p, oy+p, W-2*p, H-2*p, "D")
	pdf.Line(ox+p, oy+p, ox+W-p, oy+H-p)
	pdf.Line(ox+W-p, oy+p, ox+p, oy+H-p)
	d.text(d.voidText, box{W * 0.2, H * 0.3, W * 0.6, H * 0.35}, ox, oy, 'C')
	d.text(d.fit("No."+strconv.Itoa(lb.Serial), d.l.serial, 8), d.l.serial, ox, oy, 'R')
}

// text draws fitted text in b (relative to the label at ox, oy), centred vertically.
func (d *doc) text(f fitted, b box, ox, oy float64, align byte) {
	if len(f.lines) == 0 {
		return
	}
	pdf := d.pdf
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
			pdf.SetFont(fc.family, "", f.pt)
			pdf.Text(x, y, run)
			x += textWidth(run) * f.pt
		})
	}
}

// cutMarks draws hairline crosses at every corner of the label grid.
func (d *doc) cutMarks() {
	pdf, t := d.pdf, d.t
	pdf.SetLineWidth(0.1)
	pdf.SetDrawColor(128, 128, 128)
	const arm = 1.5
	for r := 0; r <= t.Rows; r++ {
		for c := 0; c <= t.Cols; c++ {
			for _, x := range edges(t.Left, t.LabelW, t.GapX, c, t.Cols) {
				for _, y := range edges(t.Top, t.LabelH, t.GapY, r, t.Rows) {
					pdf.Line(x-arm, y, x+arm, y)
					pdf.Line(x, y-arm, x, y+arm)
				}
			}
		}
	}
	pdf.SetDrawColor(0, 0, 0)
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
