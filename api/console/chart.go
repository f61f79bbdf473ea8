package console

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Charts are SVG drawn here, on the server: no script, no chart library, nothing fetched.
// Every label is escaped; colours are presentation attributes (the page's CSP allows no
// inline style).

type series struct {
	Name   string
	Color  string
	Values []int64
}

// niceMax rounds v up to the next of 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8 or 10 times a power
// of ten: a quarter of each is round, so the four grid lines fall on round numbers, and the
// axis ends close above the data (2100 gets 2400, not 5000).
func niceMax(v int64) int64 {
	if v <= 0 {
		return 1
	}
	if v <= 10 {
		for _, m := range []int64{1, 2, 4, 8, 10} {
			if m >= v {
				return m
			}
		}
	}
	p := int64(1) // a power of ten with p*10 <= v
	for p*100 <= v {
		p *= 10
	}
	for _, m := range []int64{10, 12, 16, 20, 24, 30, 40, 50, 60, 80, 100} {
		if m*p >= v {
			return m * p
		}
	}
	return 100 * p
}

// barChart draws grouped vertical bars: one group per label, one bar per series. format
// turns a value into the axis text.
func barChart(title string, labels []string, ss []series, format func(int64) string) template.HTML {
	const w, h, left, right, top, bottom = 640, 260, 64, 10, 34, 28
	var peak int64
	for _, s := range ss {
		for _, v := range s.Values {
			peak = max(peak, v)
		}
	}
	top2 := niceMax(peak)
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	if peak == 0 {
		// Nothing to draw: say so, rather than axes of 0.0.
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" text-anchor="middle" fill="#6b7078">暂无数据</text></svg>`, w/2, h/2)
		return template.HTML(b.String())
	}
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e3e6e9"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#6b7078">%s</text>`, left-6, y+4, esc(format(top2*int64(i)/4)))
	}
	n := max(len(labels), 1)
	group := plotW / float64(n)
	bar := group * 0.8 / float64(max(len(ss), 1))
	// Many groups (the days of a month): name every few only, so the names do not overlap;
	// each bar's tooltip still names its own.
	every := 1
	for _, l := range labels {
		if need := float64(7*len([]rune(l)) + 8); need > group*float64(every) {
			every = int(need/group) + 1
		}
	}
	for i, l := range labels {
		x0 := float64(left) + group*float64(i) + group*0.1
		for j, s := range ss {
			if i >= len(s.Values) {
				continue
			}
			v := s.Values[i]
			bh := plotH * float64(v) / float64(top2)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
				x0+bar*float64(j), float64(top)+plotH-bh, bar*0.92, bh, s.Color, esc(s.Name), esc(l), esc(format(v)))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#3b4148">%s</text>`, x0+group*0.4, h-10, esc(l))
		}
	}
	legend(&b, ss, left)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// hbarChart draws one horizontal bar per label, largest first as given.
func hbarChart(title string, labels []string, values []int64, color string, format func(int64) string) template.HTML {
	const w, left, right, row = 640, 110, 110, 26
	h := 16 + row*max(len(labels), 1)
	var peak int64
	for _, v := range values {
		peak = max(peak, v)
	}
	if peak == 0 {
		peak = 1
	}
	plotW := float64(w - left - right)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i, l := range labels {
		y := 8 + row*i
		bw := plotW * float64(values[i]) / float64(peak)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#3b4148">%s</text>`, left-8, y+15, esc(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s：%s</title></rect>`, left, y+2, bw, row-8, color, esc(l), esc(format(values[i])))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="#3b4148">%s</text>`, float64(left)+bw+6, y+15, esc(format(values[i])))
	}
	if len(labels) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="26" font-size="13" fill="#6b7078">暂无数据</text>`, left)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func legend(b *strings.Builder, ss []series, x int) {
	for _, s := range ss {
		fmt.Fprintf(b, `<rect x="%d" y="8" width="12" height="12" fill="%s"/><text x="%d" y="18" font-size="12" fill="#3b4148">%s</text>`, x, s.Color, x+16, esc(s.Name))
		x += 24 + 14*len([]rune(s.Name))
	}
}

func esc(s string) string { return html.EscapeString(s) }
