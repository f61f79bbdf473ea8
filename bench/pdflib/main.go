// Command pdflib compares two maintained Go PDF libraries on the same label layout, to choose
// the one internal/sheet uses: go-pdf/fpdf and signintech/gopdf. Each run renders N 40×30 mm
// labels (a frame, six lines of Chinese and Latin text in the embedded CJK TrueType font, a
// QR code as one filled rectangle per run of dark modules) and prints labels per second and
// the growth of peak RSS. It is its own module so the library not chosen stays out of
// gimark's go.mod. Run each library in its own process:
//
//	cd bench/pdflib && for lib in fpdf fpdf-raw gopdf; do GOMAXPROCS=2 go run . $lib 2000; done
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/signintech/gopdf"
	qrcode "github.com/skip2/go-qrcode"
)

const mm = 72 / 25.4

func bitmap(i int) [][]bool {
	q, err := qrcode.New(fmt.Sprintf("HTTPS://GI.BAIYIN.GOV.CN/V/%016d%d", i, i%10), qrcode.Medium)
	if err != nil {
		panic(err)
	}
	return q.Bitmap()
}

type run struct{ x, y, n int }

func runs(bm [][]bool) []run {
	var out []run
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			s := x
			for x < len(row) && row[x] {
				x++
			}
			out = append(out, run{s, y, x - s})
		}
	}
	return out
}

func texts(i int) []struct {
	x, y float64
	s    string
} {
	return []struct {
		x, y float64
		s    string
	}{{2, 8, "专用标志图样"}, {2, 11, "914403001922038216"}, {19, 3, "靖远枸杞"}, {19, 6, "国家质检总局公告2012年第102号"},
		{19, 9, "GI-620421-2026-00001"}, {1, 28, fmt.Sprintf("ABCD-EFGH-JKMN-%04d-X  No.%d 扫码验真", i%10000, i+1)}}
}

// viaFpdf draws through fpdf's API; raw writes the QR as content-stream operators in module
// units under one transform (fpdf's RawWriteStr), as internal/sheet does.
func viaFpdf(font []byte, n int, raw bool, w io.Writer) error {
	p := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 40, Ht: 30}})
	p.SetMargins(0, 0, 0)
	p.SetAutoPageBreak(false, 0)
	p.AddUTF8FontFromBytes("cjk", "", font)
	for i := 0; i < n; i++ {
		p.AddPage()
		p.SetFont("cjk", "", 6)
		p.Rect(1, 1, 16, 12, "D")
		for _, t := range texts(i) {
			p.Text(t.x, t.y, t.s)
		}
		bm := bitmap(i)
		m := 16.0 / float64(len(bm))
		if raw {
			var sb strings.Builder
			fmt.Fprintf(&sb, "q 0 g %.4f 0 0 %.4f %.3f %.3f cm\n", m*mm, -m*mm, 19*mm, (30-12)*mm)
			for _, r := range runs(bm) {
				fmt.Fprintf(&sb, "%d %d %d 1 re\n", r.x, r.y, r.n)
			}
			sb.WriteString("f Q\n")
			p.RawWriteStr(sb.String())
		} else {
			for _, r := range runs(bm) {
				p.Rect(19+float64(r.x)*m, 12+float64(r.y)*m, float64(r.n)*m, m, "F")
			}
		}
	}
	return p.Output(w)
}

func viaGopdf(font []byte, n int, w io.Writer) error {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{Unit: gopdf.UnitMM, PageSize: gopdf.Rect{W: 40 * mm, H: 30 * mm}})
	if err := p.AddTTFFontData("cjk", font); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p.AddPage()
		if err := p.SetFont("cjk", "", 6); err != nil {
			return err
		}
		p.RectFromUpperLeftWithStyle(1, 1, 16, 12, "D")
		for _, t := range texts(i) {
			p.SetXY(t.x, t.y-2)
			if err := p.Text(t.s); err != nil {
				return err
			}
		}
		bm := bitmap(i)
		m := 16.0 / float64(len(bm))
		for _, r := range runs(bm) {
			p.RectFromUpperLeftWithStyle(19+float64(r.x)*m, 12+float64(r.y)*m, float64(r.n)*m, m, "F")
		}
	}
	_, err := p.WriteTo(w)
	return err
}

func status(field string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb / 1024
		}
	}
	return 0
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: pdflib fpdf|fpdf-raw|gopdf N [font.ttf]")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[2])
	fontPath := "../../assets/fonts/DroidSansFallbackFull.ttf"
	if len(os.Args) > 3 {
		fontPath = os.Args[3]
	}
	font, err := os.ReadFile(fontPath)
	if err != nil {
		panic(err)
	}
	rss0 := status("VmRSS")
	h := sha256.New()
	start := time.Now()
	switch os.Args[1] {
	case "fpdf":
		err = viaFpdf(font, n, false, h)
	case "fpdf-raw":
		err = viaFpdf(font, n, true, h)
	case "gopdf":
		err = viaGopdf(font, n, h)
	default:
		err = fmt.Errorf("no library %q", os.Args[1])
	}
	if err != nil {
		panic(err)
	}
	d := time.Since(start)
	// CPU time is the fair figure on a shared machine; wall time is what one request waits.
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%-8s %d labels, GOMAXPROCS=%d: %5.0f labels/s wall, %.2f ms CPU a label, peak RSS growth %d MiB\n",
		os.Args[1], n, runtime.GOMAXPROCS(0), float64(n)/d.Seconds(), cpu.Seconds()*1000/float64(n), status("VmHWM")-rss0)
}
