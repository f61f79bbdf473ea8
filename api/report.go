package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/internal/decimal"
	"gimark/internal/report"
	"gimark/internal/sales"
	"gimark/model"
)

type yearResponse struct {
	Year                  int    `json:"year"`
	AuthorizedEnterprises int64  `json:"authorized_enterprises"`
	FilingsApproved       int64  `json:"filings_approved"`
	SwitchesApproved      int64  `json:"switches_approved"`
	LabelsIssued          int64  `json:"labels_issued"`
	Scans                 int64  `json:"scans"`
	OnlineSalesCNY        string `json:"online_sales_cny"`
	ExportCNY             string `json:"export_cny"`
	ExportQuantityKg      string `json:"export_quantity_kg"`
	OfflineSalesCNY       string `json:"offline_sales_cny"`
}

func toYear(f model.YearFigures) yearResponse {
	return yearResponse{Year: f.Year, AuthorizedEnterprises: f.AuthorizedEnterprises, FilingsApproved: f.FilingsApproved,
		SwitchesApproved: f.SwitchesApproved, LabelsIssued: f.LabelsIssued, Scans: f.Scans,
		OnlineSalesCNY: decimal.FormatFen(f.OnlineFen), ExportCNY: decimal.FormatFen(f.ExportFen),
		ExportQuantityKg: decimal.FormatGrams(f.ExportG), OfflineSalesCNY: decimal.FormatFen(f.OfflineFen)}
}

type monthResponse struct {
	Month            string `json:"month"`
	OnlineSalesCNY   string `json:"online_sales_cny"`
	ExportCNY        string `json:"export_cny"`
	ExportQuantityKg string `json:"export_quantity_kg"`
	OfflineSalesCNY  string `json:"offline_sales_cny"`
}

type keyResponse struct {
	Platform   string `json:"platform,omitempty"`
	Country    string `json:"country,omitempty"`
	AmountCNY  string `json:"amount_cny"`
	QuantityKg string `json:"quantity_kg"`
}

type summaryResponse struct {
	yearResponse
	ProductID     *int64            `json:"product_id"`
	ProductName   string            `json:"product_name,omitempty"`
	EnterpriseID  *int64            `json:"enterprise_id,omitempty"`
	ByMonth       []monthResponse   `json:"by_month"`
	ByPlatform    []keyResponse     `json:"by_platform"`
	ByCountry     []keyResponse     `json:"by_country"`
	PreviousYear  yearResponse      `json:"previous_year"`
	Change        map[string]string `json:"change_percent"`
	BrandValueIns brandValueInputs  `json:"brand_value_inputs"`
}

// brandValueInputs are the inputs a brand-value evaluation (GB/T 36678-2018, ISO 10668)
// asks for, labelled as inputs: gimark does not compute a brand value.
type brandValueInputs struct {
	Note                string            `json:"note"`
	Producers           int64             `json:"producers"`
	AuthorizedUsers     int64             `json:"authorized_users"`
	SalesByChannelCNY   map[string]string `json:"sales_by_channel_cny"`
	ExportsByCountry    []keyResponse     `json:"exports_by_country"`
	QuantityKg          string            `json:"quantity_kg"`
	LabelsIssued        int64             `json:"labels_issued"`
	LabelsScanned       int64             `json:"labels_scanned"`
	ShareScannedPercent string            `json:"share_scanned_percent"`
	History             []yearResponse    `json:"history"`
}

func keys(in []model.KeyFigures, country bool) []keyResponse {
	out := make([]keyResponse, len(in))
	for i, k := range in {
		out[i] = keyResponse{AmountCNY: decimal.FormatFen(k.AmountFen), QuantityKg: decimal.FormatGrams(k.QuantityG)}
		if country {
			out[i].Country = k.Key
		} else {
			out[i].Platform = k.Key
		}
	}
	return out
}

