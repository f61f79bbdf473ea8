package console

import (
	"bytes"
	"encoding/csv"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/internal/label"
	"gimark/internal/labelcode"
	"gimark/internal/sheet"
	"gimark/model"
)

// orderBatch orders labels for an approved filing through label.Service.Order (approval,
// quota and ownership are its rules).
func (h *Console) OrderBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "申请 #"+itoa(id), "filings")
	v.Form["action"] = "order"
	v.Form["quantity"], v.Form["gtin"], v.Form["lot"] = c.PostForm("quantity"), c.PostForm("gtin"), c.PostForm("lot")
	n, perr := strconv.Atoi(strings.TrimSpace(v.Form["quantity"]))
	if perr != nil {
		return h.refusedOnFiling(c, id, v, model.Invalid("quantity", model.FieldInteger, "must be an integer"), nil)
	}
	// The GTIN (one of the filing's, from a select) and the lot are optional: without them the
	// batch is as before; label.Service.OrderItem checks both, as for the API.
	b, err := h.Labels.OrderItem(c.Request.Context(), p, id, n, strings.TrimSpace(v.Form["gtin"]), strings.TrimSpace(v.Form["lot"]))
	if err != nil {
		return h.refusedOnFiling(c, id, v, err, map[string]string{"gtin": "order_gtin"})
	}
	c.Redirect(http.StatusSeeOther, "/console/batches/"+itoa(b.ID)+"?done=order")
	return nil
}

type labelRow struct {
	Serial    string
	Code      string
	Formatted string
	URL       string
}

type batchData struct {
	B      *model.LabelBatch
	F      *model.Filing
	Owner  bool
	Sample []labelRow
	MM     string // the printed size of the SVG links, millimetres
	// BaseURL is where the batch's labels point (recorded when it was ordered).
	BaseURL string
	// CanVoid: the owner or a reviewer may void an active batch (label.Service.VoidBatch).
	CanVoid bool
	// Printing: the owner and the reviewers choose a template and a range, see the first
	// label's preview and download labels.pdf; the print log lists every download.
	CanPrint  bool
	Templates []sheet.Template
	Print     printForm
	Prints    []model.PrintRecord
	Pager     pager
}

// printForm is the batch page's print choices, as given in the query.
type printForm struct {
	Template, From, To string
	CutMarks           bool
	Query              template.URL // the choices as a query string (url.Values.Encode) for labels.pdf and preview.png
}

func readPrintForm(c *gin.Context) printForm {
	f := printForm{Template: c.Query("template"), From: c.Query("from"), To: c.Query("to"), CutMarks: c.Query("cut_marks") == "1"}
	if f.Template == "" {
		f.Template = sheet.DefaultTemplate
	}
	q := url.Values{"template": {f.Template}}
	if f.From != "" {
		q.Set("from", f.From)
	}
	if f.To != "" {
		q.Set("to", f.To)
	}
	if f.CutMarks {
		q.Set("cut_marks", "1")
	}
	f.Query = template.URL(q.Encode())
	return f
}

// pdfRequest reads labels.pdf's choices; from and to are serials, empty for the batch's
// start or end.
func pdfRequest(c *gin.Context) (label.PDFRequest, error) {
	f := readPrintForm(c)
	req := label.PDFRequest{Template: f.Template, CutMarks: f.CutMarks}
	var fe model.Fields
	for _, v := range []struct {
		name, s string
		n       *int
	}{{"from", f.From, &req.From}, {"to", f.To, &req.To}} {
		if v.s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v.s))
		if err != nil || n < 1 {
			fe.Add(v.name, model.FieldPositiveInteger, "must be a positive integer")
			continue
		}
		*v.n = n
	}
	return req, fe.Err()
}

// errEnough stops the CSV stream once the page has the rows it shows.
var errEnough = errors.New("enough rows")

type firstRows struct {
	buf   bytes.Buffer
	lines int
	limit int
}

func (w *firstRows) Write(p []byte) (int, error) {
	w.buf.Write(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	if w.lines > w.limit {
		return len(p), errEnough
	}
	return len(p), nil
}

// batchOfPath is the batch named by the path's id as the signed-in user may see it (another
// enterprise's is not found), with that user.
func (h *Console) batchOfPath(c *gin.Context) (*model.LabelBatch, model.Principal, error) {
	p, _ := principalOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return nil, p, err
	}
	b, err := h.Labels.Get(c.Request.Context(), p, id)
	return b, p, err
}

// batchPage shows a batch, its downloads and its first labels with their QR images.
func (h *Console) BatchPage(c *gin.Context) error {
	b, p, err := h.batchOfPath(c)
	if err != nil {
		return err
	}
	id, ctx := b.ID, c.Request.Context()
	f, _, err := h.Filings.Get(ctx, p, b.FilingID)
	if err != nil {
		return err
	}
	d := batchData{B: b, F: f, Owner: p.OwnsEnterprise(f.EnterpriseID)}
	d.CanVoid = b.Status == model.LabelActive && (d.Owner || p.Role == model.RoleReviewer)
	if d.Owner {
		// The first rows of the batch's own CSV: the same codes and URLs the printer gets.
		w := &firstRows{limit: 10}
		if err := h.Labels.WriteCSV(ctx, b.ID, w); err != nil && !errors.Is(err, errEnough) {
			return err
		}
		recs, _ := csv.NewReader(bytes.NewReader(w.buf.Bytes())).ReadAll()
		for i, r := range recs {
			if i == 0 || i > w.limit || len(r) != 3 {
				continue
			}
			d.Sample = append(d.Sample, labelRow{Serial: r[0], Code: r[1], Formatted: labelcode.Format(r[1]), URL: r[2]})
		}
	}
	d.CanPrint = d.Owner || p.Role == model.RoleReviewer
	if d.CanPrint {
		d.Templates, d.Print = sheet.Templates, readPrintForm(c)
		pg := queryPage(c)
		items, total, err := h.Labels.Prints(ctx, p, model.PrintFilter{BatchID: b.ID}, pg.Normalize())
		if err != nil {
			return err
		}
		d.Prints, d.Pager = items, newPager(c, pg, total)
	}
	v := h.newView(c, "标签批次 #"+itoa(id), "filings")
	v.Notice = notices[c.Query("done")]
	d.MM = "25"
	if c.Query("mm") != "" {
		v.Form["mm"] = c.Query("mm")
		if _, err := queryMM(c); err != nil {
			formError(v, err, nil)
			v.Error = ""
		} else {
			d.MM = strings.TrimSpace(c.Query("mm"))
		}
	}
	if b.PublicBaseURL != nil {
		d.BaseURL = *b.PublicBaseURL
	}
	v.Data = d
	return h.render(c, http.StatusOK, "batch.html", v)
}

