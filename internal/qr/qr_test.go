package qr

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

// label is the shape of content printed on labels: an upper-case verification URL.
const label = "HTTP://LOCALHOST:8080/V/0123456789ABCDEFG"

// scan decodes img as a phone would, returning the text and the decoder's result metadata.
func scan(t *testing.T, img image.Image) (string, map[gozxing.ResultMetadataType]any) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText(), res.GetResultMetadata()
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

var palette = color.Palette{color.White, color.Black}

// rasterise fills scale×scale pixels per dark module, the way a printer treats the SVG.
func rasterise(bm [][]bool, scale int) image.Image {
	n := len(bm)
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale), palette)
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				for py := y * scale; py < (y+1)*scale; py++ {
					for px := x * scale; px < (x+1)*scale; px++ {
						img.SetColorIndex(px, py, 1)
					}
				}
			}
		}
	}
	return img
}

func TestPNGDecodesBack(t *testing.T) {
	t.Parallel()
	for _, size := range []int{64, 256, 1024, 333} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			b, err := PNG(label, size)
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b)
			if img.Bounds() != image.Rect(0, 0, size, size) {
				t.Fatalf("image bounds %v, want %d px square", img.Bounds(), size)
			}
			if got, _ := scan(t, img); got != label {
				t.Fatalf("decoded %q, want %q", got, label)
			}
		})
	}
}

