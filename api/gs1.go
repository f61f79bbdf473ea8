package api

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/gs1"
	"gimark/internal/resolver"
	"gimark/model"
)

// --- trade items -------------------------------------------------------------------------

type gtinRequest struct {
	GTIN        string `json:"gtin"`
	Description string `json:"description"`
}

type gtinResponse struct {
	ID          int64     `json:"id"`
	FilingID    int64     `json:"filing_id"`
	GTIN        string    `json:"gtin"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

func toGTINResponse(t *model.TradeItem) gtinResponse {
	return gtinResponse{ID: t.ID, FilingID: t.FilingID, GTIN: t.GTIN, Description: t.Description, CreatedAt: t.CreatedAt.UTC()}
}

func (a *app) addGTIN(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req gtinRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.TradeItems.Add(c.Request.Context(), principal(c), id, req.GTIN, req.Description)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toGTINResponse(t))
	return nil
}

func (a *app) listGTINs(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := a.TradeItems.List(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := make([]gtinResponse, len(items))
	for i := range items {
		out[i] = toGTINResponse(&items[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

// --- the public register entry (certificationInfo target) ---------------------------------

type authorizationResponse struct {
	registryResponse
	Status model.FilingStatus `json:"status"`
}

func (a *app) registryEntry(c *gin.Context) error {
	e, err := a.Filings.Authorization(c.Request.Context(), c.Param("number"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, authorizationResponse{registryResponse: registryResponse{FilingID: e.FilingID, EnterpriseName: e.EnterpriseName,
		USCC: e.USCC, ProductID: e.ProductID, ProductName: e.ProductName, AuthorizationNumber: e.AuthorizationNumber,
		ApprovedAt: e.ApprovedAt.UTC()}, Status: e.Status})
	return nil
}

// --- the Digital Link resolver -------------------------------------------------------------

const linksetMedia = "application/linkset+json"

// dlHeaders are on every resolver answer, errors included: CORS for browser-based scanner
// apps, and the Link to the linkset (resolver standard 1.0; checklist C08–C10).
func (a *app) dlHeaders(c *gin.Context, anchor string) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language")
	h.Set("Access-Control-Expose-Headers", "Link, Location")
	h.Set("Vary", "Accept")
	if anchor != "" {
		h.Set("Link", `<`+anchor+`?linkType=linkset>; rel="linkset"; type="`+linksetMedia+`"`)
	}
}

// digitalLink answers GET, HEAD and OPTIONS on /01/…: the default link (a 307 to the
// verification page, keeping the query string), one link type by linkType=, or the whole
// linkset. It never records a scan: the target does (see internal/resolver).
func (a *app) digitalLink(c *gin.Context) error {
	a.dlHeaders(c, "")
	res, err := a.Resolver.Resolve(c.Request.Context(), c.Request.URL.EscapedPath(), c.Request.URL.RawQuery)
	if err != nil {
		return err
	}
	a.dlHeaders(c, res.Levels[0].Anchor)
	if c.Request.Method == http.MethodOptions {
		c.Status(http.StatusNoContent)
		return nil
	}
	q := c.Request.URL.Query()
	lt := q.Get("linkType")
	if lt == "" {
		lt = q.Get("linktype")
	}
	wantsLinkset := lt == "linkset" || lt == "all" ||
		(lt == "" && strings.Contains(c.GetHeader("Accept"), linksetMedia))
	if wantsLinkset {
		body, err := json.Marshal(res.Linkset())
		if err != nil {
			return err
		}
		c.Header("Link", c.Writer.Header().Get("Link")+`, <`+a.Resolver.Base()+linksetContextPath+`>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`)
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, linksetMedia, body)
		return nil
	}
	if lt == "" {
		target := res.Links(resolver.DefaultLink)[0].Href
		if raw := c.Request.URL.RawQuery; raw != "" {
			target += "?" + raw
		}
		c.Redirect(http.StatusTemporaryRedirect, target)
		return nil
	}
	links := res.Links(resolver.NormalizeLinkType(lt))
	if len(links) == 0 {
		return &model.Error{Kind: model.KindNotFound, Code: "link_type_not_found", Msg: "no link of type " + lt + " for this item"}
	}
	target := resolver.Choose(links, c.GetHeader("Accept")).Href
	q.Del("linkType")
	q.Del("linktype")
	if enc := q.Encode(); enc != "" {
		target += "?" + enc
	}
	c.Redirect(http.StatusTemporaryRedirect, target)
	return nil
}

// looksLikeDigitalLink: a path that starts with a GS1 AI or a retired convenience alpha
// (/10/…, /21/…, /gtin/…) is a malformed Digital Link, answered 400 like one, not 404.
func looksLikeDigitalLink(p string) bool {
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch seg {
	case "gtin", "lot", "ser", "cpv", "10", "21", "22", "235":
		return true
	}
	return false
}

const linksetContextPath = "/gs1/linkset-context.jsonld"

// linksetContext is the JSON-LD context that turns gimark's linksets into linked data
// (RFC 9264 terms from IANA's link relations, GS1 link types from its web vocabulary).
const linksetContext = `{"@context":{"@vocab":"http://www.iana.org/assignments/relation/","anchor":"@id","href":"@id",` +
	`"linkset":"@graph","gs1":"https://gs1.org/voc/","itemDescription":"http://www.w3.org/2000/01/rdf-schema#comment",` +
	`"title":"http://purl.org/dc/terms/title","type":"http://purl.org/dc/terms/format",` +
	`"hreflang":{"@id":"http://purl.org/dc/terms/language","@container":"@set"}}}`

func (a *app) linksetContextDoc(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "application/ld+json", []byte(linksetContext))
}

// gs1Resolver is /.well-known/gs1resolver: the resolver description file (resolver
// standard 1.0 §6; checklist C07, N08).
func (a *app) gs1Resolver(c *gin.Context) {
	base := a.Resolver.Base()
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, gin.H{
		"name":                           "gimark GS1 Digital Link resolver",
		"resolverRoot":                   base,
		"supportedPrimaryKeys":           []string{"01"},
		"supportedLinkType":              []gin.H{{"namespace": resolver.Voc, "prefix": "gs1:"}},
		"linkTypeDefaultCanBeLinkset":    true,
		"supportsLanguageVariants":       false,
		"supportsSemanticInterpretation": false,
		"validatesAIcombinations":        true,
		"jsonLdContextLocation":          base + linksetContextPath,
		"activeLinkTypes": gin.H{"zh": gin.H{
			"gs1:defaultLink":         gin.H{"title": "默认链接", "url": resolver.DefaultLink},
			"gs1:verificationService": gin.H{"title": "标签验证", "url": resolver.VerificationService},
			"gs1:certificationInfo":   gin.H{"title": "地理标志专用标志使用授权", "url": resolver.CertificationInfo},
			"gs1:pip":                 gin.H{"title": "产品信息", "url": resolver.PIP},
		}},
	})
}

var pipPage = template.Must(template.New("pip").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.ProductName}} · GTIN {{.GTIN}}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.2em;max-width:36em;line-height:1.5}dt{color:#555}dd{margin:0 0 .6em 0;font-weight:600}</style>
</head><body>
<h1>{{.ProductName}}</h1>
<p>{{.KindName}}{{if .Description}} · {{.Description}}{{end}}</p>
<dl>
<dt>{{.NumberLabel}}</dt><dd>{{.ReferenceNumber}}</dd>
{{if .RegistrationNumber}}<dt>注册号</dt><dd>{{.RegistrationNumber}}</dd>{{end}}
<dt>保护范围 Protected area</dt><dd>{{.ProtectedArea}}</dd>
<dt>使用企业 Enterprise</dt><dd>{{.EnterpriseName}}（{{.EnterpriseUSCC}}）</dd>
<dt>使用授权 Authorization</dt><dd>{{.AuthorizationNumber}} · {{.Status}}</dd>
<dt>GTIN</dt><dd>{{.GTIN}}</dd>
</dl>
<p>扫描标签上的二维码可验证每件产品。Scan a label's QR code to verify each item.</p>
</body></html>`))

