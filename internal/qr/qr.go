// Package qr draws the QR codes printed on GI labels: PNG for printers and screens, SVG for
// print-ready sheets. The symbol comes from github.com/skip2/go-qrcode; the drawing is ours,
// because labels are rendered by the hundred thousand and go-qrcode's own PNG path (an RGBA
// image and the default encoder) is several times slower than a 1-bit paletted image encoded
// with a pooled encoder.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// Size bounds of a PNG, in pixels.
const (
	MinSize = 64
	MaxSize = 2048
)

// ErrSize is returned for a PNG size outside MinSize..MaxSize.
var ErrSize = fmt.Errorf("qr: size must be from %d to %d pixels", MinSize, MaxSize)

// Level is the error-correction level: Medium (15 %) survives a scuffed label while keeping
// the symbol small.
const Level = qrcode.Medium

// Bitmap returns the symbol's modules, true for dark, including the 4-module quiet zone that
// scanners need around it.
func Bitmap(content string) ([][]bool, error) {
	if content == "" {
		return nil, errors.New("qr: empty content")
	}
	q, err := qrcode.New(content, Level)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return q.Bitmap(), nil
}

// Version returns the QR version (1-40) content needs; smaller prints smaller.
func Version(content string) (int, error) {
	q, err := qrcode.New(content, Level)
	if err != nil {
		return 0, err
	}
	return q.VersionNumber, nil
}

var palette = color.Palette{color.White, color.Black}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() *png.EncoderBuffer {
	v, _ := b.p.Get().(*png.EncoderBuffer)
	return v
}

func (b *bufferPool) Put(e *png.EncoderBuffer) { b.p.Put(e) }

// BestSpeed: label PNGs are tiny 1-bit images, where harder compression buys a few bytes for
// several times the CPU.
var encoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &bufferPool{}}

// images pools paletted canvases by size, so rendering a batch does not allocate one per label.
var images sync.Map // int → *sync.Pool

func canvas(size int) (*image.Paletted, func()) {
	pv, _ := images.LoadOrStore(size, &sync.Pool{New: func() any {
		return image.NewPaletted(image.Rect(0, 0, size, size), palette)
	}})
	pool := pv.(*sync.Pool)
	img := pool.Get().(*image.Paletted)
	return img, func() { pool.Put(img) }
}

// WritePNG draws content as a size×size PNG onto w. Modules are whole pixels (the symbol is
// centred with white around it), so edges stay sharp for scanners.
func WritePNG(w io.Writer, content string, size int) error {
	if size < MinSize || size > MaxSize {
		return ErrSize
	}
	bm, err := Bitmap(content)
	if err != nil {
		return err
	}
	n := len(bm)
	scale := size / n
	if scale < 1 {
		return fmt.Errorf("qr: %d pixels cannot hold %d modules", size, n)
	}
	img, release := canvas(size)
	defer release()
	clear(img.Pix) // index 0 is white
	off := (size - n*scale) / 2
	for y, row := range bm {
		line := img.Pix[(off+y*scale)*img.Stride:]
		for x, dark := range row {
			if dark {
				start := off + x*scale
				for i := start; i < start+scale; i++ {
					line[i] = 1
				}
			}
		}
		first := line[:size]
		for dy := 1; dy < scale; dy++ {
			copy(img.Pix[(off+y*scale+dy)*img.Stride:], first)
		}
	}
	return encoder.Encode(w, img)
}

// PNG returns content drawn as a size×size PNG.
func PNG(content string, size int) ([]byte, error) {
	var b bytes.Buffer
	if err := WritePNG(&b, content, size); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteSVG draws content as an SVG in module units: a white background and one path of dark
// runs, with crisp edges, so it scales to any print size.
func WriteSVG(w io.Writer, content string) error {
	bm, err := Bitmap(content)
	if err != nil {
		return err
	}
	n := strconv.Itoa(len(bm))
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + " " + n + `" width="` + n + `mm" height="` + n + `mm" shape-rendering="crispEdges">`)
	b.WriteString(`<rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
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
			// A run of dark modules: move, right by its length, down one, back, close.
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>` + "\n")
	_, err = w.Write(b.Bytes())
	return err
}

// SVG returns content drawn as SVG.
func SVG(content string) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteSVG(&b, content); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
