package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/decimal"
	"gimark/internal/filing"
	"gimark/model"
)

type filingRequest struct {
	ProductID         *int64            `json:"product_id"`
	Kind              *model.FilingKind `json:"kind"`
	ProductionAddress *string           `json:"production_address"`
	AnnualOutputKg    *string           `json:"annual_output_kg"`
}

type transitionRequest struct {
	Reason     string `json:"reason"`
	LabelQuota *int64 `json:"label_quota"`
}

type documentResponse struct {
	ID          int64              `json:"id"`
	Kind        model.DocumentKind `json:"kind"`
	Filename    string             `json:"filename"`
	ContentType string             `json:"content_type"`
	Size        int64              `json:"size"`
	SHA256      string             `json:"sha256"`
	CreatedAt   time.Time          `json:"created_at"`
}

func toDocumentResponse(d *model.Document) documentResponse {
	return documentResponse{ID: d.ID, Kind: d.Kind, Filename: d.Filename, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, CreatedAt: d.CreatedAt.UTC()}
}

type filingResponse struct {
	ID                  int64              `json:"id"`
	EnterpriseID        int64              `json:"enterprise_id"`
	ProductID           int64              `json:"product_id"`
	Kind                model.FilingKind   `json:"kind"`
	Status              model.FilingStatus `json:"status"`
	ProductionAddress   string             `json:"production_address"`
	AnnualOutputKg      string             `json:"annual_output_kg"`
	AuthorizationNumber *string            `json:"authorization_number"`
	LabelQuota          *int64             `json:"label_quota"`
	DecisionReason      string             `json:"decision_reason"`
	SubmittedAt         *time.Time         `json:"submitted_at"`
	ApprovedAt          *time.Time         `json:"approved_at"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	Documents           []documentResponse `json:"documents,omitempty"`
	// MissingDocuments lists, while the filing can still be submitted (draft or returned),
	// the required document kinds it lacks; only on the single-filing read.
	MissingDocuments []model.DocumentKind `json:"missing_documents,omitempty"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toFilingResponse(f *model.Filing) filingResponse {
	return filingResponse{ID: f.ID, EnterpriseID: f.EnterpriseID, ProductID: f.ProductID, Kind: f.Kind, Status: f.Status,
		ProductionAddress: f.ProductionAddress, AnnualOutputKg: decimal.FormatGrams(f.AnnualOutputGrams),
		AuthorizationNumber: f.AuthorizationNumber, LabelQuota: f.LabelQuota, DecisionReason: f.DecisionReason,
		SubmittedAt: utcPtr(f.SubmittedAt), ApprovedAt: utcPtr(f.ApprovedAt), CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC()}
}

func (a *app) createFiling(c *gin.Context) error {
	var req filingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	f, err := a.Filings.Create(c.Request.Context(), principal(c), filing.Input(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toFilingResponse(f))
	return nil
}

func (a *app) listFilings(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var fe model.Fields
	filter := model.FilingFilter{
		ProductID:    queryInt64(c, "product_id", &fe),
		EnterpriseID: queryInt64(c, "enterprise_id", &fe),
		Status:       model.FilingStatus(c.Query("status")),
	}
	if err := fe.Err(); err != nil {
		return err
	}
	items, total, err := a.Filings.List(c.Request.Context(), principal(c), filter, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toFilingResponse, total, page))
	return nil
}

func (a *app) getFiling(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, docs, err := a.Filings.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := toFilingResponse(f)
	out.Documents = make([]documentResponse, len(docs))
	for i := range docs {
		out.Documents[i] = toDocumentResponse(&docs[i])
	}
	if f.Status.Editable() {
		out.MissingDocuments = model.MissingDocuments(docs)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *app) updateFiling(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req filingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	f, err := a.Filings.Update(c.Request.Context(), principal(c), id, filing.Input(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toFilingResponse(f))
	return nil
}

// transition returns the handler of one state-machine action.
func (a *app) transition(action model.Action) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req transitionRequest
		if err := bindOptionalJSON(c, &req); err != nil {
			return err
		}
		f, err := a.Filings.Transition(c.Request.Context(), principal(c), id,
			filing.TransitionInput{Action: action, Reason: req.Reason, LabelQuota: req.LabelQuota})
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, toFilingResponse(f))
		return nil
	}
}

