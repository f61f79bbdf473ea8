package api

import (
	"bytes"
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/assets"
	"gimark/internal/jsonw"
	"gimark/internal/labelcode"
	"gimark/internal/ratelimit"
	"gimark/internal/signal"
	"gimark/internal/verify"
	"gimark/model"
)

var (
	verifyPage = template.Must(template.ParseFS(assets.FS, "templates/verify.html"))
	busyPage   = template.Must(template.ParseFS(assets.FS, "templates/busy.html"))
	cst        = time.FixedZone("CST", 8*3600) // the page shows China Standard Time
)

// verifyLimit rate-limits verification per client; the consumer's page gets a friendly
// Chinese page, machines a problem document. Both carry Retry-After.
func (a *app) verifyLimit(k ratelimit.Limiter, html bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ip := c.ClientIP()
		ok, retry := k.Allow(ip)
		if ok && a.Rules.AnyTightened() && a.Rules.Tightened(signal.Prefix(ip), a.now()) {
			// A network caught guessing codes gets a tenth of the limit for an hour.
			ok, retry = a.tightLimit.Allow(signal.Prefix(ip))
		}
		if ok {
			c.Next()
			return
		}
		secs := int(math.Max(1, math.Ceil(retry.Seconds())))
		if !html {
			a.writeError(c, &model.Error{Kind: model.KindRateLimited, Code: "rate_limited", Msg: "too many verifications; slow down", RetryAfter: retry})
			return
		}
		c.Header("Retry-After", strconv.Itoa(secs))
		var b bytes.Buffer
		_ = busyPage.Execute(&b, secs)
		c.Data(http.StatusTooManyRequests, "text/html; charset=utf-8", b.Bytes())
		c.Abort()
	}
}

// consoleAccessCookie is the web console's access-token cookie (api/console): a browser that
// sends it to /v/ is signed in.
const consoleAccessCookie = "gimark_at"

