package sheet

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"unicode/utf16"
)

// A label PDF is written in two parts. fpdf makes a one-page "shell" document holding what
// every page shares: the two fonts, subset to every glyph the labels use, the artwork and the
// form XObject of a label's fixed parts. The pages themselves are then written straight to
// the output one after the other, each content stream deflated by a zlib writer that is
// reset rather than made anew, and forgotten once written. fpdf instead keeps every page's
// content in memory until the end, then builds the whole file in memory with a new zlib
// writer (about 1.5 MB) for each page: on a roll of 10,000 labels, one a page, that was
// 125–155 MiB of RSS growth and about a quarter of the CPU time.
//
// The shell's objects keep their numbers; its page and content stream (3 and 4) become the
// first page's, and the other pages are numbered after the shell's last object.

// shell is the parsed one-page fpdf document.
type shell struct {
	head       []byte   // the header, up to the first object
	objs       [][]byte // whole objects by number, nil for those rewritten (1, 3 and 4)
	order      []int    // kept objects in file order
	pageDict   [2][]byte
	root, info int
	fonts      map[*face]string // resource names, without the slash
}

var (
	shellXref    = regexp.MustCompile(`startxref\s+(\d+)`)
	shellTrailer = regexp.MustCompile(`/Root (\d+) 0 R\s*/Info (\d+) 0 R`)
	shellLatin   = regexp.MustCompile(`/(F\S+) 11\.00 Tf`)
	shellCJK     = regexp.MustCompile(`/(F\S+) 13\.00 Tf`)
)

// Sizes the shell sets each face at, to tell their resource names apart in its page.
const shellLatinPt, shellCJKPt = 11, 13

// parseShell splits an fpdf file into its objects by its cross-reference table.
func parseShell(b []byte) (*shell, error) {
	m := shellXref.FindSubmatch(b)
	if m == nil {
		return nil, errors.New("sheet: shell: no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref <= 0 || xref >= len(b) {
		return nil, errors.New("sheet: shell: bad startxref")
	}
	lines := bytes.Split(b[xref:], []byte("\n"))
	if len(lines) < 3 || string(lines[0]) != "xref" {
		return nil, errors.New("sheet: shell: no xref table")
	}
	var first, count int
	if _, err := fmt.Sscanf(string(lines[1]), "%d %d", &first, &count); err != nil || first != 0 || len(lines) < 2+count {
		return nil, errors.New("sheet: shell: bad xref table")
	}
	offs := make([]int, count)
	for i := 1; i < count; i++ {
		offs[i], _ = strconv.Atoi(string(bytes.Fields(lines[2+i])[0]))
	}
	s := &shell{objs: make([][]byte, count), fonts: map[*face]string{}}
	byOff := make([]int, 0, count-1)
	for i := 1; i < count; i++ {
		byOff = append(byOff, i)
	}
	sort.Slice(byOff, func(a, c int) bool { return offs[byOff[a]] < offs[byOff[c]] })
	s.head = b[:offs[byOff[0]]]
	for k, i := range byOff {
		end := xref
		if k+1 < len(byOff) {
			end = offs[byOff[k+1]]
		}
		s.objs[i] = b[offs[i]:end]
		if !bytes.HasPrefix(s.objs[i], []byte(strconv.Itoa(i)+" 0 obj")) {
			return nil, fmt.Errorf("sheet: shell: object %d is not at its offset", i)
		}
	}
	if count < 5 {
		return nil, errors.New("sheet: shell: too few objects")
	}
	// The page: everything around its /Contents reference.
	page := s.objs[3]
	at := bytes.Index(page, []byte("/Contents 4 0 R"))
	body := bytes.Index(page, []byte("\n"))
	if at < 0 || body < 0 {
		return nil, errors.New("sheet: shell: page without contents")
	}
	s.pageDict = [2][]byte{page[body+1 : at], page[at+len("/Contents 4 0 R"):]}
	// The resource names of the fonts, from the page's (deflated) content stream.
	content := s.objs[4]
	from, to := bytes.Index(content, []byte("stream\n")), bytes.LastIndex(content, []byte("\nendstream"))
	if from < 0 || to < from {
		return nil, errors.New("sheet: shell: page content is not a stream")
	}
	zr, err := zlib.NewReader(bytes.NewReader(content[from+len("stream\n") : to]))
	if err != nil {
		return nil, fmt.Errorf("sheet: shell: %w", err)
	}
	ops, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("sheet: shell: %w", err)
	}
	l, c := shellLatin.FindSubmatch(ops), shellCJK.FindSubmatch(ops)
	if l == nil || c == nil {
		return nil, errors.New("sheet: shell: font names not found")
	}
	s.fonts[latinFace], s.fonts[cjkFace] = string(l[1]), string(c[1])
	t := shellTrailer.FindSubmatch(b[xref:])
	if t == nil {
		return nil, errors.New("sheet: shell: no trailer")
	}
	s.root, _ = strconv.Atoi(string(t[1]))
	s.info, _ = strconv.Atoi(string(t[2]))
	for _, i := range byOff {
		if i != 1 && i != 3 && i != 4 {
			s.order = append(s.order, i)
		}
	}
	return s, nil
}

// pdfWriter writes objects and remembers where each starts, and the first write error.
type pdfWriter struct {
	w       *bufio.Writer
	n       int64
	offsets []int64 // by object number
	err     error
}

