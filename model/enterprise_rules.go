package model

// EnterpriseInput is what a registration or an update says about an enterprise. The USCC is
// validated by the caller (its check rules live in internal/uscc).
type EnterpriseInput struct {
	Name                string
	LegalRepresentative string
	Address             string
	RegionCode          string
	ContactPhone        string
}

// Validate checks and normalises the fields, naming them under prefix (e.g. "enterprise.").
func (in *EnterpriseInput) Validate(f *Fields, prefix string) {
	in.Name = RequireText(f, prefix+"name", in.Name, 200)
	in.LegalRepresentative = RequireText(f, prefix+"legal_representative", in.LegalRepresentative, 64)
	in.Address = RequireText(f, prefix+"address", in.Address, 300)
	in.RegionCode = RequireRegionCode(f, prefix+"region_code", in.RegionCode)
	in.ContactPhone = RequirePhone(f, prefix+"contact_phone", in.ContactPhone)
}
