// Package filing is the review workflow: an enterprise files to use the GI special mark for
// a product, attaches documents and submits; a reviewer approves, rejects or returns it, and
// later suspends, reinstates or revokes it (DESIGN.md "The filing's life").
package filing

import (
	"context"
	"errors"
	"io"

	"gimark/internal/decimal"
	"gimark/internal/filestore"
	"gimark/model"
)

// Store is the storage the workflow needs.
type Store interface {
	ProductByID(ctx context.Context, id int64) (*model.Product, error)
	CreateFiling(ctx context.Context, f *model.Filing, actorID int64) error
	FilingByID(ctx context.Context, id int64) (*model.Filing, error)
	ListFilings(ctx context.Context, f model.FilingFilter, page model.Page) ([]model.Filing, int64, error)
	UpdateFilingDraft(ctx context.Context, id int64, changes map[string]any, actorID int64) (*model.Filing, error)
	TransitionFiling(ctx context.Context, in model.FilingTransition) (*model.Filing, error)
	FilingEvents(ctx context.Context, id int64) ([]model.FilingEvent, error)
	ListRegistry(ctx context.Context, productID int64, text string, page model.Page) ([]model.RegistryEntry, int64, error)
	AuthorizationByNumber(ctx context.Context, number string) (*model.AuthorizationEntry, error)
	CreateDocument(ctx context.Context, d *model.Document) error
	DocumentsOf(ctx context.Context, filingID int64) ([]model.Document, error)
	DocumentByID(ctx context.Context, filingID, docID int64) (*model.Document, error)
	DocumentHashInUse(ctx context.Context, sum string) (bool, error)
}

// Service is the workflow.
type Service struct {
	store     Store
	files     *filestore.Store
	maxUpload int64
	onChange  func(f *model.Filing)
}

// New wires a Service; maxUpload is the largest document in bytes. onChange, if not nil, runs
// after a filing changes state, so caches of filing facts (verification's) can drop it.
func New(store Store, files *filestore.Store, maxUpload int64, onChange func(f *model.Filing)) *Service {
	return &Service{store: store, files: files, maxUpload: maxUpload, onChange: onChange}
}

// MaxUpload is the largest document accepted, in bytes.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// Input is a filing's editable fields; nil fields are not set.
type Input struct {
	ProductID         *int64
	Kind              *model.FilingKind
	ProductionAddress *string
	AnnualOutputKg    *string
}

// MaxAnnualOutputGrams bounds the declared output: 10 million tonnes is beyond any GI product.
const MaxAnnualOutputGrams = 10_000_000_000_000

func (in Input) validate(f *model.Fields, create bool) map[string]any {
	changes := map[string]any{}
	if in.ProductID != nil {
		changes["product_id"] = *in.ProductID
	} else if create {
		f.Add("product_id", model.FieldRequired, "is required")
	}
	switch {
	case in.Kind != nil && !in.Kind.Valid():
		f.Add("kind", model.FieldFilingKind, "must be new or switch")
	case in.Kind != nil:
		changes["kind"] = *in.Kind
	case create:
		f.Add("kind", model.FieldRequired, "is required")
	}
	if in.ProductionAddress != nil {
		changes["production_address"] = model.RequireText(f, "production_address", *in.ProductionAddress, 300)
	} else if create {
		f.Add("production_address", model.FieldRequired, "is required")
	}
	if in.AnnualOutputKg != nil {
		g, err := decimal.ParseKg(*in.AnnualOutputKg)
		switch {
		case err != nil:
			f.Add("annual_output_kg", model.FieldOutput, "must be a decimal number of kg with at most 3 decimals, e.g. \"1250.500\"")
		case g <= 0 || g > MaxAnnualOutputGrams:
			f.Add("annual_output_kg", model.FieldOutputRange, "must be above 0 and at most 10000000000 kg")
		default:
			changes["annual_output_grams"] = g
		}
	} else if create {
		f.Add("annual_output_kg", model.FieldRequired, "is required")
	}
	return changes
}

// checkProduct refuses a product that does not exist or is retired.
func (s *Service) checkProduct(ctx context.Context, f *model.Fields, id int64) {
	p, err := s.store.ProductByID(ctx, id)
	switch {
	case model.IsKind(err, model.KindNotFound):
		f.Add("product_id", model.FieldUnknownProduct, "no such product in the catalog")
	case err == nil && !p.Active:
		f.Add("product_id", model.FieldRetiredProduct, "this product is retired from the catalog")
	}
}

