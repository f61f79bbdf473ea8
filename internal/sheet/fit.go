package sheet

import (
	"math"
	"strings"
	"unicode"
)

// Text sizes in points. Below MinPt a line is no longer legible on a printed label, so text
// that does not fit at MinPt wraps, and what still does not fit is cut with an ellipsis:
// text never leaves its box (and so never the label).
const (
	MinPt       = 3.5
	ptStep      = 0.25
	lineSpacing = 1.2 // line height as a multiple of the font size
	mmPerPt     = 25.4 / 72
)

// measurer gives a string's width in millimetres at 1 pt.
type measurer interface {
	width1(s string) float64
}

// fitted is text laid into a box: its size and its lines.
type fitted struct {
	pt    float64
	lines []string
}

func lineHeight(pt float64) float64 { return pt * mmPerPt * lineSpacing }

// fit sets text in a w×h mm box: the largest size from maxPt down to MinPt at which it fits on
// one line; otherwise the largest at which it fits wrapped; otherwise MinPt, as many lines as
// the box holds, the last one cut with "…".
func fit(m measurer, text string, w, h, maxPt float64) fitted {
	if text == "" || w <= 0 || h <= 0 {
		return fitted{pt: maxPt}
	}
	w1 := m.width1(text)
	for pt := maxPt; pt >= MinPt; pt -= ptStep {
		if w1*pt <= w && lineHeight(pt) <= h {
			return fitted{pt: pt, lines: []string{text}}
		}
	}
	for pt := maxPt; pt >= MinPt; pt -= ptStep {
		if lineHeight(pt) > h {
			continue
		}
		lines := wrap(m, text, w/pt)
		if float64(len(lines))*lineHeight(pt) <= h {
			return fitted{pt: pt, lines: lines}
		}
	}
	pt := MinPt
	n := max(1, int(math.Floor(h/lineHeight(pt)+1e-9)))
	lines := wrap(m, text, w/pt)
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ellipsize(m, lines[n-1]+"…", w/pt)
	}
	return fitted{pt: pt, lines: lines}
}

// wrap breaks text into lines at most w1 wide (in 1 pt units): after a space or hyphen when
// one is on the line, else between any two characters (Chinese has no spaces to break at).
func wrap(m measurer, text string, w1 float64) []string {
	var lines []string
	rs := []rune(text)
	for len(rs) > 0 {
		n, width := 0, 0.0
		for n < len(rs) {
			cw := m.width1(string(rs[n]))
			if n > 0 && width+cw > w1 {
				break
			}
			width += cw
			n++
		}
		if n < len(rs) {
			for k := n - 1; k > 0; k-- {
				if unicode.IsSpace(rs[k]) || rs[k] == '-' {
					n = k + 1
					break
				}
			}
		}
		lines = append(lines, strings.TrimSpace(string(rs[:n])))
		rs = rs[n:]
		for len(rs) > 0 && unicode.IsSpace(rs[0]) {
			rs = rs[1:]
		}
	}
	return lines
}

// ellipsize drops characters before a trailing "…" until s is at most w1 wide.
func ellipsize(m measurer, s string, w1 float64) string {
	rs := []rune(strings.TrimSuffix(s, "…"))
	for len(rs) > 0 && m.width1(string(rs)+"…") > w1 {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}
