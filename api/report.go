package api

import (
	"bytes"
	"errors"
	"net/http"

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
	SignalsRaised         int64  `json:"signals_raised"`
	SignalsConfirmed      int64  `json:"signals_confirmed"`
}

func toYear(f model.YearFigures) yearResponse {
	return yearResponse{Year: f.Year, AuthorizedEnterprises: f.AuthorizedEnterprises, FilingsApproved: f.FilingsApproved,
		SwitchesApproved: f.SwitchesApproved, LabelsIssued: f.LabelsIssued, Scans: f.Scans,
		OnlineSalesCNY: decimal.FormatFen(f.OnlineFen), ExportCNY: decimal.FormatFen(f.ExportFen),
		ExportQuantityKg: decimal.FormatGrams(f.ExportG), OfflineSalesCNY: decimal.FormatFen(f.OfflineFen),
		SignalsRaised: f.SignalsRaised, SignalsConfirmed: f.SignalsConfirmed}
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
	LabelsPrinted printedResponse   `json:"labels_printed"`
}

// printedResponse counts the labels printed in the year, from the print log.
type printedResponse struct {
	First     int64 `json:"first"`
	Reprinted int64 `json:"reprinted"`
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
	t, ch := s.This, s.Change
	out.Change = map[string]string{}
	for k, v := range map[string]string{
		"authorized_enterprises": ch.AuthorizedEnterprises, "online_sales_cny": ch.OnlineFen, "export_cny": ch.ExportFen,
		"export_quantity_kg": ch.ExportG, "labels_issued": ch.LabelsIssued, "scans": ch.Scans, "offline_sales_cny": ch.OfflineFen,
	} {
		if v != "" {
			out.Change[k] = v
		}
	}
	bv := brandValueInputs{
		Note:      "Inputs for a brand-value evaluation (GB/T 36678-2018, ISO 10668), as recorded in gimark; not an official brand value.",
		Producers: s.Producers, AuthorizedUsers: t.AuthorizedEnterprises,
		SalesByChannelCNY: map[string]string{"online": decimal.FormatFen(t.OnlineFen), "export": decimal.FormatFen(t.ExportFen), "offline": decimal.FormatFen(t.OfflineFen)},
		ExportsByCountry:  out.ByCountry, QuantityKg: decimal.FormatGrams(t.QuantityG),
		LabelsIssued: t.LabelsIssued, LabelsScanned: t.LabelsScanned, ShareScannedPercent: s.ScannedShare,
	}
	for _, h := range s.History {
		bv.History = append(bv.History, toYear(h))
	}
	out.BrandValueIns = bv
	out.LabelsPrinted = printedResponse{First: s.Printed.First, Reprinted: s.Printed.Again}
	return out
}

func (a *app) summaryArgs(c *gin.Context) (int64, int, error) {
	var fe model.Fields
	productID := queryInt64(c, "product_id", &fe)
	year, err := report.ParseYear(c.Query("year"))
	if err != nil {
		var me *model.Error
		if errors.As(err, &me) {
			fe = append(fe, me.Fields...)
		}
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

// summaryCSV writes the same figures as CSV: report.Summary's rows, as the console's download.
func (a *app) summaryCSV(c *gin.Context) error {
	productID, year, err := a.summaryArgs(c)
	if err != nil {
		return err
	}
	s, err := a.Reports.Summary(c.Request.Context(), principal(c), productID, year)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := s.WriteCSV(&b); err != nil {
		return err
	}
	c.Header("Content-Disposition", "attachment; filename="+s.CSVFilename())
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}
