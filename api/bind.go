package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// MaxJSONBody is the largest JSON request body; anything bigger is 413.
const MaxJSONBody = 1 << 20

// bindJSON decodes the body into dst strictly: one JSON value, valid UTF-8, no unknown
// fields (they are rejected, not ignored, so a misspelt field is never silently dropped).
func bindJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, MaxJSONBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return &model.Error{Kind: model.KindMalformed, Code: "malformed_body", Msg: "the request body could not be read", Err: err}
	}
	if len(body) > MaxJSONBody {
		return tooLarge(MaxJSONBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return model.CodeError(model.KindMalformed, "malformed_body", "a JSON body is required")
	}
	if !utf8.Valid(body) {
		return model.CodeError(model.KindMalformed, "malformed_body", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return model.CodeError(model.KindMalformed, "malformed_body", "the body must hold exactly one JSON value")
	}
	return nil
}

// bindOptionalJSON is bindJSON for endpoints whose body may be empty.
func bindOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, dst)
}

func tooLarge(limit int64) error {
	return &model.Error{Kind: model.KindTooLarge, Code: "body_too_large", Msg: fmt.Sprintf("the body is larger than %d bytes", limit)}
}

// jsonError explains a decoding failure; a value of the wrong type names its field.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return &model.Error{Kind: model.KindInvalid, Code: "validation_failed", Msg: "a field has the wrong type",
			Fields: []model.FieldError{{Field: field, Code: model.FieldWrongType, Message: "must be " + jsonKind(te.Type.String())}}, Err: err}
	case errors.As(err, &se):
		return &model.Error{Kind: model.KindMalformed, Code: "malformed_body", Msg: fmt.Sprintf("the body is not valid JSON (at byte %d)", se.Offset), Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &model.Error{Kind: model.KindMalformed, Code: "unknown_field", Msg: fmt.Sprintf("unknown field %q", name),
			Fields: []model.FieldError{{Field: name, Code: model.FieldUnknown, Message: "is not a known field"}}}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return model.CodeError(model.KindMalformed, "malformed_body", "the body is not valid JSON (it ends too early)")
	}
	return &model.Error{Kind: model.KindMalformed, Code: "malformed_body", Msg: "the body is not valid JSON", Err: err}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer in range"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string", goType == "*string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// pathID reads a positive integer path parameter; junk is a 404 (no such object).
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.NotFound(strings.TrimSuffix(name, "_id"))
	}
	return id, nil
}

// pageParams reads ?page=&page_size=; out-of-range values are 422.
func pageParams(c *gin.Context) (model.Page, error) {
	var f model.Fields
	p := model.Page{Page: 1, PageSize: 20}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			f.Add("page", model.FieldPositiveInteger, "must be a positive integer")
		}
		p.Page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			f.Add("page_size", model.FieldRange, "must be an integer from %d to %d", 1, 100)
		}
		p.PageSize = n
	}
	return p, f.Err()
}

// queryInt64 reads an optional positive integer query parameter.
func queryInt64(c *gin.Context, name string, f *model.Fields) int64 {
	v := c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		f.Add(name, model.FieldPositiveInteger, "must be a positive integer")
		return 0
	}
	return n
}

// listResponse is API.md's list envelope.
type listResponse[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

func newList[T any, M any](items []M, conv func(*M) T, total int64, p model.Page) listResponse[T] {
	out := make([]T, len(items))
	for i := range items {
		out[i] = conv(&items[i])
	}
	p = p.Normalize()
	return listResponse[T]{Items: out, Total: total, Page: p.Page, PageSize: p.PageSize}
}
