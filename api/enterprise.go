package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gimark/internal/enterprise"
)

type enterprisePatchRequest struct {
	USCC                *string `json:"uscc"`
	Name                *string `json:"name"`
	LegalRepresentative *string `json:"legal_representative"`
	Address             *string `json:"address"`
	RegionCode          *string `json:"region_code"`
	ContactPhone        *string `json:"contact_phone"`
}

func (a *app) listEnterprises(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := a.Enterprises.List(c.Request.Context(), principal(c), c.Query("q"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toEnterpriseResponse, total, page))
	return nil
}

func (a *app) getEnterprise(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.Enterprises.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEnterpriseResponse(e))
	return nil
}

func (a *app) updateEnterprise(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req enterprisePatchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := a.Enterprises.Update(c.Request.Context(), principal(c), id, enterprise.Patch(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEnterpriseResponse(e))
	return nil
}