// verifyContext marks a verification as not a consumer scan — not recorded, not counted
// towards the copied-label warning — when the caller is signed in (a bearer token, or the
// console's session cookie) as a reviewer or admin, or as a user of the enterprise that owns
// the label. Everyone else, a user of another enterprise included, is a consumer; a token
// that does not verify is ignored, since verification needs no account.
// The second result says the look is not recorded.
func (a *app) verifyContext(c *gin.Context) (context.Context, bool) {
	ctx := c.Request.Context()
	token := ""
	if scheme, t, ok := strings.Cut(c.GetHeader("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(t)
	} else if ck, err := c.Cookie(consoleAccessCookie); err == nil {
		token = ck
	}
	if token == "" {
		return ctx, false
	}
	p, err := a.issuer.Verify(token)
	if err != nil {
		return ctx, false
	}
	if p.IsStaff() || p.Role == model.RoleEnterprise && a.Labels.Owns(ctx, p, c.Param("code")) {
		return verify.Unrecorded(ctx), true
	}
	return ctx, false
}

func (a *app) verifyJSON(c *gin.Context) error {
	ctx, _ := a.verifyContext(c)
	r, err := a.Verify.Verify(ctx, c.Param("code"), c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return err
	}
	bp := verifyBufs.Get().(*[]byte)
	b := appendVerifyJSON((*bp)[:0], r)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	*bp = b
	verifyBufs.Put(bp)
	return nil
}

var verifyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// appendVerifyJSON writes the verification answer (openapi.yaml: Verification) without
// reflection: this is the busiest answer gimark gives. A test holds it byte for byte to
// encoding/json's output for the documented shape.
func appendVerifyJSON(b []byte, r *verify.Result) []byte {
	b = append(b, `{"result":`...)
	b = jsonw.String(b, r.Result)
	b = append(b, `,"reasons":[`...)
	for i, x := range r.Reasons {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = jsonw.String(b, x.Code)
		b = append(b, `,"message":`...)
		b = jsonw.String(b, x.Message)
		b = append(b, '}')
	}
	b = append(b, ']')
	if r.Code != "" {
		b = append(b, `,"code":`...)
		b = jsonw.String(b, r.Code)
	}
	if r.Serial != 0 {
		b = append(b, `,"serial":`...)
		b = jsonw.Int(b, int64(r.Serial))
	}
	b = append(b, `,"scan_count":`...)
	b = jsonw.Int(b, r.ScanCount)
	b = append(b, `,"first_scanned_at":`...)
	if r.FirstScannedAt != nil {
		b = jsonw.Time(b, *r.FirstScannedAt)
	} else {
		b = append(b, "null"...)
	}
	f := r.Facts
	if f == nil {
		b = append(b, `,"product":null,"enterprise":null`...)
	} else {
		b = append(b, `,"product":{"id":`...)
		b = jsonw.Int(b, f.ProductID)
		b = append(b, `,"name":`...)
		b = jsonw.String(b, f.ProductName)
		b = append(b, `,"kind":`...)
		b = jsonw.String(b, string(f.ProductKind))
		b = append(b, `,"reference_number":`...)
		b = jsonw.String(b, f.ReferenceNumber)
		if f.RegistrationNumber != "" {
			b = append(b, `,"registration_number":`...)
			b = jsonw.String(b, f.RegistrationNumber)
		}
		if f.Standard != "" {
			b = append(b, `,"standard":`...)
			b = jsonw.String(b, f.Standard)
		}
		b = append(b, `},"enterprise":{"name":`...)
		b = jsonw.String(b, f.EnterpriseName)
		b = append(b, `,"uscc":`...)
		b = jsonw.String(b, f.EnterpriseUSCC)
		b = append(b, '}')
		if f.AuthorizationNumber != "" {
			b = append(b, `,"authorization_number":`...)
			b = jsonw.String(b, f.AuthorizationNumber)
		}
	}
	if bt := r.Batch; bt == nil {
		b = append(b, `,"batch":null`...)
	} else {
		b = append(b, `,"batch":{"id":`...)
		b = jsonw.Int(b, bt.ID)
		b = append(b, `,"created_at":`...)
		b = jsonw.Time(b, bt.CreatedAt)
		b = append(b, '}')
	}
	return append(b, '}')
}

var headlines = map[string][2]string{
	model.ResultGenuine:  {"正品", "这是已登记的地理标志专用标志标签"},
	model.ResultWarning:  {"请注意", "标签已登记，但存在以下情况"},
	model.ResultNotFound: {"未登记", "查无此标签"},
	model.ResultInvalid:  {"请核对编码", "编码有误"},
}

var kindNames = map[model.ProductKind][2]string{
	model.ProtectedProduct:  {"地理标志保护产品", "公告号"},
	model.CertificationMark: {"地理标志证明商标", "注册号"},
	model.CollectiveMark:    {"地理标志集体商标", "注册号"},
}

// verifyHTML is the consumer's page: small, Chinese, no script, everything escaped.
func (a *app) verifyHTML(c *gin.Context) error { return a.verifyPage(c, c.Param("code")) }

func (a *app) verifyPage(c *gin.Context, raw string) error {
	ctx, unrecorded := a.verifyContext(c)
	return a.renderVerify(c, ctx, unrecorded, raw)
}

// consoleVerify is the console's 查询页 link (/console/labels/{code}/verify): the console's
// cookies never reach /v/ (their path is /console), so the console's signed-in user is known
// here. The label's owner and the bureau see the consumer's page without it being recorded;
// anyone else is sent to /v/ as a consumer.
func (a *app) consoleVerify(c *gin.Context) error {
	p, code := principal(c), c.Param("code")
	ctx := c.Request.Context()
	if !(p.IsStaff() || p.Role == model.RoleEnterprise && a.Labels.Owns(ctx, p, code)) {
		c.Redirect(http.StatusSeeOther, "/v/"+url.PathEscape(code))
		return nil
	}
	return a.renderVerify(c, verify.Unrecorded(ctx), true, code)
}

// renderVerify verifies raw in ctx and shows the consumer's page; unrecorded says the look
// is an insider's (the page then shows the consumer scans so far, not "this is scan N").
func (a *app) renderVerify(c *gin.Context, ctx context.Context, unrecorded bool, raw string) error {
	r, err := a.Verify.Verify(ctx, raw, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return err
	}
	h := headlines[r.Result]
	data := map[string]any{"Result": r.Result, "Headline": h[0], "Subline": h[1], "Reasons": r.Reasons,
		"Facts": r.Facts, "Batch": r.Batch, "ScanCount": r.ScanCount, "Input": raw, "CodeGroups": strings.Split(labelcode.Format(r.Code), "-"),
		"Now": time.Now().In(cst).Format("2006-01-02 15:04"),
		// An insider's look (owner or bureau): not recorded; ScanCount is the consumer scans so far.
		"Unrecorded": unrecorded}
	if r.Facts != nil {
		k := kindNames[r.Facts.ProductKind]
		data["KindName"], data["NumberLabel"] = k[0], k[1]
	}
	if r.Batch != nil {
		data["BatchDate"] = r.Batch.CreatedAt.In(cst).Format("2006年1月2日")
	}
	if r.Code != "" && a.ConsumerReports != nil {
		data["ReportCode"] = r.Code
		data["ReportIssued"], data["ReportToken"] = a.ConsumerReports.Token(r.Code)
	}
	if r.FirstScannedAt != nil {
		data["FirstScanned"] = r.FirstScannedAt.In(cst).Format("2006年1月2日 15:04")
	}
	return sendVerifyPage(c, data)
}

func sendVerifyPage(c *gin.Context, data map[string]any) error {
	var b bytes.Buffer
	if err := verifyPage.Execute(&b, data); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
	return nil
}

// verifyForm sends the code typed into the page's form to its own page; with no code it is
// the page with the empty form.
func (a *app) verifyForm(c *gin.Context) error {
	code := strings.TrimSpace(c.Query("code"))
	if code == "" {
		return entryPage(c)
	}
	if p, err := labelcode.Parse(code); err == nil {
		code = p
	}
	c.Redirect(http.StatusSeeOther, "/v/"+url.PathEscape(code))
	return nil
}

// entryPage is the consumer's page with nothing looked up yet: the form to type a code in.
func entryPage(c *gin.Context) error {
	return sendVerifyPage(c, map[string]any{"Result": "", "Headline": "防伪查询", "Subline": "请输入标签上的编码",
		"Now": time.Now().In(cst).Format("2006-01-02 15:04")})
}

// consumerPath reports whether path is under the consumer's /v/ (or the /V/ of upper-case
// QR codes).
func consumerPath(path string) bool {
	return path == "/v/" || path == "/V" || strings.HasPrefix(path, "/v/") || strings.HasPrefix(path, "/V/")
}

// verifyNearMiss answers a path under /v/ that no route matches (a damaged link: an extra
// segment, an escaped slash, junk) with the consumer's Chinese page, never JSON: the rest of
// the path is looked up as typed, so the page says the code is wrong and offers the form.
func (a *app) verifyNearMiss(c *gin.Context) error {
	raw := strings.Trim(c.Request.URL.Path[min(len(c.Request.URL.Path), 3):], "/")
	if raw == "" {
		return entryPage(c)
	}
	return a.verifyPage(c, raw)
}
