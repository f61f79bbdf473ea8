package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// The scan analytics pages show scanstats.Service's figures (the API's
// /api/v1/label-batches/{id}/scans and /api/v1/products/{id}/scans) for a period: scans per
// day, activation, distinct networks and signals by rule. The bureau sees every label; an
// enterprise its own labels only (the service decides).

type scansData struct {
	St       *model.ScanStats
	Batch    *model.LabelBatch // the batch page's; nil for a product
	Product  *model.Product
	Products []model.Product // the product choice
	Action   string          // the range form's target
	Period   string          // the period shown, in days
	Share    string          // activation: labels scanned at least once, in percent
	Rules    []ruleCount
	Charts   []chartView
}

type ruleCount struct {
	Rule string
	N    int64
}

// ProductScans is a product's analytics; without ?product_id= it offers the choice.
func (h *Console) ProductScans(c *gin.Context) error {
	p, _ := principalOf(c)
	ctx := c.Request.Context()
	d := scansData{Action: "/console/scans", Products: h.scanProducts(c, p)}
	v := h.newView(c, "扫码分析", "scans")
	id := queryID(c, "product_id")
	v.Form["product_id"] = c.Query("product_id")
	from, to, err := dateRange(c, v)
	if id == 0 && err == nil {
		if len(d.Products) == 0 {
			v.Data = d
			return h.render(c, http.StatusOK, "scans.html", v)
		}
		id = d.Products[0].ID
		v.Form["product_id"] = itoa(id)
	}
	if err == nil {
		d.Product, err = h.Catalog.Get(ctx, id)
	}
	if err == nil {
		d.St, err = h.ScanStats.Product(ctx, p, id, from, to)
	}
	v.Data = &d
	if err != nil {
		return refuse(err, "scans.html", v, nil, nil)
	}
	if d.Product != nil {
		v.Title = "扫码分析 · " + d.Product.Name
	}
	h.fillScans(&d)
	return h.render(c, http.StatusOK, "scans.html", v)
}

// scanProducts are the products the choice offers: the bureau every active product, an
// enterprise the products it has filings for.
func (h *Console) scanProducts(c *gin.Context, p model.Principal) []model.Product {
	all := h.activeProducts(c)
	if p.IsStaff() {
		return all
	}
	filings, _, err := h.Filings.List(c.Request.Context(), p, model.FilingFilter{}, model.Page{Page: 1, PageSize: 100})
	if err != nil {
		h.log.Warn("console scan products", "request_id", c.GetString("request_id"), "err", err.Error())
	}
	var out []model.Product
	for _, pr := range all {
		if slices.ContainsFunc(filings, func(f model.Filing) bool { return f.ProductID == pr.ID }) {
			out = append(out, pr)
		}
	}
	return out
}

// BatchScans is a batch's analytics (linked from the batch page).
func (h *Console) BatchScans(c *gin.Context) error {
	b, p, err := h.batchOfPath(c)
	if err != nil {
		return err
	}
	id, ctx := b.ID, c.Request.Context()
	v := h.newView(c, "扫码分析 · 标签批次 #"+itoa(id), "scans")
	d := scansData{Batch: b, Action: "/console/batches/" + itoa(id) + "/scans"}
	v.Data = &d
	from, to, err := dateRange(c, v)
	if err == nil {
		d.St, err = h.ScanStats.Batch(ctx, p, id, from, to)
	}
	if err != nil {
		return refuse(err, "scans.html", v, nil, nil)
	}
	h.fillScans(&d)
	return h.render(c, http.StatusOK, "scans.html", v)
}

// fillScans works out the figures and charts of d.St.
func (h *Console) fillScans(d *scansData) {
	st := d.St
	last := st.To.Add(-time.Nanosecond).In(cst)
	d.Period = st.From.In(cst).Format("2006-01-02") + " 至 " + last.Format("2006-01-02")
	if st.LabelsIssued > 0 {
		d.Share = strconv.FormatFloat(float64(st.LabelsScanned)*100/float64(st.LabelsIssued), 'f', 1, 64)
	}
	for _, r := range model.SignalRules {
		if n := st.SignalsByRule[r]; n > 0 {
			d.Rules = append(d.Rules, ruleCount{r, n})
		}
	}
	// Every day of the period, scanned or not (the store lists only days with scans).
	byDay := map[string]model.DayScans{}
	for _, day := range st.Days {
		byDay[day.Date] = day
	}
	var days []string
	var scans, nets []int64
	for t := st.From.In(cst); t.Before(st.To); t = t.AddDate(0, 0, 1) {
		key := t.Format("2006-01-02")
		days, scans, nets = append(days, key[5:]), append(scans, byDay[key].Scans), append(nets, byDay[key].Networks)
	}
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	var ruleLabels []string
	var ruleValues []int64
	for _, r := range d.Rules {
		ruleLabels, ruleValues = append(ruleLabels, or(ruleNames[r.Rule], r.Rule)), append(ruleValues, r.N)
	}
	d.Charts = []chartView{
		{"每日扫码次数与网络数", barChart("每日扫码次数与网络数", days, []series{{"扫码次数", "#7a1f1f", scans}, {"不同网络", "#c9ccd1", nets}}, count)},
		{"按规则的线索数", hbarChart("按规则的线索数", ruleLabels, ruleValues, "#1f5f9a", count)},
	}
}
