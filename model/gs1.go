package model

import (
	"net/url"
	"strings"
	"time"
)

// TradeItem is a GTIN an enterprise uses for its product under an approved filing (GS1 trade
// item). GTIN is always the 14-digit form.
type TradeItem struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	EnterpriseID int64     `gorm:"column:enterprise_id"`
	FilingID     int64     `gorm:"column:filing_id"`
	GTIN         string    `gorm:"column:gtin"`
	Description  string    `gorm:"column:description"`
	CreatedBy    int64     `gorm:"column:created_by"`
	CreatedAt    time.Time `gorm:"column:created_at"`
}

// TableName pins the table.
func (TradeItem) TableName() string { return "trade_items" }

// LabelURLPrefix is everything of a batch's label URL before the code, on the public base URL
// the batch recorded when it was ordered — or on base (the configured one) for a batch
// ordered before batches recorded it (see BaseURL). It is the one place that decides what a
// label's QR carries, for codes.csv, QR images, the ZIP and print sheets alike:
//
//   - no GTIN: BASE/V/CODE, the verification page;
//   - a GTIN: a GS1 Digital Link URI, BASE/01/{gtin14}[/10/{lot}]/21/CODE.
//
// Scheme and host are upper-cased (both are case-insensitive), the AIs are digits and codes
// are upper-case Crockford base32, so the whole URI stays in QR alphanumeric mode and the
// symbol small. A lot is case-sensitive in GS1 (AI 10): it is written as given, and a lot
// with lower-case letters or punctuation outside the alphanumeric set makes the encoder use
// byte mode. A base URL with a path keeps that path's case (and /v/).
func (b *LabelBatch) LabelURLPrefix(base string) string {
	root, path := splitBase(b.BaseURL(base))
	if b.GTIN == "" {
		if path == "" {
			return root + "/V/"
		}
		return root + path + "/v/"
	}
	var sb strings.Builder
	sb.WriteString(root)
	sb.WriteString(path)
	sb.WriteString("/01/")
	sb.WriteString(b.GTIN)
	if b.Lot != "" {
		sb.WriteString("/10/")
		sb.WriteString(url.PathEscape(b.Lot))
	}
	sb.WriteString("/21/")
	return sb.String()
}

// LabelURL is the address printed in the QR code of the batch's label with this code.
func (b *LabelBatch) LabelURL(base, code string) string { return b.LabelURLPrefix(base) + code }

// splitBase returns the upper-cased scheme://host and the path (without a trailing slash) of
// a base URL; a base that does not parse is returned as the root, unchanged.
func splitBase(base string) (root, path string) {
	base = strings.TrimRight(base, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return base, ""
	}
	return strings.ToUpper(u.Scheme + "://" + u.Host), u.EscapedPath()
}

// ProductPage is what gimark tells anyone about a GTIN it resolves (the gs1:pip page and the
// resolver's facts): the trade item, its GI product and the enterprise using the mark.
type ProductPage struct {
	GTIN                string       `gorm:"column:gtin" json:"gtin"`
	Description         string       `gorm:"column:description" json:"description,omitempty"`
	FilingID            int64        `gorm:"column:filing_id" json:"-"`
	FilingStatus        FilingStatus `gorm:"column:filing_status" json:"authorization_status"`
	AuthorizationNumber string       `gorm:"column:authorization_number" json:"authorization_number"`
	ProductName         string       `gorm:"column:product_name" json:"product_name"`
	ProductKind         ProductKind  `gorm:"column:product_kind" json:"product_kind"`
	ReferenceNumber     string       `gorm:"column:reference_number" json:"reference_number"`
	RegistrationNumber  string       `gorm:"column:registration_number" json:"registration_number,omitempty"`
	ProtectedArea       string       `gorm:"column:protected_area" json:"protected_area"`
	EnterpriseName      string       `gorm:"column:enterprise_name" json:"enterprise_name"`
	EnterpriseUSCC      string       `gorm:"column:uscc" json:"enterprise_uscc"`
}

// AuthorizationEntry is one authorization's public record, whatever its state now (the
// target of EPCIS certificationInfo and of the resolver's gs1:certificationInfo link).
type AuthorizationEntry struct {
	RegistryEntry
	Status FilingStatus `gorm:"column:status"`
}

// EPCIS source kinds: what in gimark's history becomes an EPCIS event.
const (
	EPCISBatchOrdered = "batch_ordered" // ObjectEvent ADD, commissioning
	EPCISBatchVoided  = "batch_voided"  // ObjectEvent DELETE, decommissioning
	EPCISLabelVoided  = "label_voided"  // ObjectEvent DELETE, decommissioning (one label)
	EPCISFilingStatus = "filing_status" // ObjectEvent OBSERVE: the authorization changed state
)

// EPCISSource is one fact of gimark's history that the EPCIS export turns into events. The
// labels of a batch are not in it: they stream separately, in serial ranges.
type EPCISSource struct {
	Kind                string    `gorm:"column:kind"`
	At                  time.Time `gorm:"column:at"`
	FilingID            int64     `gorm:"column:filing_id"`
	BatchID             int64     `gorm:"column:batch_id"`
	FirstLabelID        int64     `gorm:"column:first_label_id"`
	Quantity            int       `gorm:"column:quantity"`
	GTIN                string    `gorm:"column:gtin"`
	Lot                 string    `gorm:"column:lot"`
	Code                string    `gorm:"column:code"`     // label_voided
	ToState             string    `gorm:"column:to_state"` // filing_status
	Action              string    `gorm:"column:action"`   // filing_status: filing.suspend, …
	AuthorizationNumber string    `gorm:"column:auth_no"`
}

// EPCISFilter narrows the export; zero fields do not filter. From is inclusive, To exclusive.
type EPCISFilter struct {
	From, To     time.Time
	EnterpriseID int64
	ProductID    int64
}
