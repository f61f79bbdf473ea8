package console

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/internal/sales"
	"gimark/model"
)

// SalesUploadRoute takes a CSV of sales figures (multipart; the CSRF token is its first part).
const SalesUploadRoute = "/console/sales/upload"

// salesColumns is the CSV header the upload expects: the API's record fields.
var salesColumns = []string{"product_id", "period", "channel", "platform", "country", "amount_cny", "quantity_kg"}

type salesData struct {
	Items     []model.SalesRecord
	Names     *names
	Pager     pager
	Products  []model.Product
	Platforms []string
	RowErrors []string
}

func (h *Console) salesData(c *gin.Context) salesData {
	p, _ := principalOf(c)
	pg := queryPage(c)
	d := salesData{Names: h.names(c), Platforms: model.Platforms}
	items, total, err := h.Sales.List(c.Request.Context(), p, model.SalesFilter{}, pg)
	if err != nil {
		h.log.Warn("console sales list", "err", err.Error())
	}
	d.Items, d.Pager = items, newPager(c, pg, total)
	// The products the enterprise may report: those of its approved filings.
	fs, _, _ := h.Filings.List(c.Request.Context(), p, model.FilingFilter{Status: model.StatusApproved}, model.Page{Page: 1, PageSize: 100})
	seen := map[int64]bool{}
	for _, f := range fs {
		if !seen[f.ProductID] {
			seen[f.ProductID] = true
			if prod, err := h.Catalog.Get(c.Request.Context(), f.ProductID); err == nil {
				d.Products = append(d.Products, *prod)
			}
		}
	}
	return d
}

// salesPage is the monthly sales form, the CSV upload and the figures reported so far.
func (h *Console) SalesPage(c *gin.Context) error {
	v := h.newView(c, "销售填报", "sales")
	v.Notice = notices[c.Query("done")]
	v.Form["channel"] = model.ChannelOnline
	v.Data = h.salesData(c)
	return h.render(c, http.StatusOK, "sales.html", v)
}

var recordField = regexp.MustCompile(`^records\[(\d+)\]\.(\w+)$`)

// putSales reports one figure through sales.Service.Put, the API's own rules.
func (h *Console) PutSales(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "销售填报", "sales")
	for _, k := range salesColumns {
		v.Form[k] = c.PostForm(k)
	}
	pid, _ := strconv.ParseInt(strings.TrimSpace(v.Form["product_id"]), 10, 64)
	row := sales.Row{ProductID: pid, Period: v.Form["period"], Channel: v.Form["channel"], Platform: v.Form["platform"],
		Country: v.Form["country"], AmountCNY: v.Form["amount_cny"], QuantityKg: v.Form["quantity_kg"]}
	if row.Channel != model.ChannelOnline {
		row.Platform = ""
	}
	if row.Channel != model.ChannelExport {
		row.Country = ""
	}
	created, _, err := h.Sales.Put(c.Request.Context(), p, []sales.Row{row})
	if err != nil {
		fieldMap := map[string]string{}
		for _, k := range salesColumns {
			fieldMap["records[0]."+k] = k
		}
		v.Data = h.salesData(c)
		return refuse(err, "sales.html", v, fieldMap, nil)
	}
	done := "sales_replaced"
	if created > 0 {
		done = "sales_created"
	}
	c.Redirect(http.StatusSeeOther, "/console/sales?done="+done)
	return nil
}

// uploadSales reads a CSV with the columns of salesColumns and reports every row at once:
// one bad row refuses the file, and every bad row is listed by its line.
func (h *Console) UploadSales(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "销售填报", "sales")
	v.Form["channel"] = model.ChannelOnline
	v.Form["action"] = "upload"
	refused := func(err error, words string, rowErrors []string) error {
		return &refusal{err: err, page: "sales.html", v: v, words: words, field: "file", fill: func() error {
			d := h.salesData(c)
			d.RowErrors = rowErrors
			v.Data = d
			return nil
		}}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return errCSRF
	}
	tokenOK := false
	for {
		part, err := mr.NextPart()
		if err != nil {
			if !tokenOK {
				return errCSRF
			}
			if tooLarge(err) {
				return refused(errUploadTooLarge, msgTooLarge, nil)
			}
			return refused(model.Invalid("file", model.FieldFileMissing, "is required"), "请选择 CSV 文件。", nil)
		}
		switch name := part.FormName(); {
		case name == csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if tokenOK = h.sessions.checkToken(c, string(b)); !tokenOK {
				return errCSRF
			}
		case !tokenOK:
			return errCSRF
		case name == "file":
			rows, lineOf, perr := readSalesCSV(part)
			if perr == msgTooLarge {
				return refused(errUploadTooLarge, msgTooLarge, nil)
			}
			if perr != "" {
				return refused(model.Invalid("file", model.FieldSalesCSV, "is not a sales CSV"), perr, nil)
			}
			created, replaced, err := h.Sales.Put(c.Request.Context(), p, rows)
			if err != nil {
				var me *model.Error
				var list []string
				if asModel(err, &me) {
					for _, f := range me.Fields {
						if m := recordField.FindStringSubmatch(f.Field); m != nil {
							i, _ := strconv.Atoi(m[1])
							line := i + 2
							if i < len(lineOf) {
								line = lineOf[i]
							}
							list = append(list, "第 "+strconv.Itoa(line)+" 行 "+m[2]+"："+fieldMessage(f))
						} else {
							list = append(list, fieldMessage(f))
						}
					}
				}
				return refused(err, "文件未导入："+errorMessage(err), list)
			}
			_ = replaced
			c.Redirect(http.StatusSeeOther, "/console/sales?done=sales_upload&n="+strconv.Itoa(created))
			return nil
		}
		part.Close()
	}
}

// msgTooLarge is the sales page's words for a file over the body limit.
const msgTooLarge = "文件太大。"

// tooLarge reports whether err is the body limit cutting an upload off.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// readSalesCSV parses the upload; it returns the rows, the file line of each, or a message.
func readSalesCSV(r io.Reader) ([]sales.Row, []int, string) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if tooLarge(err) {
		return nil, nil, msgTooLarge
	}
	if err != nil {
		return nil, nil, "文件是空的或不是 CSV。"
	}
	col := map[string]int{}
	for i, name := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))] = i
	}
	for _, k := range salesColumns {
		if _, ok := col[k]; !ok && k != "platform" && k != "country" {
			return nil, nil, "第一行须为列名：" + strings.Join(salesColumns, ",")
		}
	}
	var rows []sales.Row
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if tooLarge(err) {
			return nil, nil, msgTooLarge
		}
		if err != nil {
			return nil, nil, "CSV 格式有误：" + err.Error()
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		pid, _ := strconv.ParseInt(get("product_id"), 10, 64)
		rows = append(rows, sales.Row{ProductID: pid, Period: get("period"), Channel: get("channel"), Platform: get("platform"),
			Country: get("country"), AmountCNY: get("amount_cny"), QuantityKg: get("quantity_kg")})
		line, _ := cr.FieldPos(0)
		lines = append(lines, line)
		if len(rows) > sales.MaxRows {
			break // the service names the limit
		}
	}
	return rows, lines, ""
}
