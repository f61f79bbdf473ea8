package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"regexp"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

const url = "HTTP://LOCALHOST:8080/V/0123456789ABCDEFG"

func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

func TestPNGDecodesBack(t *testing.T) {
	for _, size := range []int{64, 256, 1024} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			b, err := PNG(url, size)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != size || img.Bounds().Dy() != size {
				t.Fatalf("image is %v, want %d px square", img.Bounds(), size)
			}
			if got := decode(t, img); got != url {
				t.Fatalf("decoded %q, want %q", got, url)
			}
		})
	}
}

// TestSVGMatchesBitmap rasterises the SVG's own path and decodes it, so the SVG is checked
// as a scanner would see it, not only as text.
func TestSVGMatchesBitmap(t *testing.T) {
	svg, err := SVG(url)
	if err != nil {
		t.Fatal(err)
	}
	bm, _ := Bitmap(url)
	n := len(bm)
	got := make([][]bool, n)
	for i := range got {
		got[i] = make([]bool, n)
	}
	runs := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatalf("no runs in %s", svg)
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(string(r[1]))
		y, _ := strconv.Atoi(string(r[2]))
		w, _ := strconv.Atoi(string(r[3]))
		for i := x; i < x+w; i++ {
			got[y][i] = true
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(bm) {
		t.Fatal("the SVG's modules differ from the bitmap")
	}
	if !bytes.Contains(svg, []byte(`viewBox="0 0 `+strconv.Itoa(n)+" "+strconv.Itoa(n)+`"`)) || !bytes.Contains(svg, []byte(`crispEdges`)) {
		t.Fatalf("svg header: %s", svg[:200])
	}
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y := range got {
		for x := range got[y] {
			if got[y][x] {
				draw.Draw(img, image.Rect(x*scale, y*scale, (x+1)*scale, (y+1)*scale), image.Black, image.Point{}, draw.Src)
			}
		}
	}
	if text := decode(t, img); text != url {
		t.Fatalf("SVG decodes to %q", text)
	}
}

func TestSizeBounds(t *testing.T) {
	for _, size := range []int{0, 63, 2049, -5} {
		if _, err := PNG(url, size); !errors.Is(err, ErrSize) {
			t.Errorf("size %d: %v, want ErrSize", size, err)
		}
	}
	if _, err := PNG("", 128); err == nil {
		t.Error("empty content accepted")
	}
}

// TestUpperCaseKeepsTheSymbolSmall: an upper-case URL is encoded in QR alphanumeric mode,
// which is why labels print "HTTP://HOST/V/CODE".
func TestUpperCaseKeepsTheSymbolSmall(t *testing.T) {
	upper, _ := Version("HTTPS://GIMARK.BAIYIN.GOV.CN/V/0123456789ABCDEFG")
	lower, _ := Version("https://gimark.baiyin.gov.cn/v/0123456789ABCDEFG")
	if upper >= lower {
		t.Fatalf("upper-case version %d, lower-case %d: alphanumeric mode not used", upper, lower)
	}
	t.Logf("QR version: upper-case URL %d, lower-case %d", upper, lower)
}

func BenchmarkPNG(b *testing.B) {
	for _, size := range []int{256, 512} {
		b.Run(fmt.Sprintf("ours/%d", size), func(b *testing.B) {
			for b.Loop() {
				if _, err := PNG(url, size); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("go-qrcode/%d", size), func(b *testing.B) {
			for b.Loop() {
				if _, err := qrcode.Encode(url, Level, size); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("ours/256/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := PNG(url, 256); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkSVG(b *testing.B) {
	for b.Loop() {
		if _, err := SVG(url); err != nil {
			b.Fatal(err)
		}
	}
}
