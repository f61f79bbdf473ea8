// Package label issues label batches for approved filings and produces what a printer needs:
// the codes as CSV, a QR image per label (PNG or SVG), and a ZIP of a batch's images. Large
// batches stream from the database in chunks; nothing holds a whole batch in memory.
package label

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	"gimark/internal/gs1"
	"gimark/internal/labelcode"
	"gimark/internal/qr"
	"gimark/model"
)

// Store is the storage labels need.
type Store interface {
	FilingByID(ctx context.Context, id int64) (*model.Filing, error)
	CreateLabelBatch(ctx context.Context, b *model.LabelBatch, check func(f *model.Filing, issuedThisYear int64) error, newCodes func(n int) ([]string, error)) error
	LabelBatchByID(ctx context.Context, id int64) (*model.LabelBatch, error)
	ListLabelBatches(ctx context.Context, filingID, enterpriseID int64, page model.Page) ([]model.LabelBatch, int64, error)
	StreamLabels(ctx context.Context, batchID int64, fn func(serial int, code string) error) error
	LabelByCode(ctx context.Context, code string) (*model.Label, error)
	VoidLabelBatch(ctx context.Context, id int64, reason string, actorID int64) (*model.LabelBatch, error)
	VoidLabel(ctx context.Context, labelID int64, reason string, actorID int64) (*model.Label, error)
	TradeItemOfFiling(ctx context.Context, filingID int64, gtin14 string) (*model.TradeItem, error)
	ActiveLabelsOfFiling(ctx context.Context, filingID int64) ([]model.BatchCount, error)
	// Printing (print.go).
	LabelFacts(ctx context.Context, filingID int64) (*model.LabelFacts, error)
	StreamLabelRange(ctx context.Context, b *model.LabelBatch, from, to int, fn func(serial int, code, status string) error) error
	RecordPrint(ctx context.Context, r *model.PrintRecord) error
	ListPrints(ctx context.Context, f model.PrintFilter, page model.Page) ([]model.PrintRecord, int64, error)
}

// Service is label issuing and printing.
type Service struct {
	store    Store
	baseURL  atomic.Pointer[string] // GIMARK_PUBLIC_BASE_URL, recorded on each new batch
	pngs     *lru.Cache[string, []byte]
	issued   func(n int)
	newCodes func(n int) ([]string, error)
	// OnBatchChange runs after a batch changes state (voided): verification's cached batch
	// facts drop it, on every instance when they share a Redis.
	OnBatchChange func(batchID int64)
	marks         ArtworkSource // the special mark's artwork for label PDFs (nil: the plain frame)
	tempDir       string        // print files while they are built and sent ("": the system's)
	// pdfSlots bounds the label PDFs built at once: fpdf holds a whole document in memory
	// (about 100 MiB for 10,000 labels at its peak, bench/labelpdf).
	pdfSlots chan struct{}
}

// Options are a Service's optional collaborators; the zero value is the server's.
type Options struct {
	// Issued, if not nil, is told of every batch of n labels issued (metrics).
	Issued func(n int)
	// NewCodes makes n fresh label codes; nil means labelcode.NewBatch. Tests replace it to
	// force a collision or a failure half-way through a batch.
	NewCodes func(n int) ([]string, error)
	// Marks gives the special mark's artwork to label PDFs (nil: the plain frame).
	Marks ArtworkSource
	// TempDir holds print files while they are built, hashed, recorded and sent.
	TempDir string
}

// New wires a Service; baseURL is GIMARK_PUBLIC_BASE_URL.
func New(store Store, baseURL string, o Options) *Service {
	cache, _ := lru.New[string, []byte](2048)
	if o.NewCodes == nil {
		o.NewCodes = labelcode.NewBatch
	}
	s := &Service{store: store, pngs: cache, issued: o.Issued, newCodes: o.NewCodes,
		marks: o.Marks, tempDir: o.TempDir, pdfSlots: make(chan struct{}, 2)}
	s.SetBaseURL(baseURL)
	return s
}

// SetBaseURL changes the configured public base URL (as a restart with another
// GIMARK_PUBLIC_BASE_URL does): batches ordered from now on record it; batches ordered
// before keep the URL they recorded.
func (s *Service) SetBaseURL(baseURL string) {
	b := strings.TrimRight(baseURL, "/")
	s.baseURL.Store(&b)
}

// URLPrefix returns what precedes a code in the URL of a label without a GTIN: scheme and
// host upper-cased and the path /V/, so the QR encoder can use alphanumeric mode (see
// model.LabelBatch.LabelURLPrefix, which decides every label's URL).
func URLPrefix(baseURL string) string {
	var b model.LabelBatch
	return b.LabelURLPrefix(baseURL)
}

