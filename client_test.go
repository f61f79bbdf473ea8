package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// client drives a running server over HTTP for the process-level tests.
type client struct {
	t    *testing.T
	base string
}

func newClient(t *testing.T, base string) *client { return &client{t: t, base: base} }

func (c *client) try(method, path, token string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		return out, fmt.Errorf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out, nil
}

func (c *client) call(method, path, token string, body any) map[string]any {
	c.t.Helper()
	out, err := c.try(method, path, token, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

func (c *client) login(u, p string) string {
	return c.call("POST", "/api/v1/auth/login", "", map[string]string{"username": u, "password": p})["access_token"].(string)
}

// setupApprovedFiling makes a product, a reviewer and an enterprise with approved filing 1,
// and returns the enterprise's token. The admin password is admin-password-1.
func (c *client) setupApprovedFiling() string {
	admin := c.login("admin", "admin-password-1")
	c.call("POST", "/api/v1/products", admin, map[string]string{"name": "靖远枸杞", "kind": "protected_product", "reference_number": "x", "region_code": "620421"})
	c.call("POST", "/api/v1/users", admin, map[string]string{"username": "rev", "password": "reviewer-pass-1", "role": "reviewer"})
	c.call("POST", "/api/v1/auth/register", "", map[string]any{"username": "ent", "password": "enterprise-pass-1", "enterprise": map[string]string{
		"uscc": "914403001922038216", "name": "企业", "legal_representative": "张三", "address": "靖远县", "region_code": "620421", "contact_phone": "0943-1234567"}})
	ent, rev := c.login("ent", "enterprise-pass-1"), c.login("rev", "reviewer-pass-1")
	c.call("POST", "/api/v1/filings", ent, map[string]any{"product_id": 1, "kind": "new", "production_address": "x", "annual_output_kg": "1"})
	c.upload(ent, 1, "business_license")
	c.upload(ent, 1, "origin_proof")
	c.call("POST", "/api/v1/filings/1/submit", ent, nil)
	c.call("POST", "/api/v1/filings/1/approve", rev, nil)
	return ent
}

// upload attaches a small PDF of the given kind to a filing (submission needs a business
// licence and an origin proof).
func (c *client) upload(token string, filing int, kind string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", kind+".pdf")
	_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/filings/%d/documents", c.base, filing), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		c.t.Fatalf("upload %s: %d", kind, resp.StatusCode)
	}
}

// codes downloads a batch's codes.
func (c *client) codes(token string, batch int) []string {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/label-batches/%d/codes.csv", c.base, batch), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(body), "\n")[1:] {
		if f := strings.Split(line, ","); len(f) == 3 {
			out = append(out, f[1])
		}
	}
	return out
}