type eventResponse struct {
	Action string     `json:"action"`
	From   string     `json:"from"`
	To     string     `json:"to"`
	Actor  *actorInfo `json:"actor"`
	Reason string     `json:"reason"`
	At     time.Time  `json:"at"`
}

type actorInfo struct {
	ID       int64      `json:"id"`
	Username string     `json:"username"`
	Role     model.Role `json:"role"`
}

func (a *app) filingEvents(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	events, err := a.Filings.Events(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := make([]eventResponse, len(events))
	for i, e := range events {
		out[i] = eventResponse{Action: e.Action, From: e.FromState, To: e.ToState, Reason: e.Reason, At: e.At.UTC()}
		if e.ActorID != nil {
			out[i].Actor = &actorInfo{ID: *e.ActorID, Username: e.ActorUsername, Role: e.ActorRole}
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

// uploadDocument reads the multipart body as a stream: the file goes to disk as it arrives
// and is cut off at the limit, so a large upload never sits in memory.
func (a *app) uploadDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return model.CodeError(model.KindMalformed, "malformed_body", "send multipart/form-data with a kind field and a file")
	}
	var kind string
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge(mbe.Limit)
			}
			if kind == "" {
				return model.Invalid("file", model.FieldFileMissing, "is required")
			}
			return model.Invalid("file", model.FieldFileMissing, "is required (send the kind field before the file)")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = string(b)
		case "file":
			if kind == "" {
				return model.Invalid("kind", model.FieldFileOrder, "is required and must come before the file")
			}
			d, err := a.Filings.AddDocument(c.Request.Context(), principal(c), id,
				filing.Upload{Kind: model.DocumentKind(kind), Filename: part.FileName(), Body: part})
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return &model.Error{Kind: model.KindTooLarge, Code: "file_too_large", Msg: "the upload is larger than the limit"}
				}
				return err
			}
			c.JSON(http.StatusCreated, toDocumentResponse(d))
			return nil
		}
		part.Close()
	}
}

func (a *app) downloadDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc_id")
	if err != nil {
		return err
	}
	d, body, err := a.Filings.OpenDocument(c.Request.Context(), principal(c), id, docID)
	if err != nil {
		return err
	}
	defer body.Close()
	disposition := "attachment"
	if c.Query("inline") == "1" {
		disposition = "inline"
	}
	c.Header("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": d.Filename}))
	c.Header("Content-Type", d.ContentType)
	c.Header("Content-Length", strconv.FormatInt(d.Size, 10))
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(c.Writer, c.Request, "", d.CreatedAt, body)
	return nil
}

type registryResponse struct {
	FilingID            int64     `json:"filing_id"`
	EnterpriseName      string    `json:"enterprise_name"`
	USCC                string    `json:"uscc"`
	ProductID           int64     `json:"product_id"`
	ProductName         string    `json:"product_name"`
	AuthorizationNumber string    `json:"authorization_number"`
	ApprovedAt          time.Time `json:"approved_at"`
}

func (a *app) registry(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var fe model.Fields
	productID := queryInt64(c, "product_id", &fe)
	if err := fe.Err(); err != nil {
		return err
	}
	items, total, err := a.Filings.Registry(c.Request.Context(), productID, c.Query("q"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, func(r *model.RegistryEntry) registryResponse {
		return registryResponse{FilingID: r.FilingID, EnterpriseName: r.EnterpriseName, USCC: r.USCC, ProductID: r.ProductID,
			ProductName: r.ProductName, AuthorizationNumber: r.AuthorizationNumber, ApprovedAt: r.ApprovedAt.UTC()}
	}, total, page))
	return nil
}
