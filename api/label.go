package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

type batchRequest struct {
	Quantity int    `json:"quantity"`
	GTIN     string `json:"gtin"` // optional: one of the filing's GTINs; labels then carry Digital Link URIs
	Lot      string `json:"lot"`  // optional, with a GTIN: GS1 AI 10
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

type batchResponse struct {
	ID         int64      `json:"id"`
	FilingID   int64      `json:"filing_id"`
	Quantity   int        `json:"quantity"`
	Status     string     `json:"status"`
	VoidReason string     `json:"void_reason,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	VoidedAt   *time.Time `json:"voided_at,omitempty"`
	GTIN       string     `json:"gtin,omitempty"`
	Lot        string     `json:"lot,omitempty"`
	// PublicBaseURL is what the batch's QR codes point at (recorded when it was ordered).
	PublicBaseURL string `json:"public_base_url"`
}

func (a *app) toBatchResponse(b *model.LabelBatch) batchResponse {
	return batchResponse{ID: b.ID, FilingID: b.FilingID, Quantity: b.Quantity, Status: b.Status, VoidReason: b.VoidReason,
		CreatedAt: b.CreatedAt.UTC(), VoidedAt: utcPtr(b.VoidedAt), GTIN: b.GTIN, Lot: b.Lot,
		PublicBaseURL: b.BaseURL(a.Labels.BaseURL())}
}

type labelResponse struct {
	Code       string `json:"code"`
	BatchID    int64  `json:"batch_id"`
	Serial     int    `json:"serial"`
	Status     string `json:"status"`
	VoidReason string `json:"void_reason,omitempty"`
	ScanCount  int64  `json:"scan_count"`
}

func (a *app) orderBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req batchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := a.Labels.OrderItem(c.Request.Context(), principal(c), id, req.Quantity, req.GTIN, req.Lot)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, a.toBatchResponse(b))
	return nil
}

type batchCountResponse struct {
	ID           int64 `json:"id"`
	ActiveLabels int64 `json:"active_labels"`
}

type activeLabelsResponse struct {
	FilingID      int64                `json:"filing_id"`
	Status        model.FilingStatus   `json:"status"`
	ActiveBatches int                  `json:"active_batches"`
	ActiveLabels  int64                `json:"active_labels"`
	Batches       []batchCountResponse `json:"batches"`
}

// activeLabels tells a confirmation page how many labels a suspension, revocation or
// cancellation of the filing (or voiding one of its batches) would turn into warnings.
func (a *app) activeLabels(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, counts, err := a.Labels.ActiveLabels(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := activeLabelsResponse{FilingID: f.ID, Status: f.Status, ActiveBatches: len(counts), Batches: make([]batchCountResponse, 0, len(counts))}
	for _, b := range counts {
		out.ActiveLabels += b.ActiveLabels
		out.Batches = append(out.Batches, batchCountResponse{ID: b.BatchID, ActiveLabels: b.ActiveLabels})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *app) listBatches(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var fe model.Fields
	filingID := queryInt64(c, "filing_id", &fe)
	if err := fe.Err(); err != nil {
		return err
	}
	items, total, err := a.Labels.List(c.Request.Context(), principal(c), filingID, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, a.toBatchResponse, total, page))
	return nil
}

func (a *app) getBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := a.Labels.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.toBatchResponse(b))
	return nil
}

// codesCSV sends the batch's codes, built and recorded in the print log first (label.PrintCSV).
func (a *app) codesCSV(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pf, err := a.Labels.PrintCSV(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	return a.sendPrint(c, pf)
}

// labelsZip sends one QR PNG per label, built and recorded in the print log first.
func (a *app) labelsZip(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	size, err := sizeParam(c, 256)
	if err != nil {
		return err
	}
	pf, err := a.Labels.PrintZip(c.Request.Context(), principal(c), id, size)
	if err != nil {
		return err
	}
	return a.sendPrint(c, pf)
}

func sizeParam(c *gin.Context, def int) (int, error) {
	v := c.Query("size")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 64 || n > 2048 {
		return 0, model.Invalid("size", model.FieldLabelSize, "must be from %d to %d pixels", 64, 2048)
	}
	return n, nil
}

func (a *app) qrPNG(c *gin.Context) error {
	size, err := sizeParam(c, 256)
	if err != nil {
		return err
	}
	b, err := a.Labels.PNG(c.Request.Context(), principal(c), c.Param("code"), size)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=86400")
	c.Data(http.StatusOK, "image/png", b)
	return nil
}

func (a *app) qrSVG(c *gin.Context) error {
	size, err := sizeParam(c, 256)
	if err != nil {
		return err
	}
	var mm float64
	if v := c.Query("mm"); v != "" {
		if mm, err = strconv.ParseFloat(v, 64); err != nil || math.IsNaN(mm) || mm == 0 {
			return model.Invalid("mm", model.FieldNumber, "must be a number of millimetres, e.g. 25")
		}
	}
	b, err := a.Labels.SVGSized(c.Request.Context(), principal(c), c.Param("code"), size, mm)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=86400")
	c.Data(http.StatusOK, "image/svg+xml", b)
	return nil
}

func (a *app) voidBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := a.Labels.VoidBatch(c.Request.Context(), principal(c), id, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.toBatchResponse(b))
	return nil
}

func (a *app) voidLabel(c *gin.Context) error {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	l, err := a.Labels.VoidLabel(c.Request.Context(), principal(c), c.Param("code"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, labelResponse{Code: l.Code, BatchID: l.BatchID, Serial: l.Serial, Status: l.Status, VoidReason: l.VoidReason, ScanCount: l.ScanCount})
	return nil
}
