package qr

import (
	"io"
	"strconv"
)

// Pixels is an SVG Option: the document's width and height in pixels. Rasterisers that
// read an SVG without them (ImageMagick, Inkscape's export) draw one pixel per module, too
// small for a scanner.
type Pixels int

func (p Pixels) apply(c *config) { c.px = int(p) }

// Millimetres is an SVG Option: the document's printed width and height ("25mm"); it wins
// over Pixels.
type Millimetres float64

func (m Millimetres) apply(c *config) { c.mm = float64(m) }

// SVG returns content as a standalone SVG document; see WriteSVG.
func SVG(content string, opts ...Option) ([]byte, error) {
	bm, err := Bitmap(content, opts...)
	if err != nil {
		return nil, err
	}
	c := configure(opts)
	size := ""
	switch {
	case c.mm > 0:
		size = strconv.FormatFloat(c.mm, 'f', -1, 64) + "mm"
	case c.px > 0:
		size = strconv.Itoa(c.px)
	}
	return drawSVG(bm, size), nil
}

// WriteSVG writes content as a standalone SVG document to w. Its viewBox is in modules,
// QuietZone included. Without a Pixels or Millimetres option it has no width or height, so
// the sheet layout that places it decides the printed size; the level defaults to Medium.
func WriteSVG(w io.Writer, content string, opts ...Option) error {
	b, err := SVG(content, opts...)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// drawSVG draws bm as a white square and one black path. Each horizontal run of dark
// modules is one closed rectangle ("M x y h n v1 h-n z"), which keeps a label's SVG to a few
// kilobytes; crispEdges stops renderers from anti-aliasing the seams between runs, and no
// stroke widens a run past its modules. size, when set, is the width and height ("256",
// "25mm").
func drawSVG(bm [][]bool, size string) []byte {
	n := strconv.Itoa(len(bm))
	// About one run per 4 modules at up to 16 bytes each.
	b := make([]byte, 0, 256+4*len(bm)*len(bm))
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" `...)
	if size != "" {
		b = append(b, `width="`+size+`" height="`+size+`" `...)
	}
	b = append(b, `viewBox="0 0 `...)
	b = append(b, n+" "+n...)
	b = append(b, `" shape-rendering="crispEdges"><rect width="`...)
	b = append(b, n+`" height="`+n...)
	b = append(b, `" fill="#fff" stroke="none"/><path fill="#000" stroke="none" d="`...)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(start), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, 'z')
		}
	}
	return append(b, "\"/></svg>\n"...)
}
