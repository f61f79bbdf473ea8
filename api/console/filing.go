package console

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/internal/filing"
	"gimark/model"
)

// names caches the product and enterprise names a list page shows, one lookup each.
type names struct {
	h           *Console
	c           *gin.Context
	products    map[int64]string
	enterprises map[int64]string
}

func (h *Console) names(c *gin.Context) *names {
	return &names{h: h, c: c, products: map[int64]string{}, enterprises: map[int64]string{}}
}

func (n *names) Product(id int64) string {
	if s, ok := n.products[id]; ok {
		return s
	}
	s := "#" + strconv.FormatInt(id, 10)
	if p, err := n.h.Catalog.Get(n.c.Request.Context(), id); err == nil {
		s = p.Name
	}
	n.products[id] = s
	return s
}

func (n *names) Enterprise(id int64) string {
	if s, ok := n.enterprises[id]; ok {
		return s
	}
	s := "#" + strconv.FormatInt(id, 10)
	p, _ := principalOf(n.c)
	if e, err := n.h.Enterprises.Get(n.c.Request.Context(), p, id); err == nil {
		s = e.Name
	}
	n.enterprises[id] = s
	return s
}

type filingList struct {
	Items    []model.Filing
	Names    *names
	Pager    pager
	Products []model.Product
	Status   string
	Product  int64
}

func (h *Console) activeProducts(c *gin.Context) []model.Product {
	active := true
	ps, _, err := h.Catalog.List(c.Request.Context(), "", &active, model.Page{Page: 1, PageSize: 100})
	if err != nil {
		h.log.Warn("console catalog list", "err", err.Error())
	}
	return ps
}

// queue is the reviewers' work list: submitted filings, oldest first (the store's order for
// that status), filterable by product and status.
func (h *Console) QueuePage(c *gin.Context) error {
	status := c.DefaultQuery("status", string(model.StatusSubmitted))
	return h.filingList(c, "审核队列", "queue", "queue.html", model.FilingFilter{Status: model.FilingStatus(status), ProductID: queryID(c, "product_id")})
}

// myFilings is an enterprise's own filings with their status and the reviewer's reasons.
func (h *Console) MyFilings(c *gin.Context) error {
	return h.filingList(c, "我的申请", "filings", "filings.html", model.FilingFilter{Status: model.FilingStatus(c.Query("status"))})
}

func (h *Console) filingList(c *gin.Context, title, nav, page string, f model.FilingFilter) error {
	p, _ := principalOf(c)
	pg := queryPage(c)
	items, total, err := h.Filings.List(c.Request.Context(), p, f, pg)
	if err != nil {
		return err
	}
	v := h.newView(c, title, nav)
	v.Notice = notices[c.Query("done")]
	v.Data = filingList{Items: items, Names: h.names(c), Pager: newPager(c, pg, total), Products: h.activeProducts(c),
		Status: string(f.Status), Product: f.ProductID}
	return h.render(c, http.StatusOK, page, v)
}

// notices are the one-line confirmations after a redirect (?done=…).
var notices = map[string]string{
	"approve": "已核准，企业已列入合法使用人名录。", "reject": "已作出不予核准决定。", "return": "已退回企业补正。",
	"suspend": "已暂停使用。", "reinstate": "已恢复使用。", "revoke": "已撤销核准。",
	"submit": "已提交审核。", "withdraw": "已撤回申请。", "cancel": "已注销。",
	"create": "申请草稿已保存，请上传材料后提交审核。", "update": "修改已保存。", "upload": "材料已上传。",
	"product": "产品已保存。", "order": "标签批次已生成。", "gtin": "GTIN 已登记。",
	"registered": "注册成功，您已登录。请新建申请。", "void": "标签批次已作废。",
	"sales_created": "已填报。", "sales_replaced": "已更正：新数字替换了原数字，原数字留存在历史中。", "sales_upload": "文件已导入。",
}