var statusNames = map[model.FilingStatus]string{model.StatusApproved: "有效 valid", model.StatusSuspended: "暂停 suspended",
	model.StatusRevoked: "撤销 revoked", model.StatusCancelled: "注销 cancelled"}

// productPage is the gs1:pip target: the GI product behind a GTIN (name, kind, number,
// protected area) and the enterprise using the mark; JSON when asked for, else HTML.
func (a *app) productPage(c *gin.Context) error {
	g, err := gs1.NormalizeGTIN(c.Param("gtin"))
	if err != nil {
		return model.NotFound("GTIN")
	}
	p, err := a.TradeItems.Page(c.Request.Context(), g)
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=300")
	if strings.Contains(c.GetHeader("Accept"), "application/json") {
		c.JSON(http.StatusOK, p)
		return nil
	}
	k := kindNames[p.ProductKind]
	status := statusNames[p.FilingStatus]
	if status == "" {
		status = string(p.FilingStatus)
	}
	var b bytes.Buffer
	if err := pipPage.Execute(&b, map[string]any{"GTIN": p.GTIN, "Description": p.Description, "ProductName": p.ProductName,
		"KindName": k[0], "NumberLabel": k[1], "ReferenceNumber": p.ReferenceNumber, "RegistrationNumber": p.RegistrationNumber,
		"ProtectedArea": p.ProtectedArea, "EnterpriseName": p.EnterpriseName, "EnterpriseUSCC": p.EnterpriseUSCC,
		"AuthorizationNumber": p.AuthorizationNumber, "Status": status}); err != nil {
		return err
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
	return nil
}
