package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/model"
)

// The actions that cannot be undone (cancelling or revoking an authorization, voiding a whole
// batch) are never one click away: the filing and batch pages link to a confirmation page that
// asks for the reason and says what will happen, from label.Service.ActiveLabels (the same
// figures as GET /api/v1/filings/{id}/active-labels). The post goes to the same handlers as
// any other action; the services decide again.

// confirmActions are the filing actions that go through the confirmation page.
var confirmActions = map[model.Action]bool{model.ActCancel: true, model.ActRevoke: true}

// confirmData is what confirm.html shows.
type confirmData struct {
	F             *model.Filing
	Action        model.Action // "" when a batch is voided
	Batch         *model.LabelBatch
	ActiveLabels  int64
	ActiveBatches int
	PostTo        string // the form's action
	Back          string // the page the user came from
}

// loadConfirm counts the labels that the action would turn into warnings: every active label
// of the filing, or of batch b alone.
func (h *Console) loadConfirm(c *gin.Context, filingID int64, b *model.LabelBatch) (*confirmData, error) {
	p, _ := principalOf(c)
	d := &confirmData{Batch: b}
	if h.Labels == nil {
		f, _, err := h.Filings.Get(c.Request.Context(), p, filingID)
		d.F = f
		return d, err
	}
	f, counts, err := h.Labels.ActiveLabels(c.Request.Context(), p, filingID)
	if err != nil {
		return nil, err
	}
	d.F = f
	for _, bc := range counts {
		if b == nil || bc.BatchID == b.ID {
			d.ActiveLabels += bc.ActiveLabels
			d.ActiveBatches++
		}
	}
	return d, nil
}

// ConfirmTransition is the confirmation page of a cancellation or revocation.
func (h *Console) ConfirmTransition(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	action := model.Action(c.Query("action"))
	if !confirmActions[action] {
		return model.NotFound("action")
	}
	d, err := h.loadConfirm(c, id, nil)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	if t := model.Transitions[action]; !(t.By == model.RoleEnterprise && p.OwnsEnterprise(d.F.EnterpriseID) || t.By == model.RoleReviewer && p.Role == model.RoleReviewer) {
		return model.CodeError(model.KindForbidden, "forbidden", "your role may not do this")
	}
	d.Action = action
	d.PostTo = "/console/filings/" + itoa(id) + "/transition"
	d.Back = "/console/filings/" + itoa(id)
	v := h.newView(c, "确认"+actionNames[action], h.listNav(c))
	v.Form["action"] = string(action)
	v.Data = d
	return h.render(c, http.StatusOK, "confirm.html", v)
}

// refusedOnConfirm shows the confirmation page of action again with the refusal next to
// the reason and the reason typed still in place.
func (h *Console) refusedOnConfirm(c *gin.Context, filingID int64, action model.Action, v *view, err error) error {
	return refuse(err, "confirm.html", v, nil, func() error {
		d, err := h.loadConfirm(c, filingID, nil)
		if d != nil {
			d.Action, d.PostTo, d.Back = action, "/console/filings/"+itoa(filingID)+"/transition", "/console/filings/"+itoa(filingID)
		}
		v.Data = d
		return err
	})
}

// ConfirmVoidBatch is the confirmation page of voiding a whole batch.
func (h *Console) ConfirmVoidBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	b, err := h.Labels.Get(c.Request.Context(), p, id)
	if err != nil {
		return err
	}
	d, err := h.loadConfirm(c, b.FilingID, b)
	if err != nil {
		return err
	}
	d.PostTo, d.Back = "/console/batches/"+itoa(id)+"/void", "/console/batches/"+itoa(id)
	v := h.newView(c, "确认作废标签批次", "filings")
	v.Data = d
	return h.render(c, http.StatusOK, "confirm.html", v)
}

// VoidBatch voids a whole batch through label.Service.VoidBatch (owner or reviewer, with a
// reason: its rules).
func (h *Console) VoidBatch(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	v := h.newView(c, "确认作废标签批次", "filings")
	v.Form["reason"] = c.PostForm("reason")
	if _, err := h.Labels.VoidBatch(c.Request.Context(), p, id, v.Form["reason"]); err != nil {
		return refuse(err, "confirm.html", v, nil, func() error {
			b, err := h.Labels.Get(c.Request.Context(), p, id)
			if err != nil {
				return err
			}
			d, err := h.loadConfirm(c, b.FilingID, b)
			if d != nil {
				d.PostTo, d.Back = "/console/batches/"+itoa(id)+"/void", "/console/batches/"+itoa(id)
			}
			v.Data = d
			return err
		})
	}
	c.Redirect(http.StatusSeeOther, "/console/batches/"+strconv.FormatInt(id, 10)+"?done=void")
	return nil
}
