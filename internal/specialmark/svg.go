package specialmark

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
)

// looksLikeSVG: XML whose first kilobyte opens an svg element.
func looksLikeSVG(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(head, []byte("<")) && bytes.Contains(head, []byte("<svg"))
}

// Elements that run code, embed other documents or fetch other files.
var forbiddenElements = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "object": true, "embed": true,
	"audio": true, "video": true, "image": true, "feimage": true, "handler": true, "listener": true,
}

// checkSVG refuses anything that could run or fetch: see the package comment.
func checkSVG(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	root, inStyle := true, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root {
				return refused("invalid_svg", "the SVG has no svg element")
			}
			return nil
		}
		if err != nil {
			return refused("invalid_svg", "the SVG is not well-formed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			return refused("svg_refused", "the SVG may not have a DOCTYPE or entities")
		case xml.ProcInst:
			if t.Target != "xml" {
				return refused("svg_refused", "the SVG may not have processing instructions ("+t.Target+")")
			}
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root && name != "svg" {
				return refused("invalid_svg", "the file's root element is not svg")
			}
			root = false
			if forbiddenElements[name] {
				return refused("svg_refused", "the SVG may not contain a "+t.Name.Local+" element")
			}
			inStyle = name == "style"
			for _, a := range t.Attr {
				an := strings.ToLower(a.Name.Local)
				switch {
				case strings.HasPrefix(an, "on"):
					return refused("svg_refused", "the SVG may not have event handlers ("+a.Name.Local+")")
				case an == "href" && !strings.HasPrefix(strings.TrimSpace(a.Value), "#"):
					return refused("svg_refused", "the SVG may not refer to other files ("+a.Value+")")
				}
				if err := checkCSS(a.Value); err != nil {
					return err
				}
			}
		case xml.CharData:
			if inStyle {
				if err := checkCSS(string(t)); err != nil {
					return err
				}
			}
		case xml.EndElement:
			inStyle = false
		}
	}
}

// checkCSS refuses @import and url() other than a reference inside the file (url(#id)).
func checkCSS(s string) error {
	l := strings.ToLower(s)
	if strings.Contains(l, "@import") {
		return refused("svg_refused", "the SVG's styles may not import other files")
	}
	for i := strings.Index(l, "url("); i >= 0; i = strings.Index(l, "url(") {
		rest := strings.TrimLeft(l[i+4:], " \t\r\n'\"")
		if !strings.HasPrefix(rest, "#") {
			return refused("svg_refused", "the SVG may not refer to other files (url())")
		}
		l = l[i+4:]
	}
	return nil
}

// rasterSide is the longer side, in pixels, an SVG artwork is drawn at for printing: about
// 1,000 dpi across the widest mark box of any template.
const rasterSide = 1200

// rasterize draws an SVG on white as a PNG (fpdf places raster images; the QR codes, the
// part that must scan, stay vector). oksvg's strict mode refuses elements it cannot draw, so
// an artwork that would print wrongly is refused at upload.
func rasterize(data []byte) ([]byte, int, int, error) {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.StrictErrorMode)
	if err != nil {
		return nil, 0, 0, refused("invalid_svg", "the SVG cannot be drawn: "+err.Error())
	}
	vw, vh := icon.ViewBox.W, icon.ViewBox.H
	if !(vw > 0 && vh > 0) || math.IsInf(vw, 0) || math.IsInf(vh, 0) || vw/vh > 20 || vh/vw > 20 {
		return nil, 0, 0, refused("invalid_svg", "the SVG needs a viewBox with a sensible width and height")
	}
	scale := rasterSide / math.Max(vw, vh)
	w, h := max(1, int(math.Round(vw*scale))), max(1, int(math.Round(vh*scale)))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	icon.SetTarget(0, 0, float64(w), float64(h))
	icon.Draw(rasterx.NewDasher(w, h, rasterx.NewScannerGV(w, h, img, img.Bounds())), 1)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, 0, 0, errors.Join(errors.New("special mark: encode"), err)
	}
	return buf.Bytes(), w, h, nil
}
