package api

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// statusOf maps each error kind to its HTTP status: the one table of API.md "Errors".
var statusOf = map[model.Kind]int{
	model.KindMalformed:       http.StatusBadRequest,
	model.KindUnauthenticated: http.StatusUnauthorized,
	model.KindForbidden:       http.StatusForbidden,
	model.KindNotFound:        http.StatusNotFound,
	model.KindConflict:        http.StatusConflict,
	model.KindTooLarge:        http.StatusRequestEntityTooLarge,
	model.KindUnsupported:     http.StatusUnsupportedMediaType,
	model.KindInvalid:         http.StatusUnprocessableEntity,
	model.KindRateLimited:     http.StatusTooManyRequests,
	model.KindUnavailable:     http.StatusServiceUnavailable,
}

// Problem is an RFC 9457 problem document with gimark's extensions.
type Problem struct {
	Type      string             `json:"type"`
	Title     string             `json:"title"`
	Status    int                `json:"status"`
	Detail    string             `json:"detail"`
	Code      string             `json:"code"`
	Instance  string             `json:"instance,omitempty"`
	RequestID string             `json:"request_id,omitempty"`
	Errors    []model.FieldError `json:"errors,omitempty"`
}

// ProblemContentType is the media type of every error answer.
const ProblemContentType = "application/problem+json"

// problemFor converts err into the document users see. Internal errors say only
// "internal error"; their cause is logged by writeError.
func problemFor(err error) Problem {
	var me *model.Error
	if !errors.As(err, &me) {
		return Problem{Type: problemType("internal"), Title: http.StatusText(500), Status: 500, Detail: "internal error", Code: "internal"}
	}
	status, ok := statusOf[me.Kind]
	if !ok {
		return Problem{Type: problemType("internal"), Title: http.StatusText(500), Status: 500, Detail: "internal error", Code: "internal"}
	}
	return Problem{Type: problemType(me.MachineCode()), Title: http.StatusText(status), Status: status,
		Detail: me.Msg, Code: me.MachineCode(), Errors: me.Fields}
}

func problemType(code string) string { return "urn:gimark:problem:" + code }

// writeError renders err as problem+json and logs internal causes once, with the request ID.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	p := problemFor(err)
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(ctxRequestID)
	if p.Status >= 500 {
		log.Error("request failed", "request_id", p.RequestID, "route", c.FullPath(), "err", err.Error())
	}
	var me *model.Error
	if errors.As(err, &me) && me.Kind == model.KindRateLimited {
		c.Header("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(me.RetryAfter.Seconds())))))
	}
	c.Header("Cache-Control", "no-store")
	c.Render(p.Status, problemRender{p})
	c.Abort()
}

// problemRender writes a Problem with its own content type.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonRender(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ProblemContentType)
}
