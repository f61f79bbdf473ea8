package sheet

// Template is a label stock: the size of one label and how labels sit on a page, all in
// millimetres. Templates are data: supporting another stock is adding a row to Templates.
type Template struct {
	Name   string  // what the API takes (?template=)
	Title  string  // what a person reads
	LabelW float64 // one label
	LabelH float64
	PageW  float64 // the page the printer feeds: the label itself on a roll
	PageH  float64
	Cols   int
	Rows   int
	Left   float64 // from the page's left edge to the first column
	Top    float64 // from the page's top edge to the first row
	GapX   float64 // between columns
	GapY   float64 // between rows
}

// PerPage is how many labels one page holds.
func (t Template) PerPage() int { return t.Cols * t.Rows }

// Templates are the stocks gimark prints on: two roll sizes for label printers (one label a
// page) and the two common A4 office sheets (3×8 of 70×37 mm, 4×10 of 48.5×25.4 mm). The
// sheets' margins centre the grid on the page.
var Templates = []Template{
	{Name: "roll-40x30", Title: "卷标 40×30 mm", LabelW: 40, LabelH: 30, PageW: 40, PageH: 30, Cols: 1, Rows: 1},
	{Name: "roll-50x30", Title: "卷标 50×30 mm", LabelW: 50, LabelH: 30, PageW: 50, PageH: 30, Cols: 1, Rows: 1},
	{Name: "a4-3x8", Title: "A4 不干胶 3×8，70×37 mm", LabelW: 70, LabelH: 37, PageW: 210, PageH: 297, Cols: 3, Rows: 8, Left: 0, Top: 0.5},
	{Name: "a4-4x10", Title: "A4 不干胶 4×10，48.5×25.4 mm", LabelW: 48.5, LabelH: 25.4, PageW: 210, PageH: 297, Cols: 4, Rows: 10, Left: 8, Top: 21.5},
}

// DefaultTemplate is used when a request names none: the A4 sheet every office printer takes.
const DefaultTemplate = "a4-3x8"

// Lookup finds a template by name.
func Lookup(name string) (Template, bool) {
	for _, t := range Templates {
		if t.Name == name {
			return t, true
		}
	}
	return Template{}, false
}

// origin is the top-left corner of the i-th label of a page.
func (t Template) origin(i int) (x, y float64) {
	col, row := i%t.Cols, i/t.Cols
	return t.Left + float64(col)*(t.LabelW+t.GapX), t.Top + float64(row)*(t.LabelH+t.GapY)
}
