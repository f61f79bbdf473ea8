package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/internal/decimal"
	"gimark/internal/report"
	"gimark/model"
)

var platformNames = map[string]string{"tmall": "天猫", "jd": "京东", "pinduoduo": "拼多多", "douyin": "抖音", "wechat": "微信", "other": "其他平台"}

// wan writes fen as 万元 with one decimal: the unit the bureau's reports use.
func wan(fen int64) string { return decimal.Format(fen/100_000, 1) }

type figure struct {
	Name, Value, Prev, Unit, Change string
}

type reportData struct {
	S        *report.Summary
	Year     int
	Product  int64
	Years    []int
	Products []model.Product
	Figures  []figure
	Charts   []chartView
	CSV      string
}

type chartView struct {
	Title string
	SVG   template.HTML
}

// reportArgs reads the product and the year; a junk year is refused as the API refuses it.
func (h *Console) reportArgs(c *gin.Context) (int64, int, error) {
	year, err := report.ParseYear(c.Query("year"))
	return queryID(c, "product_id"), year, err
}

// reportPage is the brand-value report as figures and charts: the bureau sees everything, an
// enterprise its own figures (report.Service decides).
func (h *Console) ReportPage(c *gin.Context) error {
	p, _ := principalOf(c)
	productID, year, err := h.reportArgs(c)
	v := h.newView(c, "品牌价值报告", "report")
	// The years with activity: the list covers all of them, and without ?year= the report
	// opens on the newest (not an empty current year).
	active, yerr := h.Reports.Years(c.Request.Context(), p, productID)
	if yerr != nil {
		h.log.Warn("console report years", "request_id", c.GetString("request_id"), "err", yerr.Error())
	}
	years := yearsUpTo(h.Now().Year(), active)
	if year == 0 && len(active) > 0 && c.Query("year") == "" {
		year = active[0]
	}
	var s *report.Summary
	if err == nil {
		s, err = h.Reports.Summary(c.Request.Context(), p, productID, year)
	}
	if err != nil {
		v.Data = reportData{Products: h.activeProducts(c), Year: year, Product: productID, Years: years}
		return refuse(err, "report.html", v, nil, nil)
	}
	d := reportData{S: s, Year: s.Scope.Year, Product: productID, Products: h.activeProducts(c), Years: years,
		CSV: fmt.Sprintf("/console/report.csv?year=%d&product_id=%d", s.Scope.Year, productID)}
	// The figures of the CSV (report.Summary.Figures), amounts in 万元 and weights in kg.
	for _, f := range s.Figures() {
		fig := figure{Name: f.Label, Value: f.Format(f.This), Prev: f.Format(f.Prev), Unit: f.Unit, Change: f.Change}
		switch f.Kind {
		case report.FigureFen:
			fig.Value, fig.Prev, fig.Unit = wan(f.This), wan(f.Prev), "万元"
		case report.FigureGrams:
			fig.Value, fig.Prev = decimal.Format(f.This/1000, 0), decimal.Format(f.Prev/1000, 0)
		}
		d.Figures = append(d.Figures, fig)
	}
	months := make([]string, 12)
	online, onlinePrev, export, exportPrev := make([]int64, 12), make([]int64, 12), make([]int64, 12), make([]int64, 12)
	for i := range months {
		months[i] = strconv.Itoa(i+1) + "月"
	}
	for _, m := range s.Months {
		if i := m.Period%100 - 1; i >= 0 && i < 12 {
			online[i], export[i] = m.OnlineFen, m.ExportFen
		}
	}
	for _, m := range s.PrevMonths {
		if i := m.Period%100 - 1; i >= 0 && i < 12 {
			onlinePrev[i], exportPrev[i] = m.OnlineFen, m.ExportFen
		}
	}
	this, last := strconv.Itoa(s.Scope.Year)+"年", strconv.Itoa(s.Scope.Year-1)+"年"
	var plats, ctrs []string
	var platV, ctrV []int64
	for _, k := range s.Platforms {
		plats, platV = append(plats, or(platformNames[k.Key], k.Key)), append(platV, k.AmountFen)
	}
	for _, k := range s.Countries {
		ctrs, ctrV = append(ctrs, countryName(k.Key)), append(ctrV, k.AmountFen)
	}
	d.Charts = []chartView{
		{"网络销售额（万元）按月", barChart("网络销售额（万元）按月", months, []series{{last, "#c9ccd1", onlinePrev}, {this, "#7a1f1f", online}}, wan)},
		{"出口额（万元）按月", barChart("出口额（万元）按月", months, []series{{last, "#c9ccd1", exportPrev}, {this, "#1f5f9a", export}}, wan)},
		{"网络销售额（万元）按平台", hbarChart("网络销售额按平台", plats, platV, "#7a1f1f", wan)},
		{"出口额（万元）按国家/地区", hbarChart("出口额按国家或地区", ctrs, ctrV, "#1f5f9a", wan)},
	}
	v.Data = d
	return h.render(c, http.StatusOK, "report.html", v)
}

var countryNames = map[string]string{"US": "美国", "JP": "日本", "KR": "韩国", "MY": "马来西亚", "SG": "新加坡", "TH": "泰国",
	"VN": "越南", "DE": "德国", "NL": "荷兰", "GB": "英国", "FR": "法国", "AU": "澳大利亚", "CA": "加拿大", "RU": "俄罗斯",
	"AE": "阿联酋", "HK": "中国香港", "MO": "中国澳门", "TW": "中国台湾", "ID": "印度尼西亚", "PH": "菲律宾"}

func countryName(code string) string {
	if n, ok := countryNames[code]; ok {
		return n + " " + code
	}
	return code
}

// yearsUpTo is the year list: this year back to the oldest year with activity, and at least
// the last six.
func yearsUpTo(y int, active []int) []int {
	oldest := y - 5
	for _, a := range active {
		oldest = min(oldest, a)
	}
	out := make([]int, 0, y-oldest+1)
	for i := y; i >= oldest; i-- {
		out = append(out, i)
	}
	return out
}

// ReportCSV offers the report's figures as a spreadsheet: report.Summary's rows, the same
// file as the API's summary.csv.
func (h *Console) ReportCSV(c *gin.Context) error {
	p, _ := principalOf(c)
	productID, year, err := h.reportArgs(c)
	if err != nil {
		return err
	}
	s, err := h.Reports.Summary(c.Request.Context(), p, productID, year)
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
