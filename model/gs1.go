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

// LabelURLPrefix is everything of a batch's label URL before the code, on base (the public
// base URL the batch was ordered under). It is the one place that decides what a label's QR
// carries, for codes.csv, QR images, the ZIP and print sheets alike:
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
	root, path := splitBase(base)
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
