package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

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

// PageWriter shows a refusal as an HTML page: the console's pages answer every refusal on
// their paths (a 413 from bodyLimit, a 429, an unknown page) this way, never as JSON.
type PageWriter interface {
	WriteError(c *gin.Context, status int, err error)
}

// writeError is the one writer of refusals: it picks the status from statusOf, logs
// internal causes once with the request ID, sets Retry-After, and renders problem+json, or
// the console's page on the console's paths.
func (a *app) writeError(c *gin.Context, err error) {
	p := problemFor(err)
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(ctxRequestID)
	if p.Status >= 500 {
		a.log.Error("request failed", "request_id", p.RequestID, "route", c.FullPath(), "err", err.Error())
	}
	var me *model.Error
	if errors.As(err, &me) && me.Kind == model.KindRateLimited {
		c.Header("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(me.RetryAfter.Seconds())))))
	}
	c.Header("Cache-Control", "no-store")
	if a.pages != nil && consolePath(c.Request.URL.Path) {
		a.pages.WriteError(c, p.Status, err)
	} else {
		c.Render(p.Status, problemRender{p})
	}
	c.Abort()
}

// consolePath reports whether path is one of the console's pages.
func consolePath(path string) bool { return path == "/console" || strings.HasPrefix(path, "/console/") }

// problemRender writes a Problem with its own content type.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonRender(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ProblemContentType)
}
