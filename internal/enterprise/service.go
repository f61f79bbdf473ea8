// Package enterprise lets the bureau look up enterprises and lets an enterprise keep its
// contact details current (API.md "Enterprises").
package enterprise

import (
	"context"

	"gimark/model"
)

// Store is the storage the enterprise service needs.
type Store interface {
	EnterpriseByID(ctx context.Context, id int64) (*model.Enterprise, error)
	ListEnterprises(ctx context.Context, q string, page model.Page) ([]model.Enterprise, int64, error)
	UpdateEnterprise(ctx context.Context, id int64, changes map[string]any, actorID int64) (*model.Enterprise, error)
}

// Service is the enterprise logic.
type Service struct{ store Store }

// New wires a Service.
func New(store Store) *Service { return &Service{store: store} }

// Get returns enterprise id to its own users and to the bureau. To anyone else it does not
// exist: another enterprise's object is 404, so ids cannot be probed.
func (s *Service) Get(ctx context.Context, p model.Principal, id int64) (*model.Enterprise, error) {
	if !p.IsStaff() && !p.OwnsEnterprise(id) {
		return nil, model.NotFound("enterprise")
	}
	return s.store.EnterpriseByID(ctx, id)
}

// List returns enterprises matching q (name or USCC) to the bureau.
func (s *Service) List(ctx context.Context, p model.Principal, q string, page model.Page) ([]model.Enterprise, int64, error) {
	if !p.IsStaff() {
		return nil, 0, model.Errorf(model.KindForbidden, "only the bureau may list enterprises")
	}
	q, err := model.SearchText(q)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ListEnterprises(ctx, q, page.Normalize())
}

// Patch is a change to an enterprise's contact fields; nil fields stay as they are.
type Patch struct {
	USCC                *string
	Name                *string
	LegalRepresentative *string
	Address             *string
	RegionCode          *string
	ContactPhone        *string
}

// Update changes the contact fields of the caller's own enterprise. The USCC and the
// registered name are what the bureau filed against, so they do not change here.
func (s *Service) Update(ctx context.Context, p model.Principal, id int64, in Patch) (*model.Enterprise, error) {
	if !p.OwnsEnterprise(id) {
		if p.IsStaff() {
			return nil, model.Errorf(model.KindForbidden, "only the enterprise's own users may edit it")
		}
		return nil, model.NotFound("enterprise")
	}
	var f model.Fields
	changes := map[string]any{}
	if in.USCC != nil {
		f.Add("uscc", model.FieldFixed, "the unified social credit code cannot be changed")
	}
	if in.Name != nil {
		f.Add("name", model.FieldFixed, "the registered name cannot be changed here; contact the bureau")
	}
	if in.LegalRepresentative != nil {
		changes["legal_representative"] = model.RequireText(&f, "legal_representative", *in.LegalRepresentative, 64)
	}
	if in.Address != nil {
		changes["address"] = model.RequireText(&f, "address", *in.Address, 300)
	}
	if in.RegionCode != nil {
		changes["region_code"] = model.RequireRegionCode(&f, "region_code", *in.RegionCode)
	}
	if in.ContactPhone != nil {
		changes["contact_phone"] = model.RequirePhone(&f, "contact_phone", *in.ContactPhone)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.store.UpdateEnterprise(ctx, id, changes, p.UserID)
}
