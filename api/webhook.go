package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/webhook"
	"gimark/model"
)

// webhookResponse never carries the secret: it is shown to no one after registration.
type webhookResponse struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Kinds          []string   `json:"kinds"`
	EnterpriseID   *int64     `json:"enterprise_id"`
	CreatedAt      time.Time  `json:"created_at"`
	FailingSince   *time.Time `json:"failing_since"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
}

func toWebhookResponse(h *model.Webhook) webhookResponse {
	kinds := []string{}
	if h.Kinds != "" {
		kinds = strings.Split(h.Kinds, ",")
	}
	return webhookResponse{ID: h.ID, URL: h.URL, Kinds: kinds, EnterpriseID: h.EnterpriseID, CreatedAt: h.CreatedAt.UTC(),
		FailingSince: utcPtr(h.FailingSince), DisabledAt: utcPtr(h.DisabledAt), DisabledReason: h.DisabledReason}
}

type webhookRequest struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Kinds  []string `json:"kinds"`
}

func (a *app) createWebhook(c *gin.Context) error {
	var req webhookRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	h, err := a.Webhooks.Register(c.Request.Context(), principal(c), webhook.NewWebhook{URL: req.URL, Secret: req.Secret, Kinds: req.Kinds})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toWebhookResponse(h))
	return nil
}

func (a *app) listWebhooks(c *gin.Context) error {
	hs, err := a.Webhooks.List(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]webhookResponse, len(hs))
	for i := range hs {
		out[i] = toWebhookResponse(&hs[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

func (a *app) deleteWebhook(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Webhooks.Delete(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

type deliveryResponse struct {
	ID         int64     `json:"id"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
	At         time.Time `json:"at"`
}

func (a *app) webhookDeliveries(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := a.Webhooks.Deliveries(c.Request.Context(), principal(c), id, page.Normalize())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, func(d *model.WebhookDelivery) deliveryResponse {
		return deliveryResponse{ID: d.ID, EventID: d.EventID, Attempt: d.Attempt, StatusCode: d.StatusCode, Error: d.Error,
			DurationMS: d.DurationMS, At: d.At.UTC()}
	}, total, page))
	return nil
}
