package api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/label"
	"gimark/internal/specialmark"
	"gimark/model"
)

type templateResponse struct {
	Name          string  `json:"name"`
	Title         string  `json:"title"`
	LabelWidthMM  float64 `json:"label_width_mm"`
	LabelHeightMM float64 `json:"label_height_mm"`
	PageWidthMM   float64 `json:"page_width_mm"`
	PageHeightMM  float64 `json:"page_height_mm"`
	Columns       int     `json:"columns"`
	Rows          int     `json:"rows"`
	LabelsPerPage int     `json:"labels_per_page"`
}

func (a *app) labelTemplates(c *gin.Context) error {
	var out []templateResponse
	for _, t := range label.Templates() {
		out = append(out, templateResponse{Name: t.Name, Title: t.Title, LabelWidthMM: t.LabelW, LabelHeightMM: t.LabelH,
			PageWidthMM: t.PageW, PageHeightMM: t.PageH, Columns: t.Cols, Rows: t.Rows, LabelsPerPage: t.PerPage()})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

// labelsPDF builds, records and sends a batch's label sheets.
func (a *app) labelsPDF(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var fe model.Fields
	req := label.PDFRequest{Template: c.Query("template"), From: queryInt(c, "from", &fe), To: queryInt(c, "to", &fe)}
	switch c.Query("cut_marks") {
	case "", "0", "false":
	case "1", "true":
		req.CutMarks = true
	default:
		fe.Add("cut_marks", model.FieldBoolean, "must be true or false")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	pf, err := a.Labels.PrintPDF(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	return a.sendPrint(c, pf)
}

func queryInt(c *gin.Context, name string, f *model.Fields) int {
	n := queryInt64(c, name, f)
	if n > 1<<31-1 {
		f.Add(name, model.FieldPositiveInteger, "is too large")
		return 0
	}
	return int(n)
}

// sendPrint sends a recorded print file. Its SHA-256 goes in Repr-Digest (RFC 9530), so the
// client can check what it got against the print log.
func (a *app) sendPrint(c *gin.Context, pf *label.PrintFile) error {
	defer pf.Close()
	sum, _ := hex.DecodeString(pf.Record.SHA256)
	h := c.Writer.Header()
	h.Set("Content-Type", pf.ContentType)
	h.Set("Content-Disposition", "attachment; filename="+pf.Name)
	h.Set("Content-Length", strconv.FormatInt(pf.Record.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	h.Set("X-Print-Record", strconv.FormatInt(pf.Record.ID, 10))
	h.Set("X-Print-Reprint", strconv.FormatBool(pf.Record.Reprint))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, pf.File); err != nil {
		a.log.Warn("print file send failed", "batch", pf.Record.BatchID, "print", pf.Record.ID,
			"request_id", c.GetString(ctxRequestID), "err", err.Error())
	}
	return nil
}

type printResponse struct {
	ID           int64     `json:"id"`
	BatchID      int64     `json:"batch_id"`
	FilingID     int64     `json:"filing_id"`
	EnterpriseID int64     `json:"enterprise_id"`
	UserID       int64     `json:"user_id"`
	Format       string    `json:"format"`
	Template     string    `json:"template,omitempty"`
	FromSerial   int       `json:"from_serial"`
	ToSerial     int       `json:"to_serial"`
	Labels       int       `json:"labels"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	Reprint      bool      `json:"reprint"`
	CreatedAt    time.Time `json:"created_at"`
}

func toPrintResponse(r *model.PrintRecord) printResponse {
	return printResponse{ID: r.ID, BatchID: r.BatchID, FilingID: r.FilingID, EnterpriseID: r.EnterpriseID, UserID: r.UserID,
		Format: r.Format, Template: r.Template, FromSerial: r.FromSerial, ToSerial: r.ToSerial, Labels: r.Labels,
		SHA256: r.SHA256, Size: r.Size, Reprint: r.Reprint, CreatedAt: r.CreatedAt.UTC()}
}

func (a *app) listPrints(c *gin.Context, f model.PrintFilter) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := a.Labels.Prints(c.Request.Context(), principal(c), f, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toPrintResponse, total, page))
	return nil
}

func (a *app) batchPrints(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return a.listPrints(c, model.PrintFilter{BatchID: id})
}

func (a *app) prints(c *gin.Context) error {
	var fe model.Fields
	f := model.PrintFilter{FilingID: queryInt64(c, "filing_id", &fe), EnterpriseID: queryInt64(c, "enterprise_id", &fe)}
	if err := fe.Err(); err != nil {
		return err
	}
	return a.listPrints(c, f)
}

type specialMarkResponse struct {
	ID          int64     `json:"id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	SlotX       float64   `json:"slot_x"`
	SlotY       float64   `json:"slot_y"`
	SlotW       float64   `json:"slot_w"`
	SlotH       float64   `json:"slot_h"`
	UploadedBy  int64     `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func toSpecialMarkResponse(m *model.SpecialMark) specialMarkResponse {
	return specialMarkResponse{ID: m.ID, ContentType: m.ContentType, Size: m.Size, SHA256: m.SHA256, Width: m.Width, Height: m.Height,
		SlotX: m.SlotX, SlotY: m.SlotY, SlotW: m.SlotW, SlotH: m.SlotH, UploadedBy: m.UploadedBy, CreatedAt: m.CreatedAt.UTC()}
}

func (a *app) getSpecialMark(c *gin.Context) error {
	m, err := a.SpecialMarks.Current(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toSpecialMarkResponse(m))
	return nil
}

// putSpecialMark takes multipart slot_x, slot_y, slot_w, slot_h, then file.
func (a *app) putSpecialMark(c *gin.Context) error {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return model.CodeError(model.KindMalformed, "malformed_body", "send multipart/form-data with slot_x, slot_y, slot_w, slot_h and then file")
	}
	vals := map[string]float64{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge(mbe.Limit)
			}
			return model.Fields{{Field: "file", Code: model.FieldFileMissing, Message: "is required (after the slot fields)"}}.Err()
		}
		name := part.FormName()
		switch name {
		case "slot_x", "slot_y", "slot_w", "slot_h":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			v, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return model.Fields{{Field: name, Code: model.FieldFraction, Message: "must be a number from 0 to 1"}}.Err()
			}
			vals[name] = v
		case "file":
			var fe model.Fields
			for _, n := range []string{"slot_x", "slot_y", "slot_w", "slot_h"} {
				if _, ok := vals[n]; !ok {
					fe.Add(n, model.FieldSlotOrder, "is required and must come before the file")
				}
			}
			if err := fe.Err(); err != nil {
				return err
			}
			m, err := a.SpecialMarks.Put(c.Request.Context(), principal(c), part,
				specialmark.Slot{X: vals["slot_x"], Y: vals["slot_y"], W: vals["slot_w"], H: vals["slot_h"]})
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return tooLarge(mbe.Limit)
				}
				return err
			}
			c.JSON(http.StatusOK, toSpecialMarkResponse(m))
			return nil
		}
		part.Close()
	}
}
