package label

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"gimark/internal/sheet"
	"gimark/model"
)

// Printing: every download of a batch's print files (labels.pdf, labels.zip, codes.csv) is
// built whole into a temporary file while its SHA-256 is computed, recorded in the print log,
// and only then sent. The record and the file therefore always agree: a file leaves the
// server only after its record is committed, a build that fails records nothing and is
// answered with a problem document instead of a truncated 200, and the hash is of exactly
// the bytes sent. Memory stays flat whatever the batch size (the file is on disk); the cost
// is the disk space while the file is sent, and the first byte waits for the build.

// ArtworkSource gives the special mark's artwork for printing (nil before one is uploaded).
type ArtworkSource interface {
	Artwork(ctx context.Context) (*sheet.Artwork, error)
}

// PrintFile is a built print file, recorded, ready to send. Close removes it.
type PrintFile struct {
	*os.File
	Name        string // for Content-Disposition
	ContentType string
	Record      *model.PrintRecord
}

// Close closes and removes the temporary file.
func (f *PrintFile) Close() error {
	err := f.File.Close()
	os.Remove(f.File.Name())
	return err
}

// PDFRequest asks for labels.pdf.
type PDFRequest struct {
	Template string // a sheet.Templates name; "" is sheet.DefaultTemplate
	From, To int    // serials; 0 means the start or the end of the batch
	CutMarks bool
}

// printer loads a batch for print files: the owner always; a reviewer too when reviewers
// may (labels.pdf); anyone else's batch is 404.
func (s *Service) printer(ctx context.Context, p model.Principal, id int64, reviewers bool) (*model.LabelBatch, *model.Filing, error) {
	b, f, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if !p.OwnsEnterprise(f.EnterpriseID) && !(reviewers && p.Role == model.RoleReviewer) {
		return nil, nil, model.Errorf(model.KindForbidden, "print files are for the filing enterprise and the reviewers")
	}
	return b, f, nil
}