func (p *pdfWriter) write(b []byte) {
	k, err := p.w.Write(b)
	p.n += int64(k)
	if p.err == nil {
		p.err = err
	}
}

func (p *pdfWriter) writeString(s string) {
	k, err := p.w.WriteString(s)
	p.n += int64(k)
	if p.err == nil {
		p.err = err
	}
}

// begin starts object i.
func (p *pdfWriter) begin(i int) {
	p.offsets[i] = p.n
	p.writeString(strconv.Itoa(i) + " 0 obj\n")
}

// pageObject is the object number of page i (0-based); its content stream is the next.
func pageObject(sh *shell, i int) int {
	if i == 0 {
		return 3
	}
	return len(sh.objs) + 2*i - 2
}

// writeFile writes the document: the shell's objects, pages pages whose deflated content
// streams come from next in order, the page tree and the cross-reference table.
func writeFile(w io.Writer, sh *shell, t Template, pages int, next func() ([][]byte, error)) error {
	size := pageObject(sh, pages-1) + 2
	if pages == 1 {
		size = len(sh.objs)
	}
	p := &pdfWriter{w: bufio.NewWriterSize(w, 64<<10), offsets: make([]int64, size)}
	p.write(sh.head)
	for _, i := range sh.order {
		p.offsets[i] = p.n
		p.write(sh.objs[i])
	}
	var num []byte
	for i := 0; i < pages; {
		chunk, err := next()
		if err != nil {
			return err
		}
		if p.err != nil {
			return fmt.Errorf("sheet: %w", p.err) // no use building pages that cannot be written
		}
		for _, content := range chunk {
			obj := pageObject(sh, i)
			p.begin(obj)
			p.write(sh.pageDict[0])
			num = append(strconv.AppendInt(append(num[:0], "/Contents "...), int64(obj+1), 10), " 0 R"...)
			p.write(num)
			p.write(sh.pageDict[1])
			p.begin(obj + 1)
			num = append(strconv.AppendInt(append(num[:0], "<</Filter /FlateDecode /Length "...), int64(len(content)), 10), ">>\nstream\n"...)
			p.write(num)
			p.write(content)
			p.writeString("\nendstream\nendobj\n")
			i++
		}
	}
	p.begin(1)
	p.writeString("<</Type /Pages\n/Kids [")
	for i := range pages {
		num = append(strconv.AppendInt(num[:0], int64(pageObject(sh, i)), 10), " 0 R "...)
		p.write(num)
	}
	const k = 72 / 25.4
	p.writeString(fmt.Sprintf("]\n/Count %d\n/MediaBox [0 0 %.2f %.2f]\n>>\nendobj\n", pages, t.PageW*k, t.PageH*k))
	xref := p.n
	p.writeString(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", size))
	for i := 1; i < size; i++ {
		num = append(fmt.Appendf(num[:0], "%010d", p.offsets[i]), " 00000 n \n"...)
		p.write(num)
	}
	p.writeString(fmt.Sprintf("trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n", size, sh.root, sh.info, xref))
	return p.w.Flush()
}

// usedRunes are the characters the labels' own text may print beyond the shared text, one
// string a face: the codes in groups, the serial numbers and a voided label's 已作废.
func usedRunes(labels []Label) map[*face]string {
	seen := map[rune]bool{'-': true, 'N': true, 'o': true, '.': true}
	for r := '0'; r <= '9'; r++ {
		seen[r] = true
	}
	for _, lb := range labels {
		for _, r := range lb.Code {
			seen[r] = true
		}
		if lb.Voided {
			for _, r := range "已作废" {
				seen[r] = true
			}
		}
	}
	rs := make([]rune, 0, len(seen))
	for r := range seen {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	out := map[*face]string{}
	for _, r := range rs {
		f := faceOf(r)
		out[f] += string(r)
	}
	return out
}

// appendText appends a run of text in face f at pt points, its baseline starting at (x, y)
// mm from the page's top-left, as the operators fpdf writes for its Text, the string as hex
// UTF-16 (the fonts' CIDs are Unicode code points).
func (d *doc) appendText(b []byte, f *face, pt, x, y float64, run string) []byte {
	b = append(b, "BT /"...)
	b = append(b, d.shell.fonts[f]...)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, pt, 'f', 2, 64)
	b = append(b, " Tf "...)
	b = strconv.AppendFloat(b, x*d.kpt, 'f', 2, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (d.t.PageH-y)*d.kpt, 'f', 2, 64)
	b = append(b, " Td <"...)
	const hex = "0123456789ABCDEF"
	var u [2]uint16
	for _, r := range run {
		n := 1
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			u[0], u[1] = uint16(r1), uint16(r2)
			n = 2
		} else {
			u[0] = uint16(r)
		}
		for _, c := range u[:n] {
			b = append(b, hex[c>>12], hex[c>>8&15], hex[c>>4&15], hex[c&15])
		}
	}
	return append(b, "> Tj ET\n"...)
}

// appendNums appends numbers in points, two decimals, each followed by a space.
func appendNums(b []byte, vs ...float64) []byte {
	for _, v := range vs {
		b = strconv.AppendFloat(b, v, 'f', 2, 64)
		b = append(b, ' ')
	}
	return b
}
