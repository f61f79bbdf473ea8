package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/catalog"
	"gimark/model"
)

type productRequest struct {
	Name               *string            `json:"name"`
	Kind               *model.ProductKind `json:"kind"`
	ReferenceNumber    *string            `json:"reference_number"`
	RegistrationNumber *string            `json:"registration_number"`
	ProtectedArea      *string            `json:"protected_area"`
	Standard           *string            `json:"standard"`
	RegionCode         *string            `json:"region_code"`
	Active             *bool              `json:"active"`
}

type productResponse struct {
	ID                 int64             `json:"id"`
	Name               string            `json:"name"`
	Kind               model.ProductKind `json:"kind"`
	ReferenceNumber    string            `json:"reference_number"`
	RegistrationNumber string            `json:"registration_number,omitempty"`
	ProtectedArea      string            `json:"protected_area"`
	Standard           string            `json:"standard"`
	RegionCode         string            `json:"region_code"`
	Active             bool              `json:"active"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
}

func toProductResponse(p *model.Product) productResponse {
	return productResponse{ID: p.ID, Name: p.Name, Kind: p.Kind, ReferenceNumber: p.ReferenceNumber,
		RegistrationNumber: p.RegistrationNumber, ProtectedArea: p.ProtectedArea, Standard: p.Standard,
		RegionCode: p.RegionCode, Active: p.Active, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

func (a *app) listProducts(c *gin.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var active *bool
	if v := c.Query("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return model.Invalid("active", model.FieldBoolean, "must be true or false")
		}
		active = &b
	}
	items, total, err := a.Catalog.List(c.Request.Context(), c.Query("q"), active, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(items, toProductResponse, total, page))
	return nil
}

func (a *app) getProduct(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.Catalog.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toProductResponse(p))
	return nil
}

func (a *app) createProduct(c *gin.Context) error {
	var req productRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, err := a.Catalog.Create(c.Request.Context(), principal(c), catalog.Input(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toProductResponse(p))
	return nil
}

func (a *app) updateProduct(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req productRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, err := a.Catalog.Update(c.Request.Context(), principal(c), id, catalog.Input(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toProductResponse(p))
	return nil
}