// Create starts a draft filing for the caller's enterprise.
func (s *Service) Create(ctx context.Context, p model.Principal, in Input) (*model.Filing, error) {
	if p.Role != model.RoleEnterprise || p.EnterpriseID == 0 {
		return nil, model.Errorf(model.KindForbidden, "only an enterprise may file")
	}
	var f model.Fields
	changes := in.validate(&f, true)
	if in.ProductID != nil {
		s.checkProduct(ctx, &f, *in.ProductID)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	productID := *in.ProductID
	fl := &model.Filing{
		EnterpriseID: p.EnterpriseID, ProductID: productID, LiveProductID: &productID,
		Kind: changes["kind"].(model.FilingKind), Status: model.StatusDraft,
		ProductionAddress: changes["production_address"].(string), AnnualOutputGrams: changes["annual_output_grams"].(int64),
	}
	if err := s.store.CreateFiling(ctx, fl, p.UserID); err != nil {
		return nil, err
	}
	return fl, nil
}

// visible loads filing id if the caller may see it: staff see all, an enterprise its own.
// Anyone else's filing does not exist for them (404).
func (s *Service) visible(ctx context.Context, p model.Principal, id int64) (*model.Filing, error) {
	f, err := s.store.FilingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() && !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, model.NotFound("filing")
	}
	return f, nil
}

// Get returns a filing with its documents.
func (s *Service) Get(ctx context.Context, p model.Principal, id int64) (*model.Filing, []model.Document, error) {
	f, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	docs, err := s.store.DocumentsOf(ctx, id)
	return f, docs, err
}

// List returns filings; an enterprise sees only its own whatever it asks for.
func (s *Service) List(ctx context.Context, p model.Principal, filter model.FilingFilter, page model.Page) ([]model.Filing, int64, error) {
	if !p.IsStaff() {
		filter.EnterpriseID = p.EnterpriseID
	}
	if filter.Status != "" && !filter.Status.Valid() {
		return nil, 0, model.Invalid("status", model.FieldFilingStatus, "is not a filing status")
	}
	return s.store.ListFilings(ctx, filter, page.Normalize())
}

// Update edits the caller's filing while it is draft or returned.
func (s *Service) Update(ctx context.Context, p model.Principal, id int64, in Input) (*model.Filing, error) {
	f, err := s.editable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var fe model.Fields
	changes := in.validate(&fe, false)
	if in.ProductID != nil {
		s.checkProduct(ctx, &fe, *in.ProductID)
		changes["live_product_id"] = *in.ProductID
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return f, nil
	}
	return s.store.UpdateFilingDraft(ctx, id, changes, p.UserID)
}

func errNotEditable(s model.FilingStatus) error {
	return &model.Error{Kind: model.KindConflict, Code: "invalid_transition",
		Msg: "the filing is " + string(s) + "; it can be changed only as a draft or when returned for correction"}
}

// owned loads a filing the caller's enterprise owns; staff get 403, others 404.
func (s *Service) owned(ctx context.Context, p model.Principal, id int64) (*model.Filing, error) {
	f, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.OwnsEnterprise(f.EnterpriseID) {
		return nil, model.Errorf(model.KindForbidden, "only the filing enterprise may do this")
	}
	return f, nil
}