type actionView struct {
	Action      model.Action
	NeedsReason bool
	Quota       bool
	Danger      bool
	// Missing are the documents a submission still lacks (model.MissingDocuments): the
	// submit button says so and is disabled until they are uploaded.
	Missing []model.DocumentKind
}

type filingPage struct {
	F          *model.Filing
	Product    *model.Product
	Enterprise *model.Enterprise
	Docs       []model.Document
	Events     []model.FilingEvent
	Actions    []actionView
	Dangerous  []actionView // cannot be undone: each opens a confirmation page
	Owner      bool
	Editable   bool
	CanOrder   bool
	Labels     bool
	Batches    []model.LabelBatch
	MaxUpload  string
	GTINs      []model.TradeItem // the filing's GS1 trade items (owner and bureau)
	CanAddGTIN bool              // the owner of an approved filing records GTINs
}

// loadFiling gathers what the filing page shows. The buttons offered follow the state
// machine of model.Transitions; the service decides again when one is pressed.
func (h *Console) loadFiling(c *gin.Context, id int64) (*filingPage, error) {
	ctx := c.Request.Context()
	p, _ := principalOf(c)
	f, docs, err := h.Filings.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	events, err := h.Filings.Events(ctx, p, id)
	if err != nil {
		return nil, err
	}
	d := &filingPage{F: f, Docs: docs, Events: events, Owner: p.OwnsEnterprise(f.EnterpriseID), Labels: h.Labels != nil,
		MaxUpload: strconv.FormatInt(h.Filings.MaxUpload()>>20, 10)}
	d.Editable = d.Owner && f.Status.Editable()
	d.CanOrder = d.Owner && f.Status == model.StatusApproved && h.Labels != nil
	if d.Product, err = h.Catalog.Get(ctx, f.ProductID); err != nil {
		return nil, err
	}
	if d.Enterprise, err = h.Enterprises.Get(ctx, p, f.EnterpriseID); err != nil {
		return nil, err
	}
	for _, a := range actionOrder {
		t := model.Transitions[a]
		mine := t.By == model.RoleEnterprise && d.Owner || t.By == model.RoleReviewer && p.Role == model.RoleReviewer
		if mine && t.Allows(f.Status) && confirmActions[a] {
			d.Dangerous = append(d.Dangerous, actionView{Action: a, Danger: true})
		} else if mine && t.Allows(f.Status) {
			av := actionView{Action: a, NeedsReason: t.NeedsReason, Quota: a == model.ActApprove,
				Danger: t.NeedsReason || t.To.Terminal()}
			if a == model.ActSubmit {
				av.Missing = model.MissingDocuments(docs)
			}
			d.Actions = append(d.Actions, av)
		}
	}
	if h.TradeItems != nil && (d.Owner || p.IsStaff()) {
		if d.GTINs, err = h.TradeItems.List(ctx, p, id); err != nil {
			return nil, err
		}
		d.CanAddGTIN = d.Owner && f.Status == model.StatusApproved
	}
	if h.Labels != nil && (d.Owner || p.IsStaff()) {
		d.Batches, _, err = h.Labels.List(ctx, p, id, model.Page{Page: 1, PageSize: 100})
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (h *Console) FilingPage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadFiling(c, id)
	if err != nil {
		return err
	}
	v := h.newView(c, "申请 #"+strconv.FormatInt(id, 10), h.listNav(c))
	v.Notice = notices[c.Query("done")]
	v.Data = d
	return h.render(c, http.StatusOK, "filing.html", v)
}

func (h *Console) listNav(c *gin.Context) string {
	if p, _ := principalOf(c); p.Role == model.RoleEnterprise {
		return "filings"
	}
	return "queue"
}

// refusedOnFiling is a refusal that shows the filing page again with the error next to the
// form that caused it and what the user typed still in place.
func (h *Console) refusedOnFiling(c *gin.Context, id int64, v *view, err error, fieldMap map[string]string) error {
	return refuse(err, "filing.html", v, fieldMap, func() error {
		d, err := h.loadFiling(c, id)
		v.Data = d
		return err
	})
}

// transition presses one of the state machine's buttons: filing.Service.Transition decides.
func (h *Console) Transition(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "申请 #"+strconv.FormatInt(id, 10), h.listNav(c))
	action := model.Action(c.PostForm("action"))
	in := filing.TransitionInput{Action: action, Reason: c.PostForm("reason")}
	v.Form["action"], v.Form["reason"], v.Form["label_quota"] = string(action), in.Reason, c.PostForm("label_quota")
	if q := strings.TrimSpace(c.PostForm("label_quota")); q != "" {
		n, perr := strconv.ParseInt(q, 10, 64)
		if perr != nil {
			return h.refusedOnFiling(c, id, v, model.Invalid("label_quota", model.FieldInteger, "must be an integer"), nil)
		}
		in.LabelQuota = &n
	}
	if _, err := h.Filings.Transition(c.Request.Context(), p, id, in); err != nil {
		if confirmActions[action] {
			v.Title = "确认" + actionNames[action]
			return h.refusedOnConfirm(c, id, action, v, err)
		}
		return h.refusedOnFiling(c, id, v, err, nil)
	}
	c.Redirect(http.StatusSeeOther, "/console/filings/"+strconv.FormatInt(id, 10)+"?done="+doneKey(string(action)))
	return nil
}