// TestPNGPixelsMatchBitmap checks the drawing exactly: a 2-colour image, whole-pixel modules
// of one size, the symbol centred and everything else white.
func TestPNGPixelsMatchBitmap(t *testing.T) {
	t.Parallel()
	bm, err := Bitmap(label)
	if err != nil {
		t.Fatal(err)
	}
	n := len(bm)
	for _, size := range []int{MinSize, 100, 256, 333, MaxSize} {
		b, err := PNG(label, size)
		if err != nil {
			t.Fatal(err)
		}
		img, ok := decodePNG(t, b).(*image.Paletted)
		if !ok || len(img.Palette) != 2 {
			t.Fatalf("size %d: want a 2-colour paletted PNG, got %T", size, img)
		}
		scale := size / n
		off := (size - n*scale) / 2
		for y := range size {
			for x := range size {
				mx, my := x-off, y-off
				want := mx >= 0 && my >= 0 && mx < n*scale && my < n*scale && bm[my/scale][mx/scale]
				r, _, _, _ := img.At(x, y).RGBA()
				if got := r == 0; got != want {
					t.Fatalf("size %d: pixel (%d,%d) dark=%v, want %v (module %d px, offset %d)", size, x, y, got, want, scale, off)
				}
			}
		}
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	if _, err := Bitmap(label, Level(9)); err == nil {
		t.Error("unknown level accepted")
	}
	def, _ := Bitmap(label)
	med, _ := Bitmap(label, Medium)
	if fmt.Sprint(def) != fmt.Sprint(med) {
		t.Error("the default level is not Medium")
	}
	last := 0
	for _, l := range []Level{Low, Medium, High, Highest} {
		v, err := Version(label, l)
		if err != nil {
			t.Fatal(err)
		}
		bm, _ := Bitmap(label, l)
		if len(bm) != 17+4*v+2*QuietZone {
			t.Errorf("level %v: version %d but %d modules a side", l, v, len(bm))
		}
		if v < last {
			t.Errorf("level %v: version %d, smaller than a lower level's %d", l, v, last)
		}
		last = v
		b, err := PNG(label, 256, l)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := scan(t, decodePNG(t, b)); got != label {
			t.Errorf("level %v: decoded %q", l, got)
		}
	}
}

// TestUpperCaseUsesAlphanumericMode checks the reason labels are upper case: the decoder
// reports byte-mode segments only for the lower-case URL, and the upper-case one never needs
// a larger version.
func TestUpperCaseUsesAlphanumericMode(t *testing.T) {
	t.Parallel()
	lower := strings.ToLower(label)
	for _, l := range []Level{Low, Medium, High, Highest} {
		up, _ := Version(label, l)
		low, _ := Version(lower, l)
		t.Logf("level %v: version %d upper case, %d lower case", l, up, low)
		if up > low {
			t.Errorf("level %v: upper case needs version %d, lower case %d", l, up, low)
		}
	}
	// At levels L and Q this URL's length is where the modes differ by a version.
	for _, l := range []Level{Low, High} {
		up, _ := Version(label, l)
		low, _ := Version(lower, l)
		if up >= low {
			t.Errorf("level %v: upper case version %d is not smaller than lower case %d", l, up, low)
		}
	}
	for content, wantBytes := range map[string]bool{label: false, lower: true} {
		bm, err := Bitmap(content)
		if err != nil {
			t.Fatal(err)
		}
		text, meta := scan(t, rasterise(bm, 4))
		if text != content {
			t.Fatalf("decoded %q, want %q", text, content)
		}
		if _, hasBytes := meta[gozxing.ResultMetadataType_BYTE_SEGMENTS]; hasBytes != wantBytes {
			t.Errorf("%q: byte-mode segments %v, want %v", content, hasBytes, wantBytes)
		}
	}
}

// svgDoc is the SVG's expected shape; unmarshalling also proves it is well-formed XML in the
// SVG namespace.
type svgDoc struct {
	XMLName        xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Rect           struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

var run = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// TestSVGMatchesBitmap parses the SVG's single path back into modules, compares them with
// Bitmap exactly, and decodes a rasterised copy, so the SVG is checked as a scanner sees it.
func TestSVGMatchesBitmap(t *testing.T) {
	t.Parallel()
	for _, l := range []Level{Medium, Highest} {
		svg, err := SVG(label, l)
		if err != nil {
			t.Fatal(err)
		}
		var doc svgDoc
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Fatalf("not SVG: %v\n%s", err, svg)
		}
		bm, _ := Bitmap(label, l)
		n := strconv.Itoa(len(bm))
		if doc.ViewBox != "0 0 "+n+" "+n || doc.ShapeRendering != "crispEdges" ||
			doc.Rect.Width != n || doc.Rect.Height != n || doc.Rect.Fill != "#fff" ||
			len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
			t.Fatalf("unexpected SVG header or elements: %+v", doc)
		}

		got := make([][]bool, len(bm))
		for i := range got {
			got[i] = make([]bool, len(bm))
		}
		d := doc.Paths[0].D
		for d != "" {
			m := run.FindStringSubmatch(d)
			if m == nil {
				t.Fatalf("path has something other than runs at %.40q", d)
			}
			d = d[len(m[0]):]
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			if m[3] != m[4] || x+w > len(bm) || y >= len(bm) {
				t.Fatalf("malformed run %q", m[0])
			}
			for i := x; i < x+w; i++ {
				if got[y][i] {
					t.Fatalf("module (%d,%d) drawn twice", i, y)
				}
				got[y][i] = true
			}
		}
		for y := range bm {
			for x := range bm[y] {
				if got[y][x] != bm[y][x] {
					t.Fatalf("level %v: SVG module (%d,%d) is %v, bitmap %v", l, x, y, got[y][x], bm[y][x])
				}
			}
		}
		if text, _ := scan(t, rasterise(got, 8)); text != label {
			t.Fatalf("SVG decodes to %q", text)
		}
		t.Logf("level %v: %d modules a side, SVG %d bytes", l, len(bm), len(svg))
	}
	var w bytes.Buffer
	if err := WriteSVG(&w, label); err != nil {
		t.Fatal(err)
	}
	if svg, _ := SVG(label); !bytes.Equal(w.Bytes(), svg) {
		t.Error("WriteSVG and SVG differ")
	}
}

func TestBitmapQuietZone(t *testing.T) {
	t.Parallel()
	bm, err := Bitmap(label)
	if err != nil {
		t.Fatal(err)
	}
	n := len(bm)
	for y := range n {
		for x := range n {
			inZone := x < QuietZone || y < QuietZone || x >= n-QuietZone || y >= n-QuietZone
			if inZone && bm[y][x] {
				t.Fatalf("dark module (%d,%d) in the quiet zone", x, y)
			}
		}
	}
	// The top-left finder pattern's corner starts right after the quiet zone.
	if !bm[QuietZone][QuietZone] {
		t.Error("no finder pattern at the quiet zone's edge")
	}
}

