package qr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
)

// Bounds of a PNG's side, in pixels. Below MinSize a typical label symbol (37 modules) gets
// one pixel per module at most; above MaxSize an image only costs time and memory.
const (
	MinSize = 64
	MaxSize = 2048
)

// ErrSize is returned for a PNG size outside MinSize..MaxSize, or too small to give every
// module of the symbol at least one pixel.
var ErrSize = fmt.Errorf("qr: PNG size must be %d to %d pixels and hold the symbol", MinSize, MaxSize)

// WritePNG writes content as a size×size PNG to w. Every module is the same whole number
// of pixels, with the symbol centred on white, so edges stay sharp for scanners; the level
// defaults to Medium. The image is 1-bit paletted (index 0 white, 1 black).
func WritePNG(w io.Writer, content string, size int, opts ...Option) error {
	e, err := encodePNG(content, size, opts)
	if err != nil {
		return err
	}
	defer pngEncoders.Put(e)
	_, err = w.Write(e.out)
	return err
}

// PNG returns content as a size×size PNG; see WritePNG.
func PNG(content string, size int, opts ...Option) ([]byte, error) {
	e, err := encodePNG(content, size, opts)
	if err != nil {
		return nil, err
	}
	defer pngEncoders.Put(e)
	return bytes.Clone(e.out), nil
}

// pngEncoder holds one encode's buffers. The PNG is written here rather than by image/png:
// for a 1-bit image the standard encoder fetches every pixel through an interface call
// (ColorIndexAt), which at 512 pixels takes several times as long as building the symbol,
// whereas here each module row is packed into bits once (see BenchmarkEncode).
type pngEncoder struct {
	raw []byte // the filtered scanlines: a filter byte, then size bits, per row
	z   bytes.Buffer
	zw  *zlib.Writer
	out []byte // the PNG file
}

// pngEncoders lets concurrent encodes reuse the zlib state and buffers instead of
// allocating them per image.
var pngEncoders = sync.Pool{New: func() any {
	e := new(pngEncoder)
	// BestSpeed: the default level saves a few hundred bytes on a file of about a
	// kilobyte but takes three times as long, and speed bounds a batch (BenchmarkEncode).
	e.zw, _ = zlib.NewWriterLevel(&e.z, zlib.BestSpeed)
	return e
}}

// The PNG signature, and the palette chunk for index 0 white, index 1 black, both constant.
var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	pngPalette   = chunk(nil, "PLTE", []byte{0xff, 0xff, 0xff, 0, 0, 0})
	pngEnd       = chunk(nil, "IEND", nil)
)

// chunk appends a PNG chunk: length, type, data and the CRC of type and data.
func chunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// encodePNG renders content with a pooled encoder; on success the caller puts the encoder
// back into pngEncoders once done with its out buffer.
func encodePNG(content string, size int, opts []Option) (*pngEncoder, error) {
	if size < MinSize || size > MaxSize {
		return nil, ErrSize
	}
	bm, err := Bitmap(content, opts...)
	if err != nil {
		return nil, err
	}
	e := pngEncoders.Get().(*pngEncoder)
	if err := e.encode(bm, size); err != nil {
		pngEncoders.Put(e)
		return nil, err
	}
	return e, nil
}

// encode writes bm as a complete size×size PNG file into e.out.
func (e *pngEncoder) encode(bm [][]bool, size int) error {
	n := len(bm)
	scale := size / n
	if scale < 1 {
		return fmt.Errorf("%w: %d pixels cannot hold %d modules", ErrSize, size, n)
	}
	off := (size - n*scale) / 2
	stride := 1 + (size+7)/8 // a filter byte, then pixels packed with the leftmost in the high bit

	if cap(e.raw) < size*stride {
		e.raw = make([]byte, size*stride)
	}
	raw := e.raw[:size*stride]
	clear(raw) // all white, every row with filter 0 ("none")
	for y, row := range bm {
		top := (off + y*scale) * stride
		line := raw[top+1 : top+stride]
		for x, dark := range row {
			if dark {
				for p := off + x*scale; p < off+(x+1)*scale; p++ {
					line[p>>3] |= 0x80 >> (p & 7)
				}
			}
		}
		// The module row's other pixel rows repeat this one, so they use filter "up"
		// (each byte minus the byte above): a filter byte 2 and zeros, already in place.
		for dy := 1; dy < scale; dy++ {
			raw[top+dy*stride] = 2
		}
	}

	e.z.Reset()
	e.zw.Reset(&e.z)
	if _, err := e.zw.Write(raw); err != nil {
		return err
	}
	if err := e.zw.Close(); err != nil {
		return err
	}

	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8] = 1 // bit depth
	ihdr[9] = 3 // colour type: paletted; compression, filter and interlace stay 0
	b := append(e.out[:0], pngSignature...)
	b = chunk(b, "IHDR", ihdr[:])
	b = append(b, pngPalette...)
	b = chunk(b, "IDAT", e.z.Bytes())
	e.out = append(b, pngEnd...)
	return nil
}