func doneKey(s string) string {
	if _, ok := notices[s]; ok {
		return s
	}
	return ""
}

type filingFormData struct {
	F        *model.Filing
	Products []model.Product
}

// filingForm starts a filing, or corrects a draft or returned one.
func (h *Console) FilingForm(c *gin.Context) error {
	v := h.newView(c, "新建申请", "filings")
	d := filingFormData{Products: h.activeProducts(c)}
	if c.Param("id") != "" {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		p, _ := principalOf(c)
		f, _, err := h.Filings.Get(c.Request.Context(), p, id)
		if err != nil {
			return err
		}
		d.F = f
		v.Title = "修改申请 #" + strconv.FormatInt(id, 10)
		v.Form["product_id"] = strconv.FormatInt(f.ProductID, 10)
		v.Form["kind"] = string(f.Kind)
		v.Form["production_address"] = f.ProductionAddress
		v.Form["annual_output_kg"] = kgString(f.AnnualOutputGrams)
		if !f.Status.Editable() {
			v.Error = "当前状态为「" + statusNames[f.Status] + "」，只有草稿或退回补正的申请可以修改。"
		}
	} else {
		v.Form["product_id"] = c.Query("product_id")
		v.Form["kind"] = string(model.FilingNew)
	}
	v.Data = d
	return h.render(c, http.StatusOK, "filing_form.html", v)
}

func kgString(g int64) string { return funcs["kg"].(func(int64) string)(g) }

func (h *Console) filingInput(c *gin.Context, v *view) filing.Input {
	var in filing.Input
	for _, k := range []string{"product_id", "kind", "production_address", "annual_output_kg"} {
		v.Form[k] = c.PostForm(k)
	}
	if s := strings.TrimSpace(v.Form["product_id"]); s != "" {
		n, _ := strconv.ParseInt(s, 10, 64) // junk is 0: "no such product"
		in.ProductID = &n
	}
	if s := v.Form["kind"]; s != "" {
		k := model.FilingKind(s)
		in.Kind = &k
	}
	addr, out := v.Form["production_address"], v.Form["annual_output_kg"]
	in.ProductionAddress, in.AnnualOutputKg = &addr, &out
	return in
}

func (h *Console) CreateFiling(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "新建申请", "filings")
	in := h.filingInput(c, v)
	f, err := h.Filings.Create(c.Request.Context(), p, in)
	if err != nil {
		v.Data = filingFormData{Products: h.activeProducts(c)}
		return refuse(err, "filing_form.html", v, nil, nil)
	}
	c.Redirect(http.StatusSeeOther, "/console/filings/"+strconv.FormatInt(f.ID, 10)+"?done=create")
	return nil
}