func TestSizeBounds(t *testing.T) {
	t.Parallel()
	for _, size := range []int{MinSize - 1, MaxSize + 1, 0, -256} {
		if _, err := PNG(label, size); !errors.Is(err, ErrSize) {
			t.Errorf("size %d: error %v, want ErrSize", size, err)
		}
		if err := WritePNG(io.Discard, label, size); !errors.Is(err, ErrSize) {
			t.Errorf("WritePNG size %d: error %v, want ErrSize", size, err)
		}
	}
	for _, size := range []int{MinSize, MaxSize} {
		b, err := PNG(label, size)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != size || cfg.Height != size {
			t.Errorf("size %d: PNG is %dx%d (%v)", size, cfg.Width, cfg.Height, err)
		}
	}
	// Content needing version 10 (57 modules plus the quiet zone) is more than MinSize
	// pixels can hold at one pixel per module.
	long := strings.Repeat("HTTP://LOCALHOST/V/", 14)
	if bm, _ := Bitmap(long); len(bm) <= MinSize {
		t.Fatalf("test content makes only %d modules a side", len(bm))
	}
	if _, err := PNG(long, MinSize); !errors.Is(err, ErrSize) {
		t.Errorf("long content at %d px: error %v, want ErrSize", MinSize, err)
	}
	if _, err := PNG(long, 512); err != nil {
		t.Errorf("long content at 512 px: %v", err)
	}
}

func TestBadContent(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{"empty": "", "too long": strings.Repeat("x", 3000)} {
		if _, err := PNG(content, 256); !errors.Is(err, ErrContent) {
			t.Errorf("%s: PNG error %v, want ErrContent", name, err)
		}
		if _, err := SVG(content); !errors.Is(err, ErrContent) {
			t.Errorf("%s: SVG error %v, want ErrContent", name, err)
		}
	}
}

// TestWritePNGToZip is the batch use: PNGs streamed into a zip archive, read back and scanned.
func TestWritePNGToZip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	contents := []string{label, "HTTP://LOCALHOST:8080/V/ZZZZZZZZZZZZZZZZZ", "HTTP://LOCALHOST:8080/V/00000000000000001"}
	for i, c := range contents {
		// PNG data is already compressed; storing it keeps the zip from deflating twice.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%d.png", i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if err := WritePNG(f, c, 256); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if got, _ := scan(t, decodePNG(t, b)); got != contents[i] {
			t.Errorf("%s: decoded %q, want %q", f.Name, got, contents[i])
		}
	}
}