// editable loads the caller's own filing and checks it may still be changed.
func (s *Service) editable(ctx context.Context, p model.Principal, id int64) (*model.Filing, error) {
	f, err := s.owned(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !f.Status.Editable() {
		return nil, errNotEditable(f.Status)
	}
	return f, nil
}

// TransitionInput is what a caller asks of the state machine.
type TransitionInput struct {
	Action     model.Action
	Reason     string
	LabelQuota *int64 // approve only
}

// MaxLabelQuota bounds a yearly label quota.
const MaxLabelQuota = 1_000_000_000

// Transition moves a filing along the state machine. Who may act is checked here as well as
// by the router: the owner for submit, withdraw and cancel; a reviewer for the others.
func (s *Service) Transition(ctx context.Context, p model.Principal, id int64, in TransitionInput) (*model.Filing, error) {
	t, ok := model.Transitions[in.Action]
	if !ok {
		return nil, model.NotFound("action")
	}
	var f *model.Filing
	var err error
	if t.By == model.RoleEnterprise {
		f, err = s.owned(ctx, p, id)
	} else {
		if p.Role != model.RoleReviewer {
			return nil, model.Errorf(model.KindForbidden, "only a reviewer may %s a filing", in.Action)
		}
		f, err = s.visible(ctx, p, id)
	}
	if err != nil {
		return nil, err
	}
	var fe model.Fields
	reason := model.OptionalText(&fe, "reason", in.Reason, 1000)
	if t.NeedsReason && reason == "" && len(fe) == 0 {
		fe.Add("reason", model.FieldReasonRequired, "is required to %s a filing; the enterprise will see it", in.Action)
	}
	if in.LabelQuota != nil {
		if in.Action != model.ActApprove {
			fe.Add("label_quota", model.FieldQuotaOnApprove, "is set only on approval")
		} else if *in.LabelQuota < 1 || *in.LabelQuota > MaxLabelQuota {
			fe.Add("label_quota", model.FieldQuotaRange, "must be from 1 to %d labels a year", MaxLabelQuota)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if !t.Allows(f.Status) {
		return nil, &model.Error{Kind: model.KindConflict, Code: "invalid_transition",
			Msg: "cannot " + string(in.Action) + " a filing that is " + string(f.Status), Args: []any{in.Action, f.Status}}
	}
	if in.Action == model.ActSubmit {
		if err := s.checkDocuments(ctx, id); err != nil {
			return nil, err
		}
	}
	tr := model.FilingTransition{ID: id, Action: in.Action, From: f.Status, To: t.To, Reason: reason, ActorID: p.UserID, LabelQuota: in.LabelQuota}
	if in.Action == model.ActApprove {
		prod, err := s.store.ProductByID(ctx, f.ProductID)
		if err != nil {
			return nil, err
		}
		tr.RegionCode = prod.RegionCode
	}
	out, err := s.store.TransitionFiling(ctx, tr)
	if err != nil {
		return nil, err
	}
	if s.onChange != nil {
		s.onChange(out)
	}
	return out, nil
}

// checkDocuments refuses to submit a filing that lacks a required document (409
// documents_missing, one field per missing kind). Documents are never removed, so a check
// before the transition cannot be undone by a concurrent request.
func (s *Service) checkDocuments(ctx context.Context, id int64) error {
	docs, err := s.store.DocumentsOf(ctx, id)
	if err != nil {
		return err
	}
	missing := model.MissingDocuments(docs)
	if len(missing) == 0 {
		return nil
	}
	e := &model.Error{Kind: model.KindConflict, Code: "documents_missing",
		Msg: "attach the required documents before submitting:"}
	for i, k := range missing {
		if i > 0 {
			e.Msg += ","
		}
		e.Msg += " " + string(k)
		e.Fields = append(e.Fields, model.FieldError{Field: "documents." + string(k), Code: model.FieldDocumentMissing,
			Message: "a " + documentNames[k] + " is required before submitting", Args: []any{k}})
	}
	return e
}

var documentNames = map[model.DocumentKind]string{
	model.DocBusinessLicense: "business licence (business_license)",
	model.DocOriginProof:     "proof of origin inside the protected area (origin_proof)",
}

// Events returns the audit trail of a filing the caller may see.
func (s *Service) Events(ctx context.Context, p model.Principal, id int64) ([]model.FilingEvent, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.FilingEvents(ctx, id)
}

// Registry lists the authorized users (approved filings) for the public.
func (s *Service) Registry(ctx context.Context, productID int64, q string, page model.Page) ([]model.RegistryEntry, int64, error) {
	q, err := model.SearchText(q)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ListRegistry(ctx, productID, q, page.Normalize())
}

// Upload is a document being attached.
type Upload struct {
	Kind     model.DocumentKind
	Filename string
	Body     io.Reader
}

// AddDocument streams a document to disk and attaches it to the caller's editable filing.
// A failed upload leaves neither a row nor a file.
func (s *Service) AddDocument(ctx context.Context, p model.Principal, id int64, up Upload) (*model.Document, error) {
	if _, err := s.editable(ctx, p, id); err != nil {
		return nil, err
	}
	var fe model.Fields
	if !up.Kind.Valid() {
		fe.Add("kind", model.FieldDocumentKind, "must be business_license, origin_proof, inspection_report or other")
	}
	name := CleanFilename(up.Filename)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	st, err := s.files.Put(up.Body, s.maxUpload)
	switch {
	case errors.Is(err, filestore.ErrTooLarge):
		return nil, &model.Error{Kind: model.KindTooLarge, Code: "file_too_large", Msg: "the document is larger than the upload limit"}
	case errors.Is(err, filestore.ErrUnsupported):
		return nil, &model.Error{Kind: model.KindUnsupported, Code: "unsupported_type", Msg: "documents must be PDF, JPEG or PNG files"}
	case errors.Is(err, filestore.ErrEmpty):
		return nil, model.Invalid("file", model.FieldEmptyFile, "is empty")
	case err != nil:
		return nil, err // e.g. the request body hit its byte limit; the HTTP edge says 413
	}
	if name == "" {
		name = "document" + filestore.Allowed[st.ContentType]
	}
	d := &model.Document{FilingID: id, Kind: up.Kind, Filename: name, ContentType: st.ContentType,
		Size: st.Size, SHA256: st.SHA256, UploadedBy: p.UserID}
	if err := s.store.CreateDocument(ctx, d); err != nil {
		inUse, _ := s.store.DocumentHashInUse(context.WithoutCancel(ctx), st.SHA256)
		s.files.Discard(st, inUse)
		return nil, err
	}
	return d, nil
}

// OpenDocument returns a document of a filing the caller may see, and its bytes.
func (s *Service) OpenDocument(ctx context.Context, p model.Principal, id, docID int64) (*model.Document, io.ReadSeekCloser, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return nil, nil, err
	}
	d, err := s.store.DocumentByID(ctx, id, docID)
	if err != nil {
		return nil, nil, err
	}
	fh, err := s.files.Open(d.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return d, fh, nil
}

// Authorization is one authorization's public register entry by its number, with its
// current state (approved, suspended, revoked or cancelled): the target of EPCIS
// certificationInfo and of a label's gs1:certificationInfo link.
func (s *Service) Authorization(ctx context.Context, number string) (*model.AuthorizationEntry, error) {
	if number == "" || len(number) > 64 {
		return nil, model.NotFound("authorization")
	}
	return s.store.AuthorizationByNumber(ctx, number)
}