// PrintPDF builds labels.pdf for serials From..To of a batch on a template: at most
// model.MaxPrintLabels labels, the whole batch when the range is not given and it fits.
func (s *Service) PrintPDF(ctx context.Context, p model.Principal, id int64, req PDFRequest) (*PrintFile, error) {
	sh, err := s.sheetRequest(ctx, p, id, req)
	if err != nil {
		return nil, err
	}
	b, f, tpl, from, to, art := sh.batch, sh.filing, sh.tpl, sh.from, sh.to, sh.art
	labels := make([]sheet.Label, 0, to-from+1)
	prefix := s.batchPrefix(b) // the verification page, or a GS1 Digital Link URI for a batch with a GTIN
	err = s.store.StreamLabelRange(ctx, b, from, to, func(serial int, code, status string) error {
		labels = append(labels, sheet.Label{Serial: serial, Code: code, URL: prefix + code, Voided: status != model.LabelActive})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sf := sh.facts
	rec := &model.PrintRecord{Format: model.PrintPDF, Template: tpl.Name, FromSerial: from, ToSerial: to, Labels: len(labels)}
	name := fmt.Sprintf("batch-%d-labels-%d-%d-%s.pdf", b.ID, from, to, tpl.Name)
	select {
	case s.pdfSlots <- struct{}{}:
		defer func() { <-s.pdfSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.build(ctx, p, b, f, rec, name, "application/pdf", func(w io.Writer) error {
		err := sheet.Write(w, tpl, sf, art, labels, sheet.Options{CutMarks: req.CutMarks})
		if err != nil && errorsIsModule(err) {
			return model.Fields{{Field: "template", Code: model.FieldTemplateTooSmall, Message: "the label URL needs a QR code too large for this template at 0.33 mm a module; choose a larger one"}}.Err()
		}
		return err
	})
}

// sheetInputs is what labels.pdf and its preview both read before drawing.
type sheetInputs struct {
	batch    *model.LabelBatch
	filing   *model.Filing
	tpl      sheet.Template
	from, to int
	facts    sheet.Facts
	art      *sheet.Artwork
}

// sheetRequest checks access, the template and the range of a labels.pdf request (or its
// preview) and reads the label's facts and the mark's artwork.
func (s *Service) sheetRequest(ctx context.Context, p model.Principal, id int64, req PDFRequest) (*sheetInputs, error) {
	b, f, err := s.printer(ctx, p, id, true)
	if err != nil {
		return nil, err
	}
	if req.Template == "" {
		req.Template = sheet.DefaultTemplate
	}
	tpl, ok := sheet.Lookup(req.Template)
	if !ok {
		return nil, model.Fields{{Field: "template", Code: model.FieldTemplate, Message: "no such template; GET /api/v1/label-templates lists them"}}.Err()
	}
	from, to, err := printRange(b, req.From, req.To)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.LabelFacts(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	in := &sheetInputs{batch: b, filing: f, tpl: tpl, from: from, to: to, facts: sheetFacts(facts)}
	if s.marks != nil {
		if in.art, err = s.marks.Artwork(ctx); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// printRange checks a serial range against the batch and the per-file limit.
func printRange(b *model.LabelBatch, from, to int) (int, int, error) {
	given := from != 0 || to != 0
	if from == 0 {
		from = 1
	}
	if to == 0 {
		to = b.Quantity
	}
	var fe model.Fields
	if from < 1 || from > b.Quantity {
		fe.Add("from", model.FieldSerial, "must be a serial from %d to %d", 1, b.Quantity)
	}
	if to < from || to > b.Quantity {
		fe.Add("to", model.FieldSerial, "must be a serial from %d to %d", max(from, 1), b.Quantity)
	}
	if err := fe.Err(); err != nil {
		return 0, 0, err
	}
	if to-from+1 > model.MaxPrintLabels {
		msg := fmt.Sprintf("at most %d labels a file; this range has %d", model.MaxPrintLabels, to-from+1)
		if !given {
			msg = fmt.Sprintf("at most %d labels a file and the batch has %d: ask for a range with from and to", model.MaxPrintLabels, b.Quantity)
		}
		return 0, 0, &model.Error{Kind: model.KindInvalid, Code: "too_many_labels", Msg: msg, Fields: []model.FieldError{{Field: "to", Code: model.FieldTooManyLabels, Message: msg, Args: []any{model.MaxPrintLabels}}}}
	}
	return from, to, nil
}

// Preview draws the first label of a labels.pdf request as a PNG (sheet.Preview) for the
// owner and the reviewers. It is not a print file and is not logged: it carries specimen
// text for the code and the QR, never the label's own.
func (s *Service) Preview(ctx context.Context, p model.Principal, id int64, req PDFRequest) ([]byte, error) {
	sh, err := s.sheetRequest(ctx, p, id, req)
	if err != nil {
		return nil, err
	}
	b, tpl, from, art := sh.batch, sh.tpl, sh.from, sh.art
	var lb sheet.Label
	prefix := s.batchPrefix(b)
	err = s.store.StreamLabelRange(ctx, b, from, from, func(serial int, code, _ string) error {
		lb = sheet.Label{Serial: serial, URL: prefix + code}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := sheet.Preview(&buf, tpl, sh.facts, art, lb, 200); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sheetFacts(facts *model.LabelFacts) sheet.Facts {
	return sheet.Facts{USCC: facts.EnterpriseUSCC, Enterprise: facts.EnterpriseName, Product: facts.ProductName, Kind: facts.ProductKind,
		ReferenceNumber: facts.ReferenceNumber, RegistrationNumber: facts.RegistrationNumber, Standard: facts.Standard,
		AuthorizationNumber: facts.AuthorizationNumber}
}

// PrintCSV builds codes.csv of a whole batch (the owner only).
func (s *Service) PrintCSV(ctx context.Context, p model.Principal, id int64) (*PrintFile, error) {
	b, f, err := s.printer(ctx, p, id, false)
	if err != nil {
		return nil, err
	}
	rec := &model.PrintRecord{Format: model.PrintCSV, FromSerial: 1, ToSerial: b.Quantity, Labels: b.Quantity}
	return s.build(ctx, p, b, f, rec, "batch-"+strconv.FormatInt(b.ID, 10)+"-codes.csv", "text/csv; charset=utf-8",
		func(w io.Writer) error { return s.WriteCSV(ctx, b.ID, w) })
}

// PrintZip builds labels.zip of a whole batch (the owner only).
func (s *Service) PrintZip(ctx context.Context, p model.Principal, id int64, size int) (*PrintFile, error) {
	b, f, err := s.printer(ctx, p, id, false)
	if err != nil {
		return nil, err
	}
	rec := &model.PrintRecord{Format: model.PrintZIP, FromSerial: 1, ToSerial: b.Quantity, Labels: b.Quantity}
	return s.build(ctx, p, b, f, rec, "batch-"+strconv.FormatInt(b.ID, 10)+"-labels.zip", "application/zip",
		func(w io.Writer) error { return s.WriteZip(ctx, b.ID, size, w) })
}

// build writes a print file to a temporary file while hashing it, then records the print.
func (s *Service) build(ctx context.Context, p model.Principal, b *model.LabelBatch, f *model.Filing, rec *model.PrintRecord,
	name, contentType string, write func(io.Writer) error) (*PrintFile, error) {
	tmp, err := os.CreateTemp(s.tempDir, "print-*")
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h), 256<<10)
	if err := write(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	rec.BatchID, rec.FilingID, rec.EnterpriseID, rec.UserID = b.ID, f.ID, f.EnterpriseID, p.UserID
	rec.SHA256, rec.Size = hex.EncodeToString(h.Sum(nil)), size
	if err := s.store.RecordPrint(ctx, rec); err != nil {
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	keep = true
	return &PrintFile{File: tmp, Name: name, ContentType: contentType, Record: rec}, nil
}

// Prints lists the print log: of one batch (owner and reviewers), or filtered by filing or
// enterprise. An enterprise sees only its own; admins see none (the log is the reviewers').
func (s *Service) Prints(ctx context.Context, p model.Principal, f model.PrintFilter, page model.Page) ([]model.PrintRecord, int64, error) {
	if p.Role == model.RoleAdmin {
		return nil, 0, model.Errorf(model.KindForbidden, "the print log is for the filing enterprise and the reviewers")
	}
	if f.BatchID != 0 {
		if _, _, err := s.visible(ctx, p, f.BatchID); err != nil {
			return nil, 0, err
		}
	}
	if !p.IsStaff() {
		if f.EnterpriseID != 0 && f.EnterpriseID != p.EnterpriseID {
			return []model.PrintRecord{}, 0, nil
		}
		f.EnterpriseID = p.EnterpriseID
	}
	return s.store.ListPrints(ctx, f, page.Normalize())
}

// Templates lists the label templates.
func Templates() []sheet.Template { return sheet.Templates }

func errorsIsModule(err error) bool { return errors.Is(err, sheet.ErrModule) }
