package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gimark/internal/webhook"
	"gimark/model"
)

// The webhook pages manage the endpoints signals are delivered to, through webhook.Service
// (the API's /api/v1/webhooks): an admin the bureau's, an enterprise its own; another
// owner's endpoint is 404. The secret is never shown again after registration.

type webhooksData struct {
	Items []webhookView
	Rules []string
	Kinds map[string]bool // the kinds ticked in the form
}

type webhookView struct {
	model.Webhook
	KindList []string
}

func toWebhookView(w model.Webhook) webhookView {
	v := webhookView{Webhook: w}
	if w.Kinds != "" {
		v.KindList = strings.Split(w.Kinds, ",")
	}
	return v
}

func (h *Console) webhooksData(c *gin.Context, kinds []string) (webhooksData, error) {
	p, _ := principalOf(c)
	hooks, err := h.Webhooks.List(c.Request.Context(), p)
	d := webhooksData{Rules: model.SignalRules, Kinds: map[string]bool{}}
	for _, w := range hooks {
		d.Items = append(d.Items, toWebhookView(w))
	}
	for _, k := range kinds {
		d.Kinds[k] = true
	}
	return d, err
}

func webhookTitle(c *gin.Context) string {
	if p, _ := principalOf(c); p.Role == model.RoleAdmin {
		return "推送地址（主管部门）"
	}
	return "推送地址"
}

// WebhooksPage lists the user's endpoints with their state, and the form to register one.
func (h *Console) WebhooksPage(c *gin.Context) error {
	d, err := h.webhooksData(c, nil)
	if err != nil {
		return err
	}
	v := h.newView(c, webhookTitle(c), "webhooks")
	v.Notice = webhookNotices[c.Query("done")]
	v.Data = d
	return h.render(c, http.StatusOK, "webhooks.html", v)
}

var webhookNotices = map[string]string{"created": "推送地址已登记。密钥不会再显示，请妥善保存。", "deleted": "推送地址已删除。"}

// CreateWebhook registers an endpoint through webhook.Service.Register.
func (h *Console) CreateWebhook(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, webhookTitle(c), "webhooks")
	v.Form["url"] = c.PostForm("url")
	kinds := c.PostFormArray("kinds")
	// The secret is not sent back into the form: it is typed again after a refusal.
	_, err := h.Webhooks.Register(c.Request.Context(), p, webhook.NewWebhook{URL: v.Form["url"], Secret: c.PostForm("secret"), Kinds: kinds})
	if err != nil {
		return refuse(err, "webhooks.html", v, nil, func() error {
			d, err := h.webhooksData(c, kinds)
			v.Data = d
			return err
		})
	}
	c.Redirect(http.StatusSeeOther, "/console/webhooks?done=created")
	return nil
}

type webhookData struct {
	W        webhookView
	Items    []model.WebhookDelivery
	Pager    pager
	Deleting bool // the confirmation of deleting it
}

func (h *Console) loadWebhook(c *gin.Context, id int64) (*webhookData, error) {
	p, _ := principalOf(c)
	w, err := h.Webhooks.Get(c.Request.Context(), p, id)
	if err != nil {
		return nil, err
	}
	return &webhookData{W: toWebhookView(*w)}, nil
}

// WebhookPage is one endpoint with its delivery log, newest attempt first.
func (h *Console) WebhookPage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadWebhook(c, id)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	pg := queryPage(c)
	items, total, err := h.Webhooks.Deliveries(c.Request.Context(), p, id, pg.Normalize())
	if err != nil {
		return err
	}
	d.Items, d.Pager = items, newPager(c, pg, total)
	v := h.newView(c, "推送地址 #"+itoa(id), "webhooks")
	v.Data = d
	return h.render(c, http.StatusOK, "webhook.html", v)
}

// ConfirmDeleteWebhook asks before an endpoint is deleted.
func (h *Console) ConfirmDeleteWebhook(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadWebhook(c, id)
	if err != nil {
		return err
	}
	d.Deleting = true
	v := h.newView(c, "删除推送地址 #"+itoa(id), "webhooks")
	v.Data = d
	return h.render(c, http.StatusOK, "webhook.html", v)
}

// DeleteWebhook deletes an endpoint through webhook.Service.Delete.
func (h *Console) DeleteWebhook(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	if err := h.Webhooks.Delete(c.Request.Context(), p, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/webhooks?done=deleted")
	return nil
}