// URL is the address printed in the QR code of a label without a GTIN in a batch ordered now.
func (s *Service) URL(code string) string { return URLPrefix(s.BaseURL()) + code }

// BaseURL is the configured public base URL: what a batch ordered now records, and what a
// batch ordered before batches recorded theirs is printed under.
func (s *Service) BaseURL() string { return *s.baseURL.Load() }

// batchPrefix is what precedes a code in the URLs of a batch's labels: under the base URL
// the batch recorded, or the configured one for a batch that recorded none.
func (s *Service) batchPrefix(b *model.LabelBatch) string { return b.LabelURLPrefix(s.BaseURL()) }

// labelURL is the URL printed in one label's QR code, from its batch.
func (s *Service) labelURL(ctx context.Context, l *model.Label) (string, error) {
	b, err := s.store.LabelBatchByID(ctx, l.BatchID)
	if err != nil {
		return "", err
	}
	return b.LabelURL(s.BaseURL(), l.Code), nil
}

// visible loads a batch and its filing if the caller may see it: staff see all, an
// enterprise its own; anyone else's batch is 404.
func (s *Service) visible(ctx context.Context, p model.Principal, batchID int64) (*model.LabelBatch, *model.Filing, error) {
	b, err := s.store.LabelBatchByID(ctx, batchID)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.store.FilingByID(ctx, b.FilingID)
	if err != nil {
		return nil, nil, err
	}
	if !p.IsStaff() && !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, nil, model.NotFound("label batch")
	}
	return b, f, nil
}

// Order issues a batch of quantity labels for the caller's approved filing, within the yearly
// quota when the reviewer set one. Both rules are checked with the filing row locked, so two
// concurrent orders cannot overrun the quota together.
func (s *Service) Order(ctx context.Context, p model.Principal, filingID int64, quantity int) (*model.LabelBatch, error) {
	return s.OrderItem(ctx, p, filingID, quantity, "", "")
}

// OrderItem is Order for a batch that may name one of the filing's GTINs (any of GTIN-8, 12,
// 13 or 14; stored as GTIN-14) and a lot (GS1 AI 10: 1 to 20 characters of set 82). Its
// labels then carry GS1 Digital Link URIs. A lot needs a GTIN.
func (s *Service) OrderItem(ctx context.Context, p model.Principal, filingID int64, quantity int, gtin, lot string) (*model.LabelBatch, error) {
	f, err := s.store.FilingByID(ctx, filingID)
	if err != nil {
		return nil, err
	}
	if !p.OwnsEnterprise(f.EnterpriseID) {
		if p.IsStaff() {
			return nil, model.Errorf(model.KindForbidden, "only the filing enterprise may order labels")
		}
		return nil, model.NotFound("filing")
	}
	if quantity < 1 || quantity > model.MaxBatchQuantity {
		return nil, model.Invalid("quantity", model.FieldRange, "must be from %d to %d", 1, model.MaxBatchQuantity)
	}
	var fe model.Fields
	if gtin != "" {
		g, err := gs1.NormalizeGTIN(gtin)
		if err != nil {
			fe.Add("gtin", model.FieldGTIN, "%s", err.Error())
		} else {
			gtin = g
		}
	}
	if lot != "" {
		switch {
		case gtin == "":
			fe.Add("lot", model.FieldLotNeedsGTIN, "a lot needs a gtin")
		case !gs1.ValidCSET82(lot, gs1.MaxLot):
			fe.Add("lot", model.FieldLot, "must be 1 to 20 characters of GS1 character set 82 (letters, digits and !\"%%&'()*+,-./:;<=>?_)")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if gtin != "" {
		if _, err := s.store.TradeItemOfFiling(ctx, filingID, gtin); err != nil {
			if model.IsKind(err, model.KindNotFound) {
				return nil, model.Invalid("gtin", model.FieldUnknownGTIN, "is not a GTIN recorded under this filing")
			}
			return nil, err
		}
	}
	base := s.BaseURL()
	b := &model.LabelBatch{FilingID: filingID, Quantity: quantity, CreatedBy: p.UserID, GTIN: gtin, Lot: lot, PublicBaseURL: &base}
	check := func(f *model.Filing, issued int64) error {
		if f.Status != model.StatusApproved {
			return &model.Error{Kind: model.KindConflict, Code: "filing_not_approved",
				Msg: "labels can be ordered only for an approved filing; this one is " + string(f.Status), Args: []any{f.Status}}
		}
		if f.LabelQuota != nil && issued+int64(quantity) > *f.LabelQuota {
			return &model.Error{Kind: model.KindConflict, Code: "quota_exceeded",
				Msg: fmt.Sprintf("the yearly label quota is %d; %d were issued this year", *f.LabelQuota, issued), Args: []any{*f.LabelQuota, issued}}
		}
		return nil
	}
	if err := s.store.CreateLabelBatch(ctx, b, check, s.newCodes); err != nil {
		return nil, err
	}
	if s.issued != nil {
		s.issued(quantity)
	}
	return b, nil
}

// ActiveLabels returns the active batches of a filing the caller may see (staff, or its
// owner; anyone else 404) with their active labels: what a confirmation page states before
// a filing is suspended, revoked or cancelled, or a batch voided.
func (s *Service) ActiveLabels(ctx context.Context, p model.Principal, filingID int64) (*model.Filing, []model.BatchCount, error) {
	f, err := s.store.FilingByID(ctx, filingID)
	if err != nil {
		return nil, nil, err
	}
	if !p.IsStaff() && !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, nil, model.NotFound("filing")
	}
	counts, err := s.store.ActiveLabelsOfFiling(ctx, filingID)
	return f, counts, err
}

// Get returns a batch the caller may see.
func (s *Service) Get(ctx context.Context, p model.Principal, id int64) (*model.LabelBatch, error) {
	b, _, err := s.visible(ctx, p, id)
	return b, err
}

// List returns batches, of one filing or all the caller may see.
func (s *Service) List(ctx context.Context, p model.Principal, filingID int64, page model.Page) ([]model.LabelBatch, int64, error) {
	var enterpriseID int64
	if !p.IsStaff() {
		enterpriseID = p.EnterpriseID
	}
	return s.store.ListLabelBatches(ctx, filingID, enterpriseID, page.Normalize())
}

// printable loads a batch for printing files: only the owner prints.
func (s *Service) printable(ctx context.Context, p model.Principal, id int64) (*model.LabelBatch, error) {
	b, f, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, model.Errorf(model.KindForbidden, "only the filing enterprise downloads print files")
	}
	return b, nil
}

