package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/internal/catalog"
	"gimark/model"
)

type catalogData struct {
	Items []model.Product
	Pager pager
	Q     string
}

// catalog lists the GI products; admins get edit links.
func (h *handler) catalog(c *gin.Context) {
	pg := queryPage(c)
	items, total, err := h.Catalog.List(c.Request.Context(), c.Query("q"), nil, pg)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := h.newView(c, "产品目录", "catalog")
	v.Notice = notices[c.Query("done")]
	v.Data = catalogData{Items: items, Pager: newPager(c, pg, total), Q: c.Query("q")}
	h.render(c, http.StatusOK, "catalog.html", v)
}

var productFields = []string{"name", "kind", "reference_number", "registration_number", "protected_area", "standard", "region_code"}

// productForm adds (no id) or edits a product (admin).
func (h *handler) productForm(c *gin.Context) {
	v := h.newView(c, "新增产品", "catalog")
	v.Form["kind"] = string(model.ProtectedProduct)
	v.Form["active"] = "1"
	if c.Param("id") != "" {
		id, err := pathID(c, "id")
		if err != nil {
			h.fail(c, err)
			return
		}
		p, err := h.Catalog.Get(c.Request.Context(), id)
		if err != nil {
			h.fail(c, err)
			return
		}
		v.Title = "编辑产品：" + p.Name
		v.Data = p
		v.Form = map[string]string{"name": p.Name, "kind": string(p.Kind), "reference_number": p.ReferenceNumber,
			"registration_number": p.RegistrationNumber, "protected_area": p.ProtectedArea, "standard": p.Standard,
			"region_code": p.RegionCode}
		if p.Active {
			v.Form["active"] = "1"
		}
	}
	h.render(c, http.StatusOK, "product_form.html", v)
}

func productInput(c *gin.Context, v *view) catalog.Input {
	for _, k := range productFields {
		v.Form[k] = c.PostForm(k)
	}
	v.Form["active"] = c.PostForm("active")
	str := func(k string) *string { s := v.Form[k]; return &s }
	kind := model.ProductKind(v.Form["kind"])
	active := v.Form["active"] == "1"
	return catalog.Input{Name: str("name"), Kind: &kind, ReferenceNumber: str("reference_number"),
		RegistrationNumber: str("registration_number"), ProtectedArea: str("protected_area"), Standard: str("standard"),
		RegionCode: str("region_code"), Active: &active}
}

func (h *handler) createProduct(c *gin.Context) {
	p, _ := principalOf(c)
	v := h.newView(c, "新增产品", "catalog")
	if _, err := h.Catalog.Create(c.Request.Context(), p, productInput(c, v)); err != nil {
		h.render(c, h.formError(c, v, err, nil), "product_form.html", v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/catalog?done=product")
}

func (h *handler) updateProduct(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		h.fail(c, err)
		return
	}
	p, _ := principalOf(c)
	v := h.newView(c, "编辑产品", "catalog")
	prod, err := h.Catalog.Update(c.Request.Context(), p, id, productInput(c, v))
	if err != nil {
		status := h.formError(c, v, err, nil)
		if status == http.StatusNotFound {
			h.fail(c, err)
			return
		}
		v.Data = &model.Product{ID: id}
		h.render(c, status, "product_form.html", v)
		return
	}
	_ = prod
	c.Redirect(http.StatusSeeOther, "/console/catalog?done=product")
}

type enterprisesData struct {
	Items []model.Enterprise
	Pager pager
	Q     string
}

// enterprises lists every enterprise for the bureau, searchable by name or USCC.
func (h *handler) enterprises(c *gin.Context) {
	p, _ := principalOf(c)
	pg := queryPage(c)
	v := h.newView(c, "企业", "enterprises")
	items, total, err := h.Enterprises.List(c.Request.Context(), p, c.Query("q"), pg)
	if err != nil {
		status := h.formError(c, v, err, map[string]string{"q": "q"})
		if status >= 500 || status == http.StatusForbidden {
			h.fail(c, err)
			return
		}
		v.Form["q"] = c.Query("q")
		v.Data = enterprisesData{Q: c.Query("q")}
		h.render(c, status, "enterprises.html", v)
		return
	}
	v.Data = enterprisesData{Items: items, Pager: newPager(c, pg, total), Q: c.Query("q")}
	h.render(c, http.StatusOK, "enterprises.html", v)
}

type enterpriseData struct {
	E       *model.Enterprise
	Filings []model.Filing
	Names   *names
	Pager   pager
}

// enterprise shows one enterprise and its filings.
func (h *handler) enterprise(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		h.fail(c, err)
		return
	}
	p, _ := principalOf(c)
	e, err := h.Enterprises.Get(c.Request.Context(), p, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	pg := queryPage(c)
	fs, total, err := h.Filings.List(c.Request.Context(), p, model.FilingFilter{EnterpriseID: id}, pg)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := h.newView(c, e.Name, "enterprises")
	v.Data = enterpriseData{E: e, Filings: fs, Names: h.names(c), Pager: newPager(c, pg, total)}
	h.render(c, http.StatusOK, "enterprise.html", v)
}

type registryData struct {
	Items    []model.RegistryEntry
	Pager    pager
	Products []model.Product
	Q        string
	Product  int64
}

// registry is the public register of authorized users (合法使用人名录).
func (h *handler) registry(c *gin.Context) {
	pg := queryPage(c)
	productID := queryID(c, "product_id")
	v := h.newView(c, "合法使用人名录", "registry")
	items, total, err := h.Filings.Registry(c.Request.Context(), productID, c.Query("q"), pg)
	status := http.StatusOK
	if err != nil {
		if status = h.formError(c, v, err, nil); status >= 500 {
			h.fail(c, err)
			return
		}
	}
	v.Form["q"] = c.Query("q")
	v.Data = registryData{Items: items, Pager: newPager(c, pg, total), Products: h.activeProducts(c), Q: c.Query("q"), Product: productID}
	h.render(c, status, "registry.html", v)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
