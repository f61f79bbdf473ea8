package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"gimark/api"
)

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func contract() (routers.Router, error) {
	specOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder(api.ProblemContentType, openapi3filter.JSONBodyDecoder)
		var doc *openapi3.T
		if doc, specErr = api.LoadSpec(); specErr != nil {
			return
		}
		if specErr = doc.Validate(context.Background()); specErr != nil {
			return
		}
		doc.Servers = openapi3.Servers{{URL: "/"}} // match any host the tests use
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// checkContract validates a real answer against api/openapi.yaml: the route and status must
// be declared, and a JSON body must match its schema. Every request a handler test sends goes
// through here, so the contract cannot drift from what the server does.
func checkContract(t testing.TB, req *http.Request, code int, header http.Header, body []byte) {
	t.Helper()
	router, err := contract()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	if code == http.StatusNotFound && strings.Contains(string(body), `"code":"route_not_found"`) ||
		code == http.StatusBadRequest && strings.Contains(string(body), `"code":"method_not_allowed"`) ||
		code == http.StatusBadRequest && !strings.HasPrefix(req.URL.Path, "/01/") && strings.Contains(string(body), `"code":"invalid_digital_link"`) {
		return // no route (a malformed Digital Link outside /01/ included): nothing in the contract to check against
	}
	if code >= 500 {
		// Any operation may fail inside (500) or lose its database (503); those answers are
		// problem documents, which is all the contract says of them.
		if header.Get("Content-Type") != api.ProblemContentType {
			t.Errorf("contract: %s %s → %d is not problem+json", req.Method, req.URL.Path, code)
		}
		return
	}
	if rest, ok := strings.CutPrefix(req.URL.Path, "/01/"); ok {
		// A Digital Link path spans several segments; the contract documents it as /01/{ai}.
		req = req.Clone(req.Context())
		req.URL.Path, req.URL.RawPath = "/01/"+strings.ReplaceAll(rest, "/", "%2F"), ""
	}
	route, params, err := router.FindRoute(req)
	if err != nil && code == http.StatusOK && strings.HasPrefix(header.Get("Content-Type"), "text/html") &&
		(strings.HasPrefix(req.URL.Path, "/v/") || strings.HasPrefix(req.URL.Path, "/V/")) {
		return // a damaged link under /v/ gets the consumer's page: no route to check against
	}
	if err != nil {
		t.Errorf("contract: %s %s is not in api/openapi.yaml: %v", req.Method, req.URL.Path, err)
		return
	}
	ct := header.Get("Content-Type")
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 code,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			// Files (PDF, PNG, CSV, ZIP, HTML) are checked by their own tests.
			ExcludeResponseBody: !strings.Contains(ct, "json"),
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("contract: %s %s → %d does not match api/openapi.yaml: %v\nbody: %.300s", req.Method, req.URL.Path, code, err, body)
	}
}
