package api_test

import (
	"bytes"
	"strings"
	"testing"

	"gimark/internal/apitest"
	"gimark/internal/decimal"
	"gimark/internal/demo"
	"gimark/model"
)

// TestDemoReport loads the Baiyin demo into a fresh database and reads the 2021 report
// through the HTTP API: the figures DESIGN.md quotes.
func TestDemoReport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var out bytes.Buffer
		if err := demo.Load(t.Context(), e.Store, e.Clock, &out); err != nil {
			t.Fatalf("demo: %v", err)
		}
		if !strings.Contains(out.String(), "demo-reviewer / ") {
			t.Fatalf("no demo password printed: %s", out.String())
		}
		var sales int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&sales)
		// Loading twice changes nothing.
		out.Reset()
		if err := demo.Load(t.Context(), e.Store, e.Clock, &out); err != nil || !strings.Contains(out.String(), "already loaded") {
			t.Fatalf("second load: %v %s", err, out.String())
		}
		var again int64
		e.Store.DB().Model(&model.SalesRecord{}).Count(&again)
		if again != sales {
			t.Fatalf("second load wrote %d sales rows", again-sales)
		}

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