// CodesCSV sends the batch's codes, built and recorded in the print log first
// (label.Service.PrintCSV), as the API does.
func (h *Console) CodesCSV(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	pf, err := h.Labels.PrintCSV(c.Request.Context(), p, id)
	if err != nil {
		return err
	}
	return h.SendPrint(c, pf)
}

// LabelsZip sends one QR PNG per label, built and recorded in the print log first.
func (h *Console) LabelsZip(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	pf, err := h.Labels.PrintZip(c.Request.Context(), p, id, 256)
	if err != nil {
		return err
	}
	return h.SendPrint(c, pf)
}

// LabelsPDF sends the batch's label sheets (owner and reviewers), recorded in the print log.
func (h *Console) LabelsPDF(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	req, err := pdfRequest(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	pf, err := h.Labels.PrintPDF(c.Request.Context(), p, id, req)
	if err != nil {
		return err
	}
	return h.SendPrint(c, pf)
}

// PreviewPNG draws the first label of the chosen range on the chosen template as a PNG. It
// is not logged: the preview carries specimen text in place of the code and its QR.
func (h *Console) PreviewPNG(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	req, err := pdfRequest(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	b, err := h.Labels.Preview(c.Request.Context(), p, id, req)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "image/png", b)
	return nil
}

type printsData struct {
	Items                  []model.PrintRecord
	Pager                  pager
	FilingID, EnterpriseID int64
}

// PrintsPage lists the print log across batches, by filing or by enterprise (?filing_id=,
// ?enterprise_id=): all of it for reviewers, an enterprise's own for an enterprise (the
// service's rule).
func (h *Console) PrintsPage(c *gin.Context) error {
	var d printsData
	var fe model.Fields
	for _, q := range []struct {
		name string
		n    *int64
	}{{"filing_id", &d.FilingID}, {"enterprise_id", &d.EnterpriseID}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				fe.Add(q.name, model.FieldPositiveInteger, "must be a positive integer")
				continue
			}
			*q.n = n
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p, _ := principalOf(c)
	pg := queryPage(c)
	items, total, err := h.Labels.Prints(c.Request.Context(), p, model.PrintFilter{FilingID: d.FilingID, EnterpriseID: d.EnterpriseID}, pg.Normalize())
	if err != nil {
		return err
	}
	d.Items, d.Pager = items, newPager(c, pg, total)
	v := h.newView(c, "打印记录", "filings")
	v.Data = d
	return h.render(c, http.StatusOK, "prints.html", v)
}

func (h *Console) QRPNG(c *gin.Context) error {
	p, _ := principalOf(c)
	size := 256
	if n, err := strconv.Atoi(c.Query("size")); err == nil {
		size = n
	}
	b, err := h.Labels.PNG(c.Request.Context(), p, c.Param("code"), size)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=86400")
	if code, err := labelcode.Parse(c.Param("code")); err == nil && c.Query("download") == "1" {
		c.Header("Content-Disposition", "attachment; filename="+code+".png")
	}
	c.Data(http.StatusOK, "image/png", b)
	return nil
}

func (h *Console) QRSVG(c *gin.Context) error {
	p, _ := principalOf(c)
	mm, err := queryMM(c)
	if err != nil {
		return err
	}
	// With ?mm= the SVG carries its printed size in millimetres (label.Service.SVGSized checks
	// the range), as GET /api/v1/labels/{code}/qr.svg?mm= does.
	b, err := h.Labels.SVGSized(c.Request.Context(), p, c.Param("code"), 256, mm)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=86400")
	if code, err := labelcode.Parse(c.Param("code")); err == nil && c.Query("download") == "1" {
		name := code
		if mm != 0 {
			name += "-" + strconv.FormatFloat(mm, 'f', -1, 64) + "mm"
		}
		c.Header("Content-Disposition", "attachment; filename="+name+".svg")
	}
	c.Data(http.StatusOK, "image/svg+xml", b)
	return nil
}

// queryMM reads the optional printed size ?mm= (0 when absent).
func queryMM(c *gin.Context) (float64, error) {
	v := strings.TrimSpace(c.Query("mm"))
	if v == "" {
		return 0, nil
	}
	mm, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(mm) || math.IsInf(mm, 0) {
		return 0, model.Invalid("mm", model.FieldNumber, "must be a number of millimetres")
	}
	if mm < label.MinSVGMillimetres || mm > label.MaxSVGMillimetres {
		return 0, model.Invalid("mm", model.FieldMillimetres, "must be from %d to %d millimetres", label.MinSVGMillimetres, label.MaxSVGMillimetres)
	}
	return mm, nil
}
