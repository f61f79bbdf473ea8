package console

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

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

func (h *Console) reportArgs(c *gin.Context) (int64, int) {
	year, _ := strconv.Atoi(c.Query("year"))
	return queryID(c, "product_id"), year
}

// reportPage is the brand-value report as figures and charts: the bureau sees everything, an
// enterprise its own figures (report.Service decides).
func (h *Console) ReportPage(c *gin.Context) error {
	p, _ := principalOf(c)
	productID, year := h.reportArgs(c)
	v := h.newView(c, "品牌价值报告", "report")
	s, err := h.Reports.Summary(c.Request.Context(), p, productID, year)
	if err != nil {
		v.Data = reportData{Products: h.activeProducts(c), Year: year, Product: productID, Years: yearsUpTo(h.Now().Year())}
		return refuse(err, "report.html", v, nil, nil)
	}
	d := reportData{S: s, Year: s.Scope.Year, Product: productID, Products: h.activeProducts(c), Years: yearsUpTo(h.Now().Year()),
		CSV: fmt.Sprintf("/console/report.csv?year=%d&product_id=%d", s.Scope.Year, productID)}
	t, pr := s.This, s.Prev
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	d.Figures = []figure{
		{"授权使用企业", count(t.AuthorizedEnterprises), count(pr.AuthorizedEnterprises), "家", report.Change(t.AuthorizedEnterprises, pr.AuthorizedEnterprises)},
		{"核准备案", count(t.FilingsApproved), count(pr.FilingsApproved), "件", report.Change(t.FilingsApproved, pr.FilingsApproved)},
		{"其中换标", count(t.SwitchesApproved), count(pr.SwitchesApproved), "件", report.Change(t.SwitchesApproved, pr.SwitchesApproved)},
		{"发放标签", count(t.LabelsIssued), count(pr.LabelsIssued), "枚", report.Change(t.LabelsIssued, pr.LabelsIssued)},
		{"扫码查询", count(t.Scans), count(pr.Scans), "次", report.Change(t.Scans, pr.Scans)},
		{"网络销售额", wan(t.OnlineFen), wan(pr.OnlineFen), "万元", report.Change(t.OnlineFen, pr.OnlineFen)},
		{"出口额", wan(t.ExportFen), wan(pr.ExportFen), "万元", report.Change(t.ExportFen, pr.ExportFen)},
		{"出口量", decimal.Format(t.ExportG/1000, 0), decimal.Format(pr.ExportG/1000, 0), "千克", report.Change(t.ExportG, pr.ExportG)},
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

func yearsUpTo(y int) []int {
	out := make([]int, 0, 6)
	for i := y; i > y-6; i-- {
		out = append(out, i)
	}
	return out
}

// reportCSV offers the report's figures as a spreadsheet, from the same report.Summary as
// the page (UTF-8 with a byte-order mark, for Excel).
func (h *Console) ReportCSV(c *gin.Context) error {
	p, _ := principalOf(c)
	productID, year := h.reportArgs(c)
	s, err := h.Reports.Summary(c.Request.Context(), p, productID, year)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	scope := "全部产品"
	if s.Product != nil {
		scope = s.Product.Name
	}
	t, pr := s.This, s.Prev
	y, py := strconv.Itoa(s.Scope.Year), strconv.Itoa(s.Scope.Year-1)
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := [][]string{
		{"地理标志品牌价值报告", scope, y},
		{"指标", y + "年", py + "年", "同比(%)"},
		{"授权使用企业数", n(t.AuthorizedEnterprises), n(pr.AuthorizedEnterprises), report.Change(t.AuthorizedEnterprises, pr.AuthorizedEnterprises)},
		{"核准备案数", n(t.FilingsApproved), n(pr.FilingsApproved), report.Change(t.FilingsApproved, pr.FilingsApproved)},
		{"其中换标数", n(t.SwitchesApproved), n(pr.SwitchesApproved), report.Change(t.SwitchesApproved, pr.SwitchesApproved)},
		{"发放标签数", n(t.LabelsIssued), n(pr.LabelsIssued), report.Change(t.LabelsIssued, pr.LabelsIssued)},
		{"扫码查询次数", n(t.Scans), n(pr.Scans), report.Change(t.Scans, pr.Scans)},
		{"网络销售额(元)", decimal.FormatFen(t.OnlineFen), decimal.FormatFen(pr.OnlineFen), report.Change(t.OnlineFen, pr.OnlineFen)},
		{"出口额(元)", decimal.FormatFen(t.ExportFen), decimal.FormatFen(pr.ExportFen), report.Change(t.ExportFen, pr.ExportFen)},
		{"出口量(千克)", decimal.FormatGrams(t.ExportG), decimal.FormatGrams(pr.ExportG), report.Change(t.ExportG, pr.ExportG)},
		{},
		{"月份", "网络销售额(元)", "出口额(元)", "出口量(千克)", "线下销售额(元)"},
	}
	for _, m := range s.Months {
		rows = append(rows, []string{fmt.Sprintf("%04d-%02d", m.Period/100, m.Period%100), decimal.FormatFen(m.OnlineFen),
			decimal.FormatFen(m.ExportFen), decimal.FormatGrams(m.ExportG), decimal.FormatFen(m.OfflineFen)})
	}
	rows = append(rows, []string{}, []string{"电商平台", "网络销售额(元)", "销量(千克)"})
	for _, k := range s.Platforms {
		rows = append(rows, []string{k.Key, decimal.FormatFen(k.AmountFen), decimal.FormatGrams(k.QuantityG)})
	}
	rows = append(rows, []string{}, []string{"出口国家/地区", "出口额(元)", "出口量(千克)"})
	for _, k := range s.Countries {
		rows = append(rows, []string{k.Key, decimal.FormatFen(k.AmountFen), decimal.FormatGrams(k.QuantityG)})
	}
	for i := range rows {
		for j, cell := range rows[i] {
			rows[i][j] = csvSafe(cell)
		}
	}
	_ = w.WriteAll(rows)
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=gimark-report-%d.csv", s.Scope.Year))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}

// csvSafe keeps a product name from being read as a spreadsheet formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
