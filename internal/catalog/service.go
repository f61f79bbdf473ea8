// Package catalog keeps the GI product catalog: admins edit it, anyone reads it
// (API.md "GI products").
package catalog

import (
	"context"

	"gimark/model"
)

// Store is the storage the catalog needs.
type Store interface {
	CreateProduct(ctx context.Context, p *model.Product, actorID int64) error
	UpdateProduct(ctx context.Context, p *model.Product, actorID int64) error
	ProductByID(ctx context.Context, id int64) (*model.Product, error)
	ListProducts(ctx context.Context, text string, active *bool, page model.Page) ([]model.Product, int64, error)
}

// Service is the catalog logic.
type Service struct {
	store    Store
	onChange func(productID int64)
}

// New wires a Service. onChange, if not nil, is called after a product changes, so caches of
// product facts (verification's) can drop it.
func New(store Store, onChange func(productID int64)) *Service {
	return &Service{store: store, onChange: onChange}
}

// Input is a whole or partial product; nil fields are not set.
type Input struct {
	Name               *string
	Kind               *model.ProductKind
	ReferenceNumber    *string
	RegistrationNumber *string
	ProtectedArea      *string
	Standard           *string
	RegionCode         *string
	Active             *bool
}

// apply validates in and writes its fields onto p. With create, the required fields must be
// present.
func (in Input) apply(p *model.Product, create bool) error {
	var f model.Fields
	required := func(field string, v *string, max int, dst *string) {
		if v == nil {
			if create {
				f.Add(field, model.FieldRequired, "is required")
			}
			return
		}
		*dst = model.RequireText(&f, field, *v, max)
	}
	optional := func(field string, v *string, max int, dst *string) {
		if v != nil {
			*dst = model.OptionalText(&f, field, *v, max)
		}
	}
	required("name", in.Name, 100, &p.Name)
	required("reference_number", in.ReferenceNumber, 100, &p.ReferenceNumber)
	optional("registration_number", in.RegistrationNumber, 100, &p.RegistrationNumber)
	optional("protected_area", in.ProtectedArea, 1000, &p.ProtectedArea)
	optional("standard", in.Standard, 200, &p.Standard)
	switch {
	case in.Kind != nil && !in.Kind.Valid():
		f.Add("kind", model.FieldProductKind, "must be protected_product, certification_mark or collective_mark")
	case in.Kind != nil:
		p.Kind = *in.Kind
	case create:
		f.Add("kind", model.FieldRequired, "is required")
	}
	if in.RegionCode != nil {
		p.RegionCode = model.RequireRegionCode(&f, "region_code", *in.RegionCode)
	} else if create {
		f.Add("region_code", model.FieldRequired, "is required")
	}
	if in.Active != nil {
		p.Active = *in.Active
	}
	return f.Err()
}

// Create adds a product (admin).
func (s *Service) Create(ctx context.Context, actor model.Principal, in Input) (*model.Product, error) {
	if actor.Role != model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "only an admin may edit the catalog")
	}
	p := &model.Product{Active: true}
	if err := in.apply(p, true); err != nil {
		return nil, err
	}
	if err := s.store.CreateProduct(ctx, p, actor.UserID); err != nil {
		return nil, err
	}
	return p, nil
}

// Update changes a product (admin). Retiring one (active=false) keeps its filings and labels.
func (s *Service) Update(ctx context.Context, actor model.Principal, id int64, in Input) (*model.Product, error) {
	if actor.Role != model.RoleAdmin {
		return nil, model.Errorf(model.KindForbidden, "only an admin may edit the catalog")
	}
	p, err := s.store.ProductByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.apply(p, false); err != nil {
		return nil, err
	}
	if err := s.store.UpdateProduct(ctx, p, actor.UserID); err != nil {
		return nil, err
	}
	if s.onChange != nil {
		s.onChange(id)
	}
	return p, nil
}

// Get returns one product.
func (s *Service) Get(ctx context.Context, id int64) (*model.Product, error) {
	return s.store.ProductByID(ctx, id)
}

// List searches the catalog by name.
func (s *Service) List(ctx context.Context, q string, active *bool, page model.Page) ([]model.Product, int64, error) {
	q, err := model.SearchText(q)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ListProducts(ctx, q, active, page.Normalize())
}
