// Package tradeitem keeps the GTINs (GS1 trade items) an enterprise uses for its product
// under an approved filing: the owner records them, the bureau reads them, label batches and
// the Digital Link resolver look them up.
package tradeitem

import (
	"context"

	"gimark/internal/gs1"
	"gimark/model"
)

// Store is the storage trade items need.
type Store interface {
	FilingByID(ctx context.Context, id int64) (*model.Filing, error)
	CreateTradeItem(ctx context.Context, t *model.TradeItem) error
	TradeItemsOfFiling(ctx context.Context, filingID int64) ([]model.TradeItem, error)
	TradeItemsByGTIN(ctx context.Context, gtin14 string) ([]model.TradeItem, error)
	ProductPageByGTIN(ctx context.Context, gtin14 string) (*model.ProductPage, error)
}

// Service is trade-item recording and lookup.
type Service struct{ store Store }

// New wires a Service.
func New(store Store) *Service { return &Service{store: store} }

// MaxDescription is the longest description, in characters.
const MaxDescription = 200

// Add records a GTIN (GTIN-8/12/13/14, check digit verified, kept as GTIN-14) under the
// caller's approved filing.
func (s *Service) Add(ctx context.Context, p model.Principal, filingID int64, gtin, description string) (*model.TradeItem, error) {
	f, err := s.store.FilingByID(ctx, filingID)
	if err != nil {
		return nil, err
	}
	if !p.OwnsEnterprise(f.EnterpriseID) {
		if p.IsStaff() {
			return nil, model.Errorf(model.KindForbidden, "only the filing enterprise records its GTINs")
		}
		return nil, model.NotFound("filing")
	}
	var fe model.Fields
	g, gerr := gs1.NormalizeGTIN(gtin)
	if gerr != nil {
		fe.Add("gtin", model.FieldGTIN, "%s", gerr.Error())
	}
	if description != "" {
		description = model.RequireText(&fe, "description", description, MaxDescription) // optional, but clean when given
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if f.Status != model.StatusApproved {
		return nil, &model.Error{Kind: model.KindConflict, Code: "filing_not_approved",
			Msg: "GTINs can be recorded only under an approved filing; this one is " + string(f.Status)}
	}
	t := &model.TradeItem{EnterpriseID: f.EnterpriseID, FilingID: f.ID, GTIN: g, Description: description, CreatedBy: p.UserID}
	if err := s.store.CreateTradeItem(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// List returns a filing's GTINs: to its enterprise and to the bureau; anyone else gets 404.
func (s *Service) List(ctx context.Context, p model.Principal, filingID int64) ([]model.TradeItem, error) {
	f, err := s.store.FilingByID(ctx, filingID)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() && !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, model.NotFound("filing")
	}
	return s.store.TradeItemsOfFiling(ctx, filingID)
}

// ByGTIN returns the records of a GTIN-14 (public: the resolver's lookup).
func (s *Service) ByGTIN(ctx context.Context, gtin14 string) ([]model.TradeItem, error) {
	return s.store.TradeItemsByGTIN(ctx, gtin14)
}

// Page is the public product page of a GTIN-14 (the resolver's gs1:pip target).
func (s *Service) Page(ctx context.Context, gtin14 string) (*model.ProductPage, error) {
	return s.store.ProductPageByGTIN(ctx, gtin14)
}
