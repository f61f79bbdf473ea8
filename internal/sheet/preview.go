package sheet

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"gimark/internal/qr"
)

// Specimen is what a preview shows in place of a label's code: a preview is not a print
// (the print log records print files only), so it carries no label's code or QR.
const Specimen = "样张 SPECIMEN"

// Preview draws one label of template t as a PNG at dpi dots an inch, from the same layout and
// fitted text as the PDF (newDoc), so the console shows what will print without a PDF viewer
// (the console's CSP allows images only). lb gives the serial and the URL's length; the
// QR code encodes specimen text of that length (the same QR version, so the same module
// size), and the code reads Specimen: the preview cannot be printed as a valid label.
func Preview(w io.Writer, t Template, f Facts, art *Artwork, lb Label, dpi float64) error {
	d := newDoc(t, f, art, Options{})
	px := dpi / 25.4 // pixels a millimetre
	img := image.NewRGBA(image.Rect(0, 0, int(math.Ceil(t.LabelW*px)), int(math.Ceil(t.LabelH*px))))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	r := &raster{img: img, px: px, dpi: dpi, faces: map[string]font.Face{}}
	defer r.close()

	m := d.l.mark
	if art != nil {
		src, err := png.Decode(bytes.NewReader(art.PNG))
		if err != nil {
			return fmt.Errorf("sheet: artwork: %w", err)
		}
		draw.CatmullRom.Scale(img, r.rect(m), src, src.Bounds(), draw.Over, nil)
	} else {
		r.frame(m, 0.2)
		r.text(d.markText, box{m.x, m.y + 0.05*m.h, m.w, m.h * 0.5}, 'C')
		r.frame(d.slot, 0.1)
	}
	r.text(d.uscc, d.slot, 'C')
	for k, ft := range d.rows {
		r.text(ft, d.l.rows[k], 'L')
	}
	r.text(d.scan, d.l.scan, 'C')
	r.text(d.fit(Specimen, d.l.code, 8), d.l.code, 'L')
	r.text(d.fit("No."+strconv.Itoa(lb.Serial), d.l.serial, 8), d.l.serial, 'R')

	// Specimen text as long as the URL, in QR's alphanumeric set as label URLs are.
	n := max(len(lb.URL), 1)
	content := strings.Repeat("SPECIMEN ", n/9+1)[:n]
	bm, err := qr.Bitmap(content)
	if err != nil {
		return err
	}
	q := d.l.qr
	mod := q.w / float64(len(bm))
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				draw.Draw(img, r.rect(box{q.x + float64(x)*mod, q.y + float64(y)*mod, mod, mod}), image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return png.Encode(w, img)
}

// raster draws a label's parts on an image, in millimetres from its top-left corner.
type raster struct {
	img   *image.RGBA
	px    float64 // pixels a millimetre
	dpi   float64
	faces map[string]font.Face
}

func (r *raster) close() {
	for _, f := range r.faces {
		f.Close()
	}
}

func (r *raster) rect(b box) image.Rectangle {
	return image.Rect(int(math.Round(b.x*r.px)), int(math.Round(b.y*r.px)), int(math.Round((b.x+b.w)*r.px)), int(math.Round((b.y+b.h)*r.px)))
}

// frame strokes b's outline with lines lw mm wide (at least a pixel).
func (r *raster) frame(b box, lw float64) {
	t := max(1, int(math.Round(lw*r.px)))
	o := r.rect(b)
	for _, e := range []image.Rectangle{
		{o.Min, image.Pt(o.Max.X, o.Min.Y+t)}, {image.Pt(o.Min.X, o.Max.Y-t), o.Max},
		{o.Min, image.Pt(o.Min.X+t, o.Max.Y)}, {image.Pt(o.Max.X-t, o.Min.Y), o.Max},
	} {
		draw.Draw(r.img, e, image.Black, image.Point{}, draw.Src)
	}
}

func (r *raster) face(fc *face, pt float64) font.Face {
	key := fc.family + strconv.FormatFloat(pt, 'f', 3, 64)
	if f, ok := r.faces[key]; ok {
		return f
	}
	f, err := opentype.NewFace(fc.font, &opentype.FaceOptions{Size: pt, DPI: r.dpi, Hinting: font.HintingNone})
	if err != nil {
		panic("sheet: embedded font " + fc.family + ": " + err.Error()) // the fonts are parsed at start
	}
	r.faces[key] = f
	return f
}

// text draws fitted text in b as doc.text does on the PDF page.
func (r *raster) text(f fitted, b box, align byte) {
	lh := lineHeight(f.pt)
	top := b.y + (b.h-lh*float64(len(f.lines)))/2
	for k, s := range f.lines {
		x := b.x
		if align != 'L' {
			w := textWidth(s) * f.pt
			if align == 'C' {
				x += (b.w - w) / 2
			} else {
				x += b.w - w
			}
		}
		y := top + float64(k)*lh + f.pt*mmPerPt*(0.1+0.82)
		fontRuns(s, func(fc *face, run string) {
			dr := font.Drawer{Dst: r.img, Src: image.NewUniform(color.Black), Face: r.face(fc, f.pt),
				Dot: fixed.Point26_6{X: fixed.Int26_6(x * r.px * 64), Y: fixed.Int26_6(y * r.px * 64)}}
			dr.DrawString(run)
			x += textWidth(run) * f.pt
		})
	}
}
