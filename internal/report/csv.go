package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"gimark/internal/decimal"
	"gimark/internal/sales"
)

// Figure kinds: how a figure's values are written.
const (
	FigureCount = "count" // a whole number
	FigureFen   = "fen"   // an amount in fen, written in yuan
	FigureGrams = "grams" // a weight in grams, written in kilograms
)

// Figure is one of the report's yearly figures: this year's, last year's and the change.
// Label is the page's name (its unit shown beside the value), Name the spreadsheet's.
type Figure struct {
	Label, Unit, Name string
	Kind              string
	This, Prev        int64
	Change            string
}

// Figures lists the report's yearly figures in order: the one list behind the CSV rows and
// the console's report page, so the two show the same figures.
func (s *Summary) Figures() []Figure {
	t, p, ch := s.This, s.Prev, s.Change
	return []Figure{
		{"授权使用企业", "家", "授权使用企业数", FigureCount, t.AuthorizedEnterprises, p.AuthorizedEnterprises, ch.AuthorizedEnterprises},
		{"核准备案", "件", "核准备案数", FigureCount, t.FilingsApproved, p.FilingsApproved, ch.FilingsApproved},
		{"其中换标", "件", "其中换标数", FigureCount, t.SwitchesApproved, p.SwitchesApproved, ch.SwitchesApproved},
		{"发放标签", "枚", "发放标签数", FigureCount, t.LabelsIssued, p.LabelsIssued, ch.LabelsIssued},
		{"扫码查询", "次", "扫码查询次数", FigureCount, t.Scans, p.Scans, ch.Scans},
		{"网络销售额", "元", "网络销售额(元)", FigureFen, t.OnlineFen, p.OnlineFen, ch.OnlineFen},
		{"出口额", "元", "出口额(元)", FigureFen, t.ExportFen, p.ExportFen, ch.ExportFen},
		{"出口量", "千克", "出口量(千克)", FigureGrams, t.ExportG, p.ExportG, ch.ExportG},
		{"线下销售额", "元", "线下销售额(元)", FigureFen, t.OfflineFen, p.OfflineFen, ch.OfflineFen},
		{"假冒线索", "条", "假冒线索数", FigureCount, t.SignalsRaised, p.SignalsRaised, ch.SignalsRaised},
		{"其中确认假冒", "条", "其中确认假冒数", FigureCount, t.SignalsConfirmed, p.SignalsConfirmed, ch.SignalsConfirmed},
	}
}

// Rows is the report as spreadsheet rows: the one table behind both CSV downloads (the
// API's summary.csv and the console's report.csv), so the two cannot drift. Every cell
// that a spreadsheet would read as a formula is escaped (see CSVSafe).
func (s *Summary) Rows() [][]string {
	scope := "全部产品"
	if s.Product != nil {
		scope = s.Product.Name
	}
	y, py := strconv.Itoa(s.Scope.Year), strconv.Itoa(s.Scope.Year-1)
	rows := [][]string{
		{"地理标志品牌价值报告", scope, y},
		{"指标", y + "年", py + "年", "同比(%)"},
	}
	for _, f := range s.Figures() {
		rows = append(rows, []string{f.Name, f.Format(f.This), f.Format(f.Prev), f.Change})
	}
	rows = append(rows,
		[]string{},
		[]string{"月份", "网络销售额(元)", "出口额(元)", "出口量(千克)", "线下销售额(元)"},
	)
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

// Format writes v as the spreadsheet does: yuan with two decimals, kilograms with three,
// or a whole number.
func (f Figure) Format(v int64) string {
	switch f.Kind {
	case FigureFen:
		return decimal.FormatFen(v)
	case FigureGrams:
		return decimal.FormatGrams(v)
	}
	return strconv.FormatInt(v, 10)
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
