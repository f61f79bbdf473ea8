// Package qr draws the QR codes printed on product labels: PNG for label printers and
// screens, SVG for print-ready sheets.
//
// The symbol itself comes from github.com/skip2/go-qrcode; the drawing is done here, because
// labels are rendered by the hundred thousand and go-qrcode's own PNG path (a full RGBA image
// and the default encoder) costs several times more than a 1-bit paletted image encoded with a
// pooled encoder.
//
// Content should be upper case (for example "HTTP://HOST/V/CODE"): QR alphanumeric mode holds
// only digits, upper-case letters and " $%*+-./:", and packs 2 characters into 11 bits where
// byte mode spends 8 bits on each, so an upper-case URL needs about a third fewer bits: often
// a smaller version, and otherwise more room before the next one.
package qr

import (
	"errors"
	"fmt"
	"strings"

	goqr "github.com/piglig/go-qr"
	qrcode "github.com/skip2/go-qrcode"
)

// Level is a QR error-correction level: the share of the symbol that can be lost to dirt or
// scuffing and still decode. Higher levels need a larger symbol for the same content.
type Level int

// Error-correction levels, from least to most robust.
const (
	// Low is level L: about 7 % recovery.
	Low Level = iota
	// Medium is level M: about 15 % recovery. It is the default, because printed labels get
	// scuffed but a larger symbol is harder to fit on them.
	Medium
	// High is level Q: about 25 % recovery.
	High
	// Highest is level H: about 30 % recovery.
	Highest
)

// String returns the level's ISO letter.
func (l Level) String() string {
	if l >= Low && l <= Highest {
		return string("LMQH"[l])
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

func (l Level) apply(c *config) { c.level = l }

// An Option changes how a symbol is built. A Level is an Option, so a call reads
// PNG(content, 256, qr.High).
type Option interface{ apply(*config) }

type config struct {
	level Level
	px    int     // SVG width and height in pixels; 0: none
	mm    float64 // SVG width and height in millimetres; 0: none (wins over px)
}

func configure(opts []Option) config {
	c := config{level: Medium}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// QuietZone is the width, in modules, of the white margin included in Bitmap and in every
// drawing; the QR standard requires 4 so that scanners can find the symbol's edges.
const QuietZone = 4

// ErrContent is returned for content that cannot make a symbol: empty, or too long for any
// QR version at the chosen level.
var ErrContent = errors.New("qr: content cannot be encoded")

// newCode checks the options and builds go-qrcode's symbol description. The encoding itself
// (error correction, mask choice) happens later, in Bitmap, so Version stays cheap.
func newCode(content string, opts []Option) (*qrcode.QRCode, error) {
	c := configure(opts)
	if c.level < Low || c.level > Highest {
		return nil, fmt.Errorf("qr: unknown error-correction level %d", int(c.level))
	}
	if content == "" {
		// A label without content is a caller bug, not a symbol worth printing.
		return nil, fmt.Errorf("%w: empty", ErrContent)
	}
	// qr's Level values are go-qrcode's RecoveryLevel values; the mapping is spelled out
	// so that a reordering on either side cannot silently change the level printed.
	level := [...]qrcode.RecoveryLevel{
		Low:     qrcode.Low,
		Medium:  qrcode.Medium,
		High:    qrcode.High,
		Highest: qrcode.Highest,
	}[c.level]
	q, err := qrcode.New(content, level)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContent, err)
	}
	return q, nil
}

// Bitmap returns content's modules as rows of columns, true for dark, including the
// QuietZone on every side. The level defaults to Medium.
func Bitmap(content string, opts ...Option) ([][]bool, error) {
	q, err := newCode(content, opts)
	if err != nil {
		return nil, err
	}
	// go-qrcode's own border is exactly QuietZone modules, so it is kept rather than
	// disabled and redrawn.
	return q.Bitmap(), nil
}

// Version returns the QR version (1 to 40) content needs at the chosen level; each version
// adds 4 modules to the side, so a smaller version prints larger modules in the same space.
func Version(content string, opts ...Option) (int, error) {
	q, err := newCode(content, opts)
	if err != nil {
		return 0, err
	}
	return q.VersionNumber, nil
}

// Matrix returns the same standard symbol as Bitmap (content in numeric, alphanumeric or byte
// mode, the smallest version at the level, the mask of lowest penalty), drawn by
// github.com/piglig/go-qr, whose encoder takes about a fifth of go-qrcode's time and a
// hundredth of its allocations (BenchmarkMatrix): go-qrcode builds Reed–Solomon remainders
// with a new polynomial per step. Label PDFs draw thousands of symbols, so they use Matrix;
// the image files keep Bitmap.
func Matrix(content string, opts ...Option) ([][]bool, error) {
	c := configure(opts)
	if c.level < Low || c.level > Highest {
		return nil, fmt.Errorf("qr: unknown error-correction level %d", int(c.level))
	}
	if content == "" {
		return nil, fmt.Errorf("%w: empty", ErrContent)
	}
	level := [...]goqr.Ecc{Low: goqr.Low, Medium: goqr.Medium, High: goqr.Quartile, Highest: goqr.High}[c.level]
	// Mixed content (a GS1 Digital Link URI: lower-case letters, then long runs of digits) is
	// split into numeric, alphanumeric and byte segments as go-qrcode does; text beyond ASCII
	// is one byte segment (UTF-8), never kanji mode.
	var segs []*goqr.QrSegment
	var err error
	// Content of alphanumeric characters only, without a run of 13 digits (a label URL), is
	// best one alphanumeric segment (ISO/IEC 18004 annex J: a numeric segment pays from 13
	// digits on), which saves the search. go-qr's optimal split never ends for content past
	// version 27 (it checks versions 1, 10 and 27 only), so it is asked for at most 27 and
	// longer content is one plain segment.
	split := ascii(content) && !oneAlphanumericSegment(content)
	if split {
		segs, err = goqr.MakeSegmentsOptimally(content, level, goqr.MinVersion, 27)
	}
	if !split || err != nil {
		segs, err = goqr.MakeSegments(content)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContent, err)
	}
	// The level stays the one asked for (no boost), as in Bitmap; mask -1: the lowest penalty.
	q, err := goqr.EncodeSegments(segs, level, goqr.MinVersion, goqr.MaxVersion, -1, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContent, err)
	}
	n := q.Size() + 2*QuietZone
	cells := make([]bool, n*n)
	bm := make([][]bool, n)
	for y := range bm {
		bm[y] = cells[y*n : (y+1)*n]
	}
	for y := range q.Size() {
		row := bm[y+QuietZone][QuietZone:]
		for x := range q.Size() {
			row[x] = q.Module(x, y)
		}
	}
	return bm, nil
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// oneAlphanumericSegment reports whether content is QR alphanumeric characters only, with
// no run of 13 or more digits.
func oneAlphanumericSegment(content string) bool {
	digits := 0
	for i := range len(content) {
		c := content[i]
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits >= 13 {
				return false
			}
			continue
		case c >= 'A' && c <= 'Z', strings.IndexByte(" $%*+-./:", c) >= 0:
		default:
			return false
		}
		digits = 0
	}
	return true
}
