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
func (h *Console) CatalogPage(c *gin.Context) error {
	pg := queryPage(c)
	items, total, err := h.Catalog.List(c.Request.Context(), c.Query("q"), nil, pg)
	if err != nil {
		return err
	}
	v := h.newView(c, "产品目录", "catalog")
	v.Notice = notices[c.Query("done")]
	v.Data = catalogData{Items: items, Pager: newPager(c, pg, total), Q: c.Query("q")}
	return h.render(c, http.StatusOK, "catalog.html", v)
}

var productFields = []string{"name", "kind", "reference_number", "registration_number", "protected_area", "standard", "region_code"}

// productForm adds (no id) or edits a product (admin).
func (h *Console) ProductForm(c *gin.Context) error {
	v := h.newView(c, "新增产品", "catalog")
	v.Form["kind"] = string(model.ProtectedProduct)
	v.Form["active"] = "1"
	if c.Param("id") != "" {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		p, err := h.Catalog.Get(c.Request.Context(), id)
		if err != nil {
			return err
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
	return h.render(c, http.StatusOK, "product_form.html", v)
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

func (h *Console) CreateProduct(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "新增产品", "catalog")
	if _, err := h.Catalog.Create(c.Request.Context(), p, productInput(c, v)); err != nil {
		return refuse(err, "product_form.html", v, nil, nil)
	}
	c.Redirect(http.StatusSeeOther, "/console/catalog?done=product")
	return nil
}

func (h *Console) UpdateProduct(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "编辑产品", "catalog")
	if _, err := h.Catalog.Update(c.Request.Context(), p, id, productInput(c, v)); err != nil {
		v.Data = &model.Product{ID: id}
		return refuse(err, "product_form.html", v, nil, nil)
	}
	c.Redirect(http.StatusSeeOther, "/console/catalog?done=product")
	return nil
}

type enterprisesData struct {
	Items []model.Enterprise
	Pager pager
	Q     string
}

// enterprises lists every enterprise for the bureau, searchable by name or USCC.
func (h *Console) EnterprisesPage(c *gin.Context) error {
	p, _ := principalOf(c)
	pg := queryPage(c)
	v := h.newView(c, "企业", "enterprises")
	items, total, err := h.Enterprises.List(c.Request.Context(), p, c.Query("q"), pg)
	if err != nil {
		v.Form["q"] = c.Query("q")
		v.Data = enterprisesData{Q: c.Query("q")}
		return refuse(err, "enterprises.html", v, map[string]string{"q": "q"}, nil)
	}
	v.Data = enterprisesData{Items: items, Pager: newPager(c, pg, total), Q: c.Query("q")}
	return h.render(c, http.StatusOK, "enterprises.html", v)
}

type enterpriseData struct {
	E       *model.Enterprise
	Filings []model.Filing
	Names   *names
	Pager   pager
}

// enterprise shows one enterprise and its filings.
func (h *Console) EnterprisePage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	e, err := h.Enterprises.Get(c.Request.Context(), p, id)
	if err != nil {
		return err
	}
	pg := queryPage(c)
	fs, total, err := h.Filings.List(c.Request.Context(), p, model.FilingFilter{EnterpriseID: id}, pg)
	if err != nil {
		return err
	}
	v := h.newView(c, e.Name, "enterprises")
	v.Data = enterpriseData{E: e, Filings: fs, Names: h.names(c), Pager: newPager(c, pg, total)}
	return h.render(c, http.StatusOK, "enterprise.html", v)
}

type registryData struct {
	Items    []model.RegistryEntry
	Pager    pager
	Products []model.Product
	Q        string
	Product  int64
}

// registry is the public register of authorized users (合法使用人名录).
func (h *Console) RegistryPage(c *gin.Context) error {
	pg := queryPage(c)
	productID := queryID(c, "product_id")
	v := h.newView(c, "合法使用人名录", "registry")
	items, total, err := h.Filings.Registry(c.Request.Context(), productID, c.Query("q"), pg)
	v.Form["q"] = c.Query("q")
	v.Data = registryData{Items: items, Pager: newPager(c, pg, total), Products: h.activeProducts(c), Q: c.Query("q"), Product: productID}
	if err != nil {
		return refuse(err, "registry.html", v, nil, nil)
	}
	return h.render(c, http.StatusOK, "registry.html", v)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
