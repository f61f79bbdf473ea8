package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/signal"
	"gimark/model"
)

type dayScansResponse struct {
	Date     string `json:"date"`
	Scans    int64  `json:"scans"`
	Networks int64  `json:"networks"`
}

type scanStatsResponse struct {
	From             time.Time          `json:"from"`
	To               time.Time          `json:"to"`
	Days             []dayScansResponse `json:"days"`
	Scans            int64              `json:"scans"`
	DistinctNetworks int64              `json:"distinct_networks"`
	LabelsIssued     int64              `json:"labels_issued"`
	LabelsScanned    int64              `json:"labels_scanned"`
	SignalsRaised    int64              `json:"signals_raised"`
	SignalsByRule    map[string]int64   `json:"signals_by_rule"`
}

func periodParams(c *gin.Context) (*time.Time, *time.Time, error) {
	var f model.Fields
	from, ok := signal.ParseTime(c.Query("from"))
	if !ok {
		f.Add("from", model.FieldDateTime, "must be a date (2006-01-02) or an RFC 3339 time")
	}
	to, ok := signal.ParseTime(c.Query("to"))
	if !ok {
		f.Add("to", model.FieldDateTime, "must be a date (2006-01-02) or an RFC 3339 time")
	}
	return from, to, f.Err()
}

func (a *app) scanStats(product bool) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		from, to, err := periodParams(c)
		if err != nil {
			return err
		}
		var st *model.ScanStats
		if product {
			st, err = a.ScanStats.Product(c.Request.Context(), principal(c), id, from, to)
		} else {
			st, err = a.ScanStats.Batch(c.Request.Context(), principal(c), id, from, to)
		}
		if err != nil {
			return err
		}
		out := scanStatsResponse{Days: make([]dayScansResponse, len(st.Days)), Scans: st.Scans, DistinctNetworks: st.Networks,
			LabelsIssued: st.LabelsIssued, LabelsScanned: st.LabelsScanned, SignalsRaised: st.Signals, SignalsByRule: st.SignalsByRule}
		out.From, out.To = st.From.UTC(), st.To.UTC()
		for i, d := range st.Days {
			out.Days[i] = dayScansResponse{Date: d.Date, Scans: d.Scans, Networks: d.Networks}
		}
		c.JSON(http.StatusOK, out)
		return nil
	}
}