// CheckPrintable reports whether the caller may download a batch's print files, before a
// streamed answer commits to a status.
func (s *Service) CheckPrintable(ctx context.Context, p model.Principal, id int64) (*model.LabelBatch, error) {
	return s.printable(ctx, p, id)
}

// WriteCSV streams serial,code,url for every label of a batch.
func (s *Service) WriteCSV(ctx context.Context, batchID int64, w io.Writer) error {
	b, err := s.store.LabelBatchByID(ctx, batchID)
	if err != nil {
		return err
	}
	prefix := s.batchPrefix(b)
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"serial", "code", "url"}); err != nil {
		return err
	}
	rec := make([]string, 3)
	err = s.store.StreamLabels(ctx, batchID, func(serial int, code string) error {
		rec[0], rec[1], rec[2] = strconv.Itoa(serial), code, prefix+code
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteZip streams one PNG per label into a ZIP, rendering chunks on every core while the
// previous chunk is written, in serial order.
func (s *Service) WriteZip(ctx context.Context, batchID int64, size int, w io.Writer) error {
	if size < qr.MinSize || size > qr.MaxSize {
		return model.Invalid("size", model.FieldLabelSize, "must be from %d to %d pixels", qr.MinSize, qr.MaxSize)
	}
	b, err := s.store.LabelBatchByID(ctx, batchID)
	if err != nil {
		return err
	}
	prefix := s.batchPrefix(b)
	// Entries carry the batch's creation time (not the zero DOS date, shown as 1980).
	modified := b.CreatedAt.UTC()
	zw := zip.NewWriter(w)
	const chunk = 512
	type item struct {
		serial int
		code   string
		png    []byte
		err    error
	}
	workers := runtime.GOMAXPROCS(0)
	render := func(items []item) {
		var wg sync.WaitGroup
		next := make(chan int, len(items))
		for i := range items {
			next <- i
		}
		close(next)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					items[i].png, items[i].err = qr.PNG(prefix+items[i].code, size)
				}
			}()
		}
		wg.Wait()
	}
	write := func(items []item) error {
		for _, it := range items {
			if it.err != nil {
				return it.err
			}
			// PNG is already compressed: store it as is.
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%07d-%s.png", it.serial, it.code), Method: zip.Store, Modified: modified})
			if err != nil {
				return err
			}
			if _, err := fw.Write(it.png); err != nil {
				return err
			}
		}
		return nil
	}
	// Two chunks in flight: one rendering, one being written.
	var pending []item
	var done chan error
	flush := func(items []item) error {
		render(items) // meanwhile the previous chunk is still being written
		if done != nil {
			if err := <-done; err != nil {
				return err
			}
		}
		done = make(chan error, 1)
		go func() { done <- write(items) }()
		return nil
	}
	err = s.store.StreamLabels(ctx, batchID, func(serial int, code string) error {
		pending = append(pending, item{serial: serial, code: code})
		if len(pending) == chunk {
			items := pending
			pending = make([]item, 0, chunk)
			return flush(items)
		}
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = flush(pending)
	}
	if done != nil {
		if werr := <-done; err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	return zw.Close()
}

// labelFor loads a label by code if the caller may see it.
func (s *Service) labelFor(ctx context.Context, p model.Principal, raw string) (*model.Label, error) {
	code, err := labelcode.Parse(raw)
	if err != nil {
		return nil, model.NotFound("label")
	}
	l, err := s.store.LabelByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() {
		f, err := s.store.FilingByID(ctx, l.FilingID)
		if err != nil {
			return nil, err
		}
		if !p.OwnsEnterprise(f.EnterpriseID) {
			return nil, model.NotFound("label")
		}
	}
	return l, nil
}

// Owns reports whether the label with code raw belongs to the caller's enterprise.
func (s *Service) Owns(ctx context.Context, p model.Principal, raw string) bool {
	if p.Role != model.RoleEnterprise {
		return false
	}
	_, err := s.labelFor(ctx, p, raw)
	return err == nil
}

// PNG returns a label's QR code as a size×size PNG. Images asked for repeatedly are cached:
// drawing the symbol is the expensive part.
func (s *Service) PNG(ctx context.Context, p model.Principal, code string, size int) ([]byte, error) {
	if size < qr.MinSize || size > qr.MaxSize {
		return nil, model.Invalid("size", model.FieldLabelSize, "must be from %d to %d pixels", qr.MinSize, qr.MaxSize)
	}
	l, err := s.labelFor(ctx, p, code)
	if err != nil {
		return nil, err
	}
	u, err := s.labelURL(ctx, l)
	if err != nil {
		return nil, err
	}
	key := u + "/" + strconv.Itoa(size)
	if b, ok := s.pngs.Get(key); ok {
		return b, nil
	}
	b, err := qr.PNG(u, size)
	if err != nil {
		return nil, err
	}
	s.pngs.Add(key, b)
	return b, nil
}

// SVG returns a label's QR code as SVG, 256 pixels wide.
func (s *Service) SVG(ctx context.Context, p model.Principal, code string) ([]byte, error) {
	return s.SVGSized(ctx, p, code, 256, 0)
}

// Smallest and largest physical QR sizes, in millimetres, a label's SVG may ask for.
const (
	MinSVGMillimetres = 5
	MaxSVGMillimetres = 500
)

// SVGSized returns a label's QR code as SVG of px pixels a side, or of mm millimetres when
// mm > 0 (for print layouts that place it at its physical size).
func (s *Service) SVGSized(ctx context.Context, p model.Principal, code string, px int, mm float64) ([]byte, error) {
	var fe model.Fields
	if px < qr.MinSize || px > qr.MaxSize {
		fe.Add("size", model.FieldLabelSize, "must be from %d to %d pixels", qr.MinSize, qr.MaxSize)
	}
	if mm != 0 && (mm < MinSVGMillimetres || mm > MaxSVGMillimetres) {
		fe.Add("mm", model.FieldMillimetres, "must be from %d to %d millimetres", MinSVGMillimetres, MaxSVGMillimetres)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	l, err := s.labelFor(ctx, p, code)
	if err != nil {
		return nil, err
	}
	u, err := s.labelURL(ctx, l)
	if err != nil {
		return nil, err
	}
	return qr.SVG(u, qr.Pixels(px), qr.Millimetres(mm))
}

func requireReason(reason string) (string, error) {
	var f model.Fields
	r := model.RequireText(&f, "reason", reason, 1000)
	return r, f.Err()
}

// VoidBatch voids a whole batch (owner or reviewer): its labels then verify with a warning.
func (s *Service) VoidBatch(ctx context.Context, p model.Principal, id int64, reason string) (*model.LabelBatch, error) {
	b, _, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if p.Role == model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "labels are voided by their owner or a reviewer")
	}
	if reason, err = requireReason(reason); err != nil {
		return nil, err
	}
	vb, err := s.store.VoidLabelBatch(ctx, b.ID, reason, p.UserID)
	if err == nil && s.OnBatchChange != nil {
		s.OnBatchChange(vb.ID)
	}
	return vb, err
}

// VoidLabel voids one label (owner or reviewer).
func (s *Service) VoidLabel(ctx context.Context, p model.Principal, code, reason string) (*model.Label, error) {
	l, err := s.labelFor(ctx, p, code)
	if err != nil {
		return nil, err
	}
	if p.Role == model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "labels are voided by their owner or a reviewer")
	}
	if reason, err = requireReason(reason); err != nil {
		return nil, err
	}
	return s.store.VoidLabel(ctx, l.ID, reason, p.UserID)
}
