package sheet

import (
	"bytes"
	"sync"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"gimark/assets"
)

// face is one embedded TrueType font and the advance widths read from it. Labels mix two:
// Droid Sans Fallback has the Chinese but no Latin letters or digits, which come from Go
// Regular (golang.org/x/image/font/gofont, BSD licence). Widths are read from the fonts
// themselves rather than from fpdf, whose measuring depends on its current font and writes
// a font change into the page.
type face struct {
	family string
	ttf    []byte
	font   *sfnt.Font
	upem   float64

	mu  sync.Mutex
	buf sfnt.Buffer
	adv map[rune]float64 // width at 1 pt in mm; negative when the font lacks the glyph
}

var (
	latinFace = mustFace("latin", goregular.TTF)
	cjkFace   = mustFace("cjk", assets.CJKFont)
)

func mustFace(family string, ttf []byte) *face {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("sheet: embedded font " + family + ": " + err.Error())
	}
	return &face{family: family, ttf: ttf, font: f, upem: float64(f.UnitsPerEm()), adv: map[rune]float64{}}
}

// advance is r's width at 1 pt in mm, or -1 when the font has no glyph for it.
func (f *face) advance(r rune) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if w, ok := f.adv[r]; ok {
		return w
	}
	w := -1.0
	if gi, err := f.font.GlyphIndex(&f.buf, r); err == nil && gi != 0 {
		if a, err := f.font.GlyphAdvance(&f.buf, gi, fixed.I(int(f.upem)), font.HintingNone); err == nil {
			w = float64(a) / 64 / f.upem * mmPerPt
		}
	}
	f.adv[r] = w
	return w
}

// faceOf picks the font a character is set in: Latin, digits and common punctuation from the
// Latin font, everything else (Chinese, full-width forms) from the CJK font.
func faceOf(r rune) *face {
	if r < 0x2E80 && latinFace.advance(r) >= 0 {
		return latinFace
	}
	return cjkFace
}

// runeWidth is r's width at 1 pt in mm in the font it is set in (0 for a glyph neither has).
func runeWidth(r rune) float64 {
	return max(0, faceOf(r).advance(r))
}

// textWidth is s's width at 1 pt in mm.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// fontRuns splits s into runs set in one font each.
func fontRuns(s string, fn func(f *face, run string)) {
	start := 0
	var cur *face
	for i, r := range s {
		f := faceOf(r)
		if cur != nil && f != cur {
			fn(cur, s[start:i])
			start = i
		}
		cur = f
	}
	if cur != nil && start < len(s) {
		fn(cur, s[start:])
	}
}

// addFonts registers both faces with a document; fpdf embeds each as a subset of the glyphs
// the document uses. Each document gets its own copy of the font files: fpdf writes into the
// bytes it is given while it subsets them, so documents built at once must not share them.
func addFonts(pdf *fpdf.Fpdf) {
	for _, f := range []*face{latinFace, cjkFace} {
		pdf.AddUTF8FontFromBytes(f.family, "", bytes.Clone(f.ttf))
	}
}
