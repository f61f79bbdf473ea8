package api_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/internal/decimal"
	"gimark/internal/demo"
	"gimark/internal/filestore"
	"gimark/model"
)

// TestDemoReport loads the Baiyin demo into a fresh database and reads the 2021 report
// through the HTTP API: the figures DESIGN.md quotes.
func TestDemoReport(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var out bytes.Buffer
		files, err := filestore.New(filepath.Join(e.DataDir, "documents"))
		if err != nil {
			t.Fatal(err)
		}
		env := demo.Env{Files: files, PasswordFile: filepath.Join(e.DataDir, "demo-password.txt")}
		if err := demo.Load(t.Context(), e.Store, e.Clock, env, &out); err != nil {
			t.Fatalf("demo: %v", err)
		}
		m := regexp.MustCompile(`demo-reviewer / (\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no demo password printed: %s", out.String())
		}
		password := m[1]
		var sales, docs int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&sales)
		e.Store.DB().Model(&model.Document{}).Count(&docs)
		// Loading twice changes nothing, and prints the password again.
		out.Reset()
		if err := demo.Load(t.Context(), e.Store, e.Clock, env, &out); err != nil || !strings.Contains(out.String(), "already loaded") {
			t.Fatalf("second load: %v %s", err, out.String())
		}
		if !strings.Contains(out.String(), "demo-reviewer / "+password) || !strings.Contains(out.String(), "demo-ent-01 … demo-ent-91 / "+password) {
			t.Fatalf("second load does not print the demo passwords: %s", out.String())
		}
		var again, docsAgain int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&again)
		e.Store.DB().Model(&model.Document{}).Count(&docsAgain)
		if again != sales || docsAgain != docs {
			t.Fatalf("second load wrote %d sales rows and %d documents", again-sales, docsAgain-docs)
		}
		// Without the kept file, a second run says how to set a new password.
		out.Reset()
		if err := demo.Load(t.Context(), e.Store, e.Clock, demo.Env{}, &out); err != nil || !strings.Contains(out.String(), "gimark passwd demo-reviewer") {
			t.Fatalf("second load without the password file: %v %s", err, out.String())
		}
		demoReviewer := e.Login("demo-reviewer", password).AccessToken
		e.Login("demo-ent-07", password)
		checkDemoWork(t, e, demoReviewer)

		rev := e.Reviewer("rev")
		var r struct {
			AuthorizedEnterprises int64  `json:"authorized_enterprises"`
			SwitchesApproved      int64  `json:"switches_approved"`
			LabelsIssued          int64  `json:"labels_issued"`
			Scans                 int64  `json:"scans"`
			OnlineSalesCNY        string `json:"online_sales_cny"`
			ExportCNY             string `json:"export_cny"`
			PreviousYear          struct {
				AuthorizedEnterprises int64  `json:"authorized_enterprises"`
				OnlineSalesCNY        string `json:"online_sales_cny"`
				ExportCNY             string `json:"export_cny"`
			} `json:"previous_year"`
			Change     map[string]string `json:"change_percent"`
			BrandValue struct {
				History       []struct{ Year int } `json:"history"`
				LabelsIssued  int64                `json:"labels_issued"`
				LabelsScanned int64                `json:"labels_scanned"`
				Share         string               `json:"share_scanned_percent"`
			} `json:"brand_value_inputs"`
		}
		e.Get("/api/v1/reports/summary?year=2021", rev.Token).JSON(t, &r)
		export, _ := decimal.ParseYuan(r.ExportCNY)
		prevOnline, _ := decimal.ParseYuan(r.PreviousYear.OnlineSalesCNY)
		prevExport, _ := decimal.ParseYuan(r.PreviousYear.ExportCNY)
		if r.AuthorizedEnterprises != 91 || r.SwitchesApproved != 80 || r.OnlineSalesCNY != "237000000.00" ||
			export < 4_000_000_00 || export > 5_000_000_00 {
			t.Fatalf("2021 report: %+v", r)
		}
		if r.PreviousYear.AuthorizedEnterprises >= 91 || prevOnline >= 237_000_000_00 || prevExport >= export ||
			strings.HasPrefix(r.Change["online_sales_cny"], "-") || r.Change["online_sales_cny"] == "" {
			t.Fatalf("2020 does not show growth: %+v", r)
		}
		bv := r.BrandValue
		if bv.LabelsScanned == 0 || bv.LabelsScanned > bv.LabelsIssued || bv.Share == "" || strings.HasPrefix(bv.Share, "-") ||
			len(bv.Share) > 4 && bv.Share != "100.0" {
			t.Fatalf("label coverage: %+v", bv)
		}
		if r.LabelsIssued == 0 || r.Scans == 0 || len(r.BrandValue.History) < 2 {
			t.Fatalf("labels, scans or history missing: %+v", r)
		}
		var products struct{ Total int64 }
		e.Get("/api/v1/products?q=会宁扁豆", "").JSON(t, &products)
		if products.Total != 1 {
			t.Fatal("the certification mark 会宁扁豆 is not in the catalog")
		}
	})
}

// checkDemoWork: the demo leaves work to see. Three submitted filings wait in the review
// queue, oldest submission first, each with a business licence and an origin proof that
// download as PDFs; one filing is returned with the reviewer's reason; approved filings
// carry their documents; signals show a copied label and unknown codes tried repeatedly.
func checkDemoWork(t *testing.T, e *apitest.Env, token string) {
	t.Helper()
	type filing struct {
		ID             int64      `json:"id"`
		Status         string     `json:"status"`
		DecisionReason string     `json:"decision_reason"`
		SubmittedAt    *time.Time `json:"submitted_at"`
		Documents      []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"documents"`
	}
	var queue struct {
		Items []filing `json:"items"`
		Total int64    `json:"total"`
	}
	e.Get("/api/v1/filings?status=submitted", token).JSON(t, &queue)
	if queue.Total != 3 {
		t.Fatalf("review queue holds %d filings, want 3", queue.Total)
	}
	for i, it := range queue.Items {
		if i > 0 && !queue.Items[i-1].SubmittedAt.Before(*it.SubmittedAt) {
			t.Fatalf("queue not oldest first: %+v", queue.Items)
		}
		var f filing
		e.Get(fmt.Sprintf("/api/v1/filings/%d", it.ID), token).JSON(t, &f)
		var kinds []string
		for _, d := range f.Documents {
			kinds = append(kinds, d.Kind)
		}
		if !slices.Contains(kinds, "business_license") || !slices.Contains(kinds, "origin_proof") {
			t.Fatalf("queued filing %d has documents %v", f.ID, kinds)
		}
		r := e.Get(fmt.Sprintf("/api/v1/filings/%d/documents/%d", f.ID, f.Documents[0].ID), token)
		if r.Code != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("document download: %d %v", r.Code, r.Header)
		}
		if bin, err := exec.LookPath("pdftotext"); err == nil {
			path := filepath.Join(t.TempDir(), "doc.pdf")
			os.WriteFile(path, r.Body, 0o600)
			if txt, err := exec.Command(bin, path, "-").Output(); err != nil || !strings.Contains(string(txt), "Business licence") {
				t.Fatalf("pdftotext of a demo document: %v %q", err, txt)
			}
		}
	}
	var returned struct{ Items []filing }
	e.Get("/api/v1/filings?status=returned", token).JSON(t, &returned)
	if len(returned.Items) != 1 || returned.Items[0].DecisionReason == "" {
		t.Fatalf("returned filings: %+v", returned.Items)
	}
	var approved struct{ Items []filing }
	e.Get("/api/v1/filings?status=approved&page_size=5", token).JSON(t, &approved)
	for _, it := range approved.Items {
		var f filing
		e.Get(fmt.Sprintf("/api/v1/filings/%d", it.ID), token).JSON(t, &f)
		if len(f.Documents) < 2 {
			t.Fatalf("approved filing %d has %d documents", f.ID, len(f.Documents))
		}
	}
	e.Recorder.Sync()
	for kind, want := range map[string]int64{"over_scanned": 1, "unknown_code": 3} {
		var sig struct{ Total int64 }
		e.Get("/api/v1/signals?kind="+kind, token).JSON(t, &sig)
		if sig.Total < want {
			t.Fatalf("%d %s signals, want at least %d", sig.Total, kind, want)
		}
	}
}