// TestConcurrentSizes renders different sizes at once, so pooled canvases and encoder buffers
// are reshaped and shared across goroutines (run with -race).
func TestConcurrentSizes(t *testing.T) {
	t.Parallel()
	sizes := []int{64, 200, 256, 512, 97, 1024}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(sizes))
	for g := range 4 {
		for i, size := range sizes {
			wg.Go(func() {
				content := fmt.Sprintf("HTTP://LOCALHOST:8080/V/%017d", g*100+i)
				b, err := PNG(content, size)
				if err != nil {
					errs <- err
					return
				}
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					errs <- err
					return
				}
				bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
				res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
				if err != nil {
					errs <- fmt.Errorf("size %d: %w", size, err)
					return
				}
				if res.GetText() != content {
					errs <- fmt.Errorf("size %d: decoded %q, want %q", size, res.GetText(), content)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The straightforward route through image/png, kept as the reference the hand-written
// encoder is checked and timed against: a pooled 1-bit image.Paletted, drawn with the same
// geometry, and a png.Encoder with a pooled BufferPool.
type refBuffers struct{ pool sync.Pool }

func (b *refBuffers) Get() *png.EncoderBuffer {
	e, _ := b.pool.Get().(*png.EncoderBuffer)
	return e
}

func (b *refBuffers) Put(e *png.EncoderBuffer) { b.pool.Put(e) }

var (
	refEncoders = map[png.CompressionLevel]*png.Encoder{
		png.DefaultCompression: {CompressionLevel: png.DefaultCompression, BufferPool: &refBuffers{}},
		png.BestSpeed:          {CompressionLevel: png.BestSpeed, BufferPool: &refBuffers{}},
	}
	refCanvases = sync.Pool{New: func() any { return &image.Paletted{Palette: palette} }}
)

func refEncode(w io.Writer, bm [][]bool, size int, level png.CompressionLevel) error {
	n := len(bm)
	scale := size / n
	off := (size - n*scale) / 2
	img := refCanvases.Get().(*image.Paletted)
	defer refCanvases.Put(img)
	if cap(img.Pix) < size*size {
		img.Pix = make([]uint8, size*size)
	}
	img.Pix, img.Stride, img.Rect = img.Pix[:size*size], size, image.Rect(0, 0, size, size)
	clear(img.Pix)
	for y, row := range bm {
		top := (off + y*scale) * size
		line := img.Pix[top : top+size]
		for x, dark := range row {
			if dark {
				for i := off + x*scale; i < off+(x+1)*scale; i++ {
					line[i] = 1
				}
			}
		}
		for dy := 1; dy < scale; dy++ {
			copy(img.Pix[top+dy*size:top+(dy+1)*size], line)
		}
	}
	return refEncoders[level].Encode(w, img)
}

func refPNG(content string, size int) ([]byte, error) {
	bm, err := Bitmap(content)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = refEncode(&b, bm, size, png.BestSpeed)
	return b.Bytes(), err
}

// TestPNGMatchesImagePNG checks the hand-written encoder against image/png's: the same
// header and palette, and the same pixels once both are decoded.
func TestPNGMatchesImagePNG(t *testing.T) {
	t.Parallel()
	for _, size := range []int{MinSize, 99, 256, 1000, MaxSize} {
		ours, err := PNG(label, size)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := refPNG(label, size)
		if err != nil {
			t.Fatal(err)
		}
		// Signature and IHDR (33 bytes) then PLTE (18) are byte for byte the same.
		if !bytes.Equal(ours[:51], ref[:51]) {
			t.Errorf("size %d: header\n%x\nwant\n%x", size, ours[:51], ref[:51])
		}
		a := decodePNG(t, ours).(*image.Paletted)
		b := decodePNG(t, ref).(*image.Paletted)
		if !bytes.Equal(a.Pix, b.Pix) || a.Rect != b.Rect || fmt.Sprint(a.Palette) != fmt.Sprint(b.Palette) {
			t.Errorf("size %d: pixels differ from image/png's", size)
		}
		t.Logf("size %d: %d bytes (image/png: %d)", size, len(ours), len(ref))
	}
}

// benchContents cycles through distinct labels, as a batch does.
var benchContents = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = fmt.Sprintf("HTTP://LOCALHOST:8080/V/%017d", i*7919)
	}
	return s
}()

// BenchmarkPNG compares this package with go-qrcode's own Encode, the baseline, and with
// image/png's encoder over a pooled paletted image, at the same level and size.
func BenchmarkPNG(b *testing.B) {
	render := map[string]func(string, int) ([]byte, error){
		"ours": func(c string, size int) ([]byte, error) { return PNG(c, size) },
		"go-qrcode": func(c string, size int) ([]byte, error) {
			return qrcode.Encode(c, qrcode.Medium, size)
		},
		"image-png": refPNG,
	}
	for _, size := range []int{256, 512} {
		for _, name := range []string{"ours", "go-qrcode", "image-png"} {
			f := render[name]
			b.Run(fmt.Sprintf("%s/%d", name, size), func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := f(benchContents[i%len(benchContents)], size); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run(fmt.Sprintf("%s/%d/parallel", name, size), func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						if _, err := f(benchContents[i%len(benchContents)], size); err != nil {
							b.Error(err)
							return
						}
						i++
					}
				})
			})
		}
	}
}