func (h *Console) UpdateFiling(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "修改申请 #"+strconv.FormatInt(id, 10), "filings")
	in := h.filingInput(c, v)
	if _, err := h.Filings.Update(c.Request.Context(), p, id, in); err != nil {
		return refuse(err, "filing_form.html", v, nil, func() error {
			f, _, err := h.Filings.Get(c.Request.Context(), p, id)
			v.Data = filingFormData{F: f, Products: h.activeProducts(c)}
			return err
		})
	}
	c.Redirect(http.StatusSeeOther, "/console/filings/"+strconv.FormatInt(id, 10)+"?done=update")
	return nil
}

// upload streams a document to filing.Service.AddDocument. The form sends csrf_token, then
// kind, then the file; the token is checked before a byte of the file is read.
func (h *Console) Upload(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "申请 #"+strconv.FormatInt(id, 10), "filings")
	v.Form["action"] = "upload"
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return errCSRF
	}
	tokenOK := false
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return h.refusedOnFiling(c, id, v, errUploadTooLarge, nil)
			}
			if !tokenOK {
				return errCSRF
			}
			return h.refusedOnFiling(c, id, v, model.Invalid("file", model.FieldFileMissing, "is required"), nil)
		}
		switch name := part.FormName(); {
		case name == csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			tokenOK = h.sessions.checkToken(c, string(b))
			if !tokenOK {
				return errCSRF
			}
		case !tokenOK:
			return errCSRF // the token must come first
		case name == "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			v.Form["doc_kind"] = string(b)
		case name == "file":
			if part.FileName() == "" {
				return h.refusedOnFiling(c, id, v, model.Invalid("file", model.FieldFileMissing, "is required"), nil)
			}
			_, err := h.Filings.AddDocument(c.Request.Context(), p, id,
				filing.Upload{Kind: model.DocumentKind(v.Form["doc_kind"]), Filename: part.FileName(), Body: part})
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					err = errUploadTooLarge
				}
				return h.refusedOnFiling(c, id, v, err, map[string]string{"kind": "doc_kind"})
			}
			c.Redirect(http.StatusSeeOther, "/console/filings/"+strconv.FormatInt(id, 10)+"?done=upload")
			return nil
		}
		part.Close()
	}
}

// document opens a filing's document in the browser (inline), for whoever may see the
// filing. The bytes were sniffed as PDF, JPEG or PNG on upload and are sent with nosniff.
func (h *Console) Document(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc_id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	d, body, err := h.Filings.OpenDocument(c.Request.Context(), p, id, docID)
	if err != nil {
		return err
	}
	defer body.Close()
	c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.Filename}))
	c.Header("Content-Type", d.ContentType)
	c.Header("Cache-Control", "private, no-store")
	if d.ContentType == "application/pdf" {
		// The browser's PDF viewer does not run in a sandboxed document; a PDF cannot run
		// script in this origin anyway.
		c.Header("Content-Security-Policy", "frame-ancestors 'none'")
	} else {
		c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	http.ServeContent(c.Writer, c.Request, "", d.CreatedAt, body)
	return nil
}

// errUploadTooLarge is an upload cut off by the body limit (http.MaxBytesError).
var errUploadTooLarge = &model.Error{Kind: model.KindTooLarge, Code: "file_too_large", Msg: "the upload is larger than the limit"}

// AddGTIN records a GTIN under the owner's approved filing through tradeitem.Service.Add
// (check digit, uniqueness and approval are its rules).
func (h *Console) AddGTIN(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "申请 #"+itoa(id), "filings")
	v.Form["action"] = "gtin"
	v.Form["gtin"], v.Form["description"] = c.PostForm("gtin"), c.PostForm("description")
	if _, err := h.TradeItems.Add(c.Request.Context(), p, id, strings.TrimSpace(v.Form["gtin"]), strings.TrimSpace(v.Form["description"])); err != nil {
		return h.refusedOnFiling(c, id, v, err, map[string]string{"gtin": "gtin", "description": "gtin_description"})
	}
	c.Redirect(http.StatusSeeOther, "/console/filings/"+itoa(id)+"?done=gtin#gtins")
	return nil
}