func toSummary(s *report.Summary) summaryResponse {
	out := summaryResponse{yearResponse: toYear(s.This), PreviousYear: toYear(s.Prev),
		ByPlatform: keys(s.Platforms, false), ByCountry: keys(s.Countries, true)}
	if s.Product != nil {
		out.ProductID, out.ProductName = &s.Product.ID, s.Product.Name
	}
	if s.Scope.EnterpriseID != 0 {
		out.EnterpriseID = &s.Scope.EnterpriseID
	}
	for _, m := range s.Months {
		out.ByMonth = append(out.ByMonth, monthResponse{Month: sales.FormatPeriod(m.Period), OnlineSalesCNY: decimal.FormatFen(m.OnlineFen),
			ExportCNY: decimal.FormatFen(m.ExportFen), ExportQuantityKg: decimal.FormatGrams(m.ExportG), OfflineSalesCNY: decimal.FormatFen(m.OfflineFen)})
	}
	t, p := s.This, s.Prev
	out.Change = map[string]string{}
	for k, v := range map[string][2]int64{
		"authorized_enterprises": {t.AuthorizedEnterprises, p.AuthorizedEnterprises}, "online_sales_cny": {t.OnlineFen, p.OnlineFen},
		"export_cny": {t.ExportFen, p.ExportFen}, "export_quantity_kg": {t.ExportG, p.ExportG}, "labels_issued": {t.LabelsIssued, p.LabelsIssued},
		"scans": {t.Scans, p.Scans}, "offline_sales_cny": {t.OfflineFen, p.OfflineFen},
	} {
		if c := report.Change(v[0], v[1]); c != "" {
			out.Change[k] = c
		}
	}
	share := ""
	if t.LabelsIssued > 0 {
		share = report.Change(t.LabelsScanned+t.LabelsIssued, t.LabelsIssued) // (scanned/issued)·100, as a percent
	}
	bv := brandValueInputs{
		Note:      "Inputs for a brand-value evaluation (GB/T 36678-2018, ISO 10668), as recorded in gimark; not an official brand value.",
		Producers: s.Producers, AuthorizedUsers: t.AuthorizedEnterprises,
		SalesByChannelCNY: map[string]string{"online": decimal.FormatFen(t.OnlineFen), "export": decimal.FormatFen(t.ExportFen), "offline": decimal.FormatFen(t.OfflineFen)},
		ExportsByCountry:  out.ByCountry, QuantityKg: decimal.FormatGrams(t.QuantityG),
		LabelsIssued: t.LabelsIssued, LabelsScanned: t.LabelsScanned, ShareScannedPercent: share,
	}
	for _, h := range s.History {
		bv.History = append(bv.History, toYear(h))
	}
	out.BrandValueIns = bv
	return out
}

func (a *app) summaryArgs(c *gin.Context) (int64, int, error) {
	var fe model.Fields
	productID := queryInt64(c, "product_id", &fe)
	year := 0
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("year", model.FieldYear, "must be a year such as 2021")
		}
		year = n
	}
	return productID, year, fe.Err()
}

func (a *app) summary(c *gin.Context) error {
	productID, year, err := a.summaryArgs(c)
	if err != nil {
		return err
	}
	s, err := a.Reports.Summary(c.Request.Context(), principal(c), productID, year)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toSummary(s))
	return nil
}

// summaryCSV writes the same figures as CSV, UTF-8 with a byte-order mark so spreadsheet
// programs (Excel on Windows in particular) read the Chinese correctly.
func (a *app) summaryCSV(c *gin.Context) error {
	productID, year, err := a.summaryArgs(c)
	if err != nil {
		return err
	}
	s, err := a.Reports.Summary(c.Request.Context(), principal(c), productID, year)
	if err != nil {
		return err
	}
	r := toSummary(s)
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	scope := "全部产品"
	if r.ProductName != "" {
		scope = r.ProductName
	}
	rows := [][]string{
		{"地理标志品牌价值报告", scope, strconv.Itoa(r.Year)},
		{"指标", strconv.Itoa(r.Year) + "年", strconv.Itoa(r.PreviousYear.Year) + "年", "同比(%)"},
		{"授权使用企业数", fmt.Sprint(r.AuthorizedEnterprises), fmt.Sprint(r.PreviousYear.AuthorizedEnterprises), r.Change["authorized_enterprises"]},
		{"核准备案数", fmt.Sprint(r.FilingsApproved), fmt.Sprint(r.PreviousYear.FilingsApproved), ""},
		{"其中换标数", fmt.Sprint(r.SwitchesApproved), fmt.Sprint(r.PreviousYear.SwitchesApproved), ""},
		{"发放标签数", fmt.Sprint(r.LabelsIssued), fmt.Sprint(r.PreviousYear.LabelsIssued), r.Change["labels_issued"]},
		{"扫码查询次数", fmt.Sprint(r.Scans), fmt.Sprint(r.PreviousYear.Scans), r.Change["scans"]},
		{"网络销售额(元)", r.OnlineSalesCNY, r.PreviousYear.OnlineSalesCNY, r.Change["online_sales_cny"]},
		{"出口额(元)", r.ExportCNY, r.PreviousYear.ExportCNY, r.Change["export_cny"]},
		{"出口量(千克)", r.ExportQuantityKg, r.PreviousYear.ExportQuantityKg, r.Change["export_quantity_kg"]},
		{"线下销售额(元)", r.OfflineSalesCNY, r.PreviousYear.OfflineSalesCNY, r.Change["offline_sales_cny"]},
		{},
		{"月份", "网络销售额(元)", "出口额(元)", "出口量(千克)", "线下销售额(元)"},
	}
	for _, m := range r.ByMonth {
		rows = append(rows, []string{m.Month, m.OnlineSalesCNY, m.ExportCNY, m.ExportQuantityKg, m.OfflineSalesCNY})
	}
	rows = append(rows, []string{}, []string{"电商平台", "网络销售额(元)", "销量(千克)"})
	for _, p := range r.ByPlatform {
		rows = append(rows, []string{p.Platform, p.AmountCNY, p.QuantityKg})
	}
	rows = append(rows, []string{}, []string{"出口国家/地区", "出口额(元)", "出口量(千克)"})
	for _, p := range r.ByCountry {
		rows = append(rows, []string{p.Country, p.AmountCNY, p.QuantityKg})
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=gimark-report-%d.csv", r.Year))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}