// BenchmarkBitmap is go-qrcode's symbol construction alone, the floor under every format.
func BenchmarkBitmap(b *testing.B) {
	i := 0
	for b.Loop() {
		if _, err := Bitmap(benchContents[i%len(benchContents)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSVG(b *testing.B) {
	b.Run("single", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := SVG(benchContents[i%len(benchContents)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := SVG(benchContents[i%len(benchContents)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkEncode times PNG encoding of a ready symbol alone: ours pooled and unpooled,
// image/png's, each at zlib's default level and BestSpeed; png-bytes is the file size.
func BenchmarkEncode(b *testing.B) {
	bm, err := Bitmap(label)
	if err != nil {
		b.Fatal(err)
	}
	levels := []struct {
		name string
		zlib int
		png  png.CompressionLevel
	}{
		{"default", zlib.DefaultCompression, png.DefaultCompression},
		{"best-speed", zlib.BestSpeed, png.BestSpeed},
	}
	newEncoder := func(level int) *pngEncoder {
		e := new(pngEncoder)
		e.zw, _ = zlib.NewWriterLevel(&e.z, level)
		return e
	}
	for _, size := range []int{256, 512} {
		for _, l := range levels {
			b.Run(fmt.Sprintf("ours/%s/%d", l.name, size), func(b *testing.B) {
				e := newEncoder(l.zlib)
				for b.Loop() {
					if err := e.encode(bm, size); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(e.out)), "png-bytes")
			})
		}
		b.Run(fmt.Sprintf("ours-unpooled/best-speed/%d", size), func(b *testing.B) {
			for b.Loop() {
				if err := newEncoder(zlib.BestSpeed).encode(bm, size); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, l := range levels {
			b.Run(fmt.Sprintf("image-png/%s/%d", l.name, size), func(b *testing.B) {
				var out bytes.Buffer
				for b.Loop() {
					out.Reset()
					if err := refEncode(&out, bm, size, l.png); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(out.Len()), "png-bytes")
			})
		}
	}
}

// TestMatrixIsTheStandardSymbol checks Matrix against Bitmap: the same size at every level,
// and a symbol a decoder reads back. Where both encoders pick the same mask the modules are
// the same; the mask is the one free choice of the standard.
func TestMatrixIsTheStandardSymbol(t *testing.T) {
	same := 0
	contents := []string{label, "HTTPS://GI.BAIYIN.GOV.CN/V/ABCDEFGHJKLMNPQRS", "https://example.com/01/09506000134352/21/ABC?x=1", "12345678901234567890",
		"HTTP://H/V/123456789012X", "HTTP://H/V/1234567890123X", "HTTP://H/V/12345678901234567890123456789X", "HTTPS://ID.GS1.ORG/01/09506000134352/21/ABC"}
	for i := range 40 {
		contents = append(contents, fmt.Sprintf("HTTP://LOCALHOST:8080/V/%016dX", i*7919))
	}
	for _, c := range contents {
		for _, lv := range []Level{Low, Medium, High, Highest} {
			m, err := Matrix(c, lv)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Bitmap(c, lv)
			if len(m) != len(b) {
				t.Fatalf("%q at %s: %d modules a side, Bitmap %d", c, lv, len(m), len(b))
			}
			if fmt.Sprint(m) == fmt.Sprint(b) {
				same++
			}
			if got, _ := scan(t, rasterise(m, 4)); got != c {
				t.Fatalf("%q at %s decodes as %q", c, lv, got)
			}
		}
	}
	t.Logf("%d of %d symbols identical to Bitmap's", same, 4*len(contents))
	if _, err := Matrix(""); !errors.Is(err, ErrContent) {
		t.Errorf("empty content: %v", err)
	}
	if _, err := Matrix(strings.Repeat("x", 3000)); !errors.Is(err, ErrContent) {
		t.Errorf("too long: %v", err)
	}
}

// BenchmarkMatrix compares the two encoders on a label URL.
func BenchmarkMatrix(b *testing.B) {
	b.Run("Bitmap", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := Bitmap(label); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Matrix", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := Matrix(label); err != nil {
				b.Fatal(err)
			}
		}
	})
}
