package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// epcisEvents streams an EPCIS 2.0 JSON-LD document of label batches ordered and voided,
// labels voided and authorization status changes (api/openapi.yaml: EPCIS). An enterprise
// reads its own; the bureau reads all. Every check runs before the status is committed.
func (a *app) epcisEvents(c *gin.Context) error {
	var fe model.Fields
	f := model.EPCISFilter{From: time.Unix(0, 0).UTC(), To: a.now().UTC().Add(time.Second)}
	parseTime := func(name string, dst *time.Time) {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				fe.Add(name, model.FieldDateTime, "must be an RFC 3339 date-time, e.g. 2026-01-01T00:00:00+08:00")
				return
			}
			*dst = t.UTC()
		}
	}
	parseTime("from", &f.From)
	parseTime("to", &f.To)
	f.ProductID = queryInt64(c, "product_id", &fe)
	f.EnterpriseID = queryInt64(c, "enterprise_id", &fe)
	if len(fe) == 0 && !f.From.Before(f.To) {
		fe.Add("to", model.FieldNotAfterFrom, "must be after from")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p := principal(c)
	if !p.IsStaff() {
		if f.EnterpriseID != 0 && !p.OwnsEnterprise(f.EnterpriseID) {
			return model.NotFound("enterprise")
		}
		f.EnterpriseID = p.EnterpriseID
	}
	sources, err := a.EPCIS.Sources(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.Header("Content-Type", "application/ld+json")
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := a.EPCIS.WriteSources(c.Request.Context(), sources, c.Writer); err != nil {
		a.log.Error("epcis export stream failed", "request_id", c.GetString(ctxRequestID), "err", err.Error())
	}
	return nil
}

func (a *app) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
