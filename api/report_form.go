package api

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/assets"
	"gimark/internal/signal"
	"gimark/model"
)

var reportPage = template.Must(template.ParseFS(assets.FS, "templates/report.html"))

// MaxReportBody bounds a consumer's report form: the photo plus the fields and framing.
const MaxReportBody = signal.MaxPhoto + 64<<10

// reportMessages are the consumer's words for what went wrong, by error code.
var reportMessages = map[string]string{
	"rate_limited":         "您所在网络提交的举报过多，请稍后再试。",
	"report_token_invalid": "表单已过期或不是从标签查询页提交的，请重新打开查询页后再举报。",
	"report_token_used":    "该表单已提交过。如需再次举报，请重新打开查询页。",
	"photo_too_large":      "照片不能超过 5 MB。",
	"request_too_large":    "照片不能超过 5 MB。",
	"photo_type":           "照片只能是 JPEG 或 PNG 格式。",
	"photo_unreadable":     "无法读取照片，请换一张 JPEG 或 PNG 照片。",
	"validation_failed":    "请填写购买地点和问题描述；手机号可不填。",
	"label_not_found":      "编码有误，无法举报。",
}

// reportForm takes a consumer's report (POST /v/{code}/report) from the form on the
// verification page: no script, a plain form post, answered with a small page. Everything
// shown back is escaped by html/template.
func (a *app) reportForm(c *gin.Context) {
	if ct := c.ContentType(); ct != "" && ct != "multipart/form-data" && ct != "application/x-www-form-urlencoded" {
		// Not the page's form (a script, a JSON client): a problem document.
		a.writeError(c, model.CodeError(model.KindUnsupported, "unsupported_media_type", "send the report form as multipart/form-data"))
		return
	}
	status, msg := http.StatusCreated, "举报已收到，感谢您的帮助。市场监督管理部门将核查处理。"
	if err := a.submitReport(c); err != nil {
		p := problemFor(err)
		status = p.Status
		if status >= 500 {
			a.writeError(c, err) // logged once, answered as a problem document
			return
		}
		msg = reportMessages[p.Code]
		if msg == "" {
			msg = "举报未能提交，请检查后重试。"
		}
		var me *model.Error
		if errors.As(err, &me) && me.Kind == model.KindRateLimited {
			c.Header("Retry-After", strconv.Itoa(max(1, int(me.RetryAfter.Seconds()+0.5))))
		}
	}
	var b bytes.Buffer
	_ = reportPage.Execute(&b, map[string]any{"OK": status == http.StatusCreated, "Message": msg, "Code": c.Param("code")})
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

func (a *app) submitReport(c *gin.Context) error {
	r := c.Request
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return model.CodeError(model.KindTooLarge, "photo_too_large", "the photo must be at most 5 MB")
		}
		return model.CodeError(model.KindMalformed, "malformed_form", "the form cannot be read")
	}
	in := signal.ReportInput{Code: c.Param("code"), Issued: r.PostFormValue("issued"), Token: r.PostFormValue("token"),
		WhereBought: r.PostFormValue("where_bought"), City: r.PostFormValue("city"), Problem: r.PostFormValue("problem"),
		Phone: r.PostFormValue("phone"), Client: c.ClientIP()}
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["photo"]; len(fhs) > 0 && fhs[0].Size > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return err
			}
			defer f.Close()
			in.Photo = io.Reader(f)
		}
		defer r.MultipartForm.RemoveAll()
	}
	_, err = a.ConsumerReports.Submit(c.Request.Context(), in)
	return err
}
