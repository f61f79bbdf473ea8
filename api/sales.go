package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/decimal"
	"gimark/internal/sales"
	"gimark/model"
)

type salesRow struct {
	ProductID  int64  `json:"product_id"`
	Period     string `json:"period"`
	Channel    string `json:"channel"`
	Platform   string `json:"platform"`
	Country    string `json:"country"`
	AmountCNY  string `json:"amount_cny"`
	QuantityKg string `json:"quantity_kg"`
}

type salesPut struct {
	Records []salesRow `json:"records"`
}

type salesResponse struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	ProductID    int64     `json:"product_id"`
	Period       string    `json:"period"`
	Channel      string    `json:"channel"`
	Platform     string    `json:"platform,omitempty"`
	Country      string    `json:"country,omitempty"`
	AmountCNY    string    `json:"amount_cny"`
	QuantityKg   string    `json:"quantity_kg"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toSalesResponse(r *model.SalesRecord) salesResponse {
	return salesResponse{ID: r.ID, EnterpriseID: r.EnterpriseID, ProductID: r.ProductID, Period: sales.FormatPeriod(r.Period),
		Channel: r.Channel, Platform: r.Platform, Country: r.Country, AmountCNY: decimal.FormatFen(r.AmountFen),
		QuantityKg: decimal.FormatGrams(r.QuantityG), UpdatedAt: r.UpdatedAt.UTC()}
}

func (a *app) putSales(c *gin.Context) error {
	var req salesPut
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	rows := make([]sales.Row, len(req.Records))
	for i, r := range req.Records {
		rows[i] = sales.Row(r)
	}
	created, replaced, err := a.Sales.Put(c.Request.Context(), principal(c), rows)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"created": created, "replaced": replaced})
	return nil
}

func (a *app) listSales(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var fe model.Fields
	f := model.SalesFilter{ProductID: queryInt64(c, "product_id", &fe), Channel: c.Query("channel")}
	if v := c.Query("period_from"); v != "" {
		if f.PeriodFrom, _ = sales.ParsePeriod(v); f.PeriodFrom == 0 {
			fe.Add("period_from", model.FieldMonth, "must be a month as YYYY-MM")
		}
	}
	if v := c.Query("period_to"); v != "" {
		if f.PeriodTo, _ = sales.ParsePeriod(v); f.PeriodTo == 0 {
			fe.Add("period_to", model.FieldMonth, "must be a month as YYYY-MM")
		}
	}
	switch f.Channel {
	case "", model.ChannelOnline, model.ChannelExport, model.ChannelOffline:
	default:
		fe.Add("channel", model.FieldChannel, "must be online, export or offline")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	items, total, err := a.Sales.List(c.Request.Context(), principal(c), f, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toSalesResponse, total, page))
	return nil
}
