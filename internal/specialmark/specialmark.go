// Package specialmark keeps the official artwork of the GI special mark (地理标志专用标志),
// which CNIPA distributes to authorized users and gimark must not imitate: an admin uploads
// it once, as SVG or PNG, with the slot where each user's unified social credit code goes.
//
// Uploads are refused rather than sanitized: an SVG with a script, an event handler, a
// foreign object, a DOCTYPE or entity, or any reference outside the file (href, url(),
// @import) is answered 422 and nothing is kept, so what prints is exactly what was checked.
// A PNG is refused when its header claims more than MaxSide pixels a side or MaxPixels in
// all (a decompression bomb is a small file claiming huge dimensions), before any pixel is
// decoded. Accepted files are stored like documents (internal/filestore).
package specialmark

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"math"
	"sync"

	"github.com/go-pdf/fpdf"

	"gimark/internal/filestore"
	"gimark/internal/sheet"
	"gimark/model"
)

// Limits of an upload.
const (
	MaxBytes  = 2 << 20
	MaxSide   = 4096
	MaxPixels = 4096 * 4096
)

// Store is the storage the artwork needs.
type Store interface {
	CreateSpecialMark(ctx context.Context, m *model.SpecialMark) error
	CurrentSpecialMark(ctx context.Context) (*model.SpecialMark, error)
	DocumentHashInUse(ctx context.Context, sum string) (bool, error)
}

// Service keeps the artwork.
type Service struct {
	store Store
	files *filestore.Store

	mu    sync.Mutex
	cache *cached // the current artwork, ready to print
}

type cached struct {
	sum string
	art *sheet.Artwork
}

// New wires a Service.
func New(store Store, files *filestore.Store) *Service {
	return &Service{store: store, files: files}
}

// Slot is where the code goes, as fractions of the artwork's width and height from its
// top-left corner.
type Slot struct{ X, Y, W, H float64 }

func (s Slot) check() error {
	var fe model.Fields
	for _, f := range []struct {
		name string
		v    float64
	}{{"slot_x", s.X}, {"slot_y", s.Y}, {"slot_w", s.W}, {"slot_h", s.H}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			fe.Add(f.name, model.FieldFraction, "must be a fraction from 0 to 1")
		}
	}
	if len(fe) == 0 {
		if s.W == 0 || s.H == 0 {
			fe.Add("slot_w", model.FieldSlotEmpty, "the slot must have a width and a height")
		}
		if s.X+s.W > 1+1e-9 || s.Y+s.H > 1+1e-9 {
			fe.Add("slot_x", model.FieldSlotOutside, "the slot must lie inside the artwork (x + w ≤ 1, y + h ≤ 1)")
		}
	}
	return fe.Err()
}

// Put checks and stores a new artwork (admins only); it is used from then on.
func (s *Service) Put(ctx context.Context, p model.Principal, body io.Reader, slot Slot) (*model.SpecialMark, error) {
	if p.Role != model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "only an admin uploads the special mark")
	}
	if err := slot.check(); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(body, MaxBytes+1))
	if err != nil {
		return nil, err // the request body's own limit: the HTTP edge says 413
	}
	if len(data) > MaxBytes {
		return nil, &model.Error{Kind: model.KindTooLarge, Code: "file_too_large", Msg: fmt.Sprintf("the artwork must be at most %d bytes", MaxBytes)}
	}
	if len(data) == 0 {
		return nil, model.Fields{{Field: "file", Code: model.FieldEmptyFile, Message: "is empty"}}.Err()
	}
	ct, w, h, err := inspect(data)
	if err != nil {
		return nil, err
	}
	st, err := s.files.PutTyped(bytes.NewReader(data), MaxBytes, ct)
	if err != nil {
		return nil, err
	}
	m := &model.SpecialMark{SHA256: st.SHA256, ContentType: ct, Size: st.Size, Width: w, Height: h,
		SlotX: slot.X, SlotY: slot.Y, SlotW: slot.W, SlotH: slot.H, UploadedBy: p.UserID}
	if err := s.store.CreateSpecialMark(ctx, m); err != nil {
		inUse, _ := s.store.DocumentHashInUse(context.WithoutCancel(ctx), st.SHA256)
		s.files.Discard(st, inUse)
		return nil, err
	}
	return m, nil
}

// Current is the artwork in use (not found before the first upload).
func (s *Service) Current(ctx context.Context) (*model.SpecialMark, error) {
	return s.store.CurrentSpecialMark(ctx)
}

// Artwork is the current artwork ready for a label sheet, or nil before the first upload
// (labels then show a plain frame). An SVG is drawn to a PNG once and kept.
func (s *Service) Artwork(ctx context.Context) (*sheet.Artwork, error) {
	m, err := s.store.CurrentSpecialMark(ctx)
	if model.IsKind(err, model.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c := s.cache
	s.mu.Unlock()
	if c != nil && c.sum == m.SHA256 {
		return withSlot(c.art, m), nil
	}
	f, err := s.files.Open(m.SHA256)
	if err != nil {
		return nil, fmt.Errorf("special mark file %s: %w", m.SHA256, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	f.Close()
	if err != nil {
		return nil, err
	}
	art := &sheet.Artwork{PNG: data, Width: m.Width, Height: m.Height}
	if m.ContentType == ContentTypeSVG {
		if art.PNG, art.Width, art.Height, err = rasterize(data); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.cache = &cached{sum: m.SHA256, art: art}
	s.mu.Unlock()
	return withSlot(art, m), nil
}

func withSlot(a *sheet.Artwork, m *model.SpecialMark) *sheet.Artwork {
	c := *a
	c.SlotX, c.SlotY, c.SlotW, c.SlotH = m.SlotX, m.SlotY, m.SlotW, m.SlotH
	return &c
}

// ContentTypeSVG is how an SVG artwork is stored.
const ContentTypeSVG = "image/svg+xml"

func refused(code model.Code, msg string) error {
	return &model.Error{Kind: model.KindInvalid, Code: code, Msg: msg, Fields: []model.FieldError{{Field: "file", Code: code, Message: msg}}}
}

// inspect decides the type from the content and checks it; it returns the type and size.
func inspect(data []byte) (string, int, int, error) {
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		w, h, err := checkPNG(data)
		return "image/png", w, h, err
	}
	if looksLikeSVG(data) {
		if err := checkSVG(data); err != nil {
			return "", 0, 0, err
		}
		_, w, h, err := rasterize(data)
		return ContentTypeSVG, w, h, err
	}
	return "", 0, 0, &model.Error{Kind: model.KindUnsupported, Code: "unsupported_type", Msg: "the artwork must be an SVG or PNG file"}
}

// checkPNG reads the header's dimensions before any pixel, then has fpdf (which will place
// the image) parse it, so an accepted PNG always prints.
func checkPNG(data []byte) (int, int, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, refused("invalid_image", "the PNG cannot be read: "+err.Error())
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return 0, 0, refused("image_too_large", fmt.Sprintf("the PNG is %d×%d pixels; at most %d a side and %d in all",
			cfg.Width, cfg.Height, MaxSide, MaxPixels))
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return 0, 0, refused("invalid_image", "the PNG cannot be read: "+err.Error())
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.RegisterImageOptionsReader("a", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
	if err := pdf.Error(); err != nil {
		return 0, 0, refused("invalid_image", "this PNG cannot be printed (use 8-bit, non-interlaced): "+err.Error())
	}
	return cfg.Width, cfg.Height, nil
}
