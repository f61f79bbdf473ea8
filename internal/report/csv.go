package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"gimark/internal/decimal"
	"gimark/internal/sales"
)

// Rows is the report as spreadsheet rows: the one table behind both CSV downloads (the
// API's summary.csv and the console's report.csv), so the two cannot drift. Every cell
// that a spreadsheet would read as a formula is escaped (see CSVSafe).
func (s *Summary) Rows() [][]string {
	scope := "全部产品"
	if s.Product != nil {
		scope = s.Product.Name
	}
	t, p, ch := s.This, s.Prev, s.Change
	y, py := strconv.Itoa(s.Scope.Year), strconv.Itoa(s.Scope.Year-1)
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := [][]string{
		{"地理标志品牌价值报告", scope, y},
		{"指标", y + "年", py + "年", "同比(%)"},
		{"授权使用企业数", n(t.AuthorizedEnterprises), n(p.AuthorizedEnterprises), ch.AuthorizedEnterprises},
		{"核准备案数", n(t.FilingsApproved), n(p.FilingsApproved), ch.FilingsApproved},
		{"其中换标数", n(t.SwitchesApproved), n(p.SwitchesApproved), ch.SwitchesApproved},
		{"发放标签数", n(t.LabelsIssued), n(p.LabelsIssued), ch.LabelsIssued},
		{"扫码查询次数", n(t.Scans), n(p.Scans), ch.Scans},
		{"网络销售额(元)", decimal.FormatFen(t.OnlineFen), decimal.FormatFen(p.OnlineFen), ch.OnlineFen},
		{"出口额(元)", decimal.FormatFen(t.ExportFen), decimal.FormatFen(p.ExportFen), ch.ExportFen},
		{"出口量(千克)", decimal.FormatGrams(t.ExportG), decimal.FormatGrams(p.ExportG), ch.ExportG},
		{"线下销售额(元)", decimal.FormatFen(t.OfflineFen), decimal.FormatFen(p.OfflineFen), ch.OfflineFen},
		{},
		{"月份", "网络销售额(元)", "出口额(元)", "出口量(千克)", "线下销售额(元)"},
	}
	for _, m := range s.Months {
		rows = append(rows, []string{sales.FormatPeriod(m.Period), decimal.FormatFen(m.OnlineFen),
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
	for _, r := range rows {
		for j, cell := range r {
			r[j] = CSVSafe(cell)
		}
	}
	return rows
}

// WriteCSV writes Rows as CSV, UTF-8 with a byte-order mark so spreadsheet programs (Excel
// on Windows in particular) read the Chinese correctly.
func (s *Summary) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	return csv.NewWriter(w).WriteAll(s.Rows())
}

// CSVFilename is the download's name.
func (s *Summary) CSVFilename() string {
	return "gimark-report-" + strconv.Itoa(s.Scope.Year) + ".csv"
}

// CSVSafe keeps a cell from being read as a spreadsheet formula (OWASP "CSV injection"): a
// cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe.
// Numbers are left alone, so a negative change such as -12.5 stays a number.
func CSVSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if s[0] == '-' {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	}
	return "'" + s
}
