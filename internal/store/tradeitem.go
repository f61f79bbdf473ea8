package store

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"gimark/model"
)

func init() {
	registerUnique(uniqueIndex{"ux_trade_items_enterprise_gtin", "trade_items.enterprise_id, trade_items.gtin", "gtin",
		"the enterprise has already recorded this GTIN", model.FieldTaken})
}

// CreateTradeItem records a GTIN with its audit event. The unique index decides a duplicate,
// also under concurrent requests.
func (s *Store) CreateTradeItem(ctx context.Context, t *model.TradeItem) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		t.CreatedAt = s.Now()
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &t.CreatedBy, Action: "trade_item.create", ObjectType: "trade_item",
			ObjectID: t.ID, Reason: "GTIN " + t.GTIN + " for filing " + itoa(t.FilingID), At: t.CreatedAt})
	})
	return translate(err, "trade item")
}

// TradeItemsOfFiling lists a filing's GTINs in the order they were recorded.
func (s *Store) TradeItemsOfFiling(ctx context.Context, filingID int64) ([]model.TradeItem, error) {
	var out []model.TradeItem
	err := s.rdb.WithContext(ctx).Where("filing_id = ?", filingID).Order("id").Find(&out).Error
	return out, translate(err, "trade item")
}

// TradeItemOfFiling finds one GTIN (14 digits) recorded under a filing.
func (s *Store) TradeItemOfFiling(ctx context.Context, filingID int64, gtin14 string) (*model.TradeItem, error) {
	var t model.TradeItem
	if err := s.rdb.WithContext(ctx).Where("filing_id = ? AND gtin = ?", filingID, gtin14).Take(&t).Error; err != nil {
		return nil, translate(err, "trade item")
	}
	return &t, nil
}

// TradeItemsByGTIN lists every enterprise's record of a GTIN, oldest first (the resolver's
// lookup; usually one).
func (s *Store) TradeItemsByGTIN(ctx context.Context, gtin14 string) ([]model.TradeItem, error) {
	var out []model.TradeItem
	err := s.rdb.WithContext(ctx).Where("gtin = ?", gtin14).Order("id").Limit(100).Find(&out).Error
	return out, translate(err, "trade item")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ProductPageByGTIN reads what the resolver tells about a GTIN: its first record (oldest),
// with the filing, the product and the enterprise. Unknown GTIN: not found.
func (s *Store) ProductPageByGTIN(ctx context.Context, gtin14 string) (*model.ProductPage, error) {
	var out model.ProductPage
	err := s.rdb.WithContext(ctx).Table("trade_items AS t").
		Select(`t.gtin, t.description, f.id AS filing_id, f.status AS filing_status, COALESCE(f.authorization_number, '') AS authorization_number,
p.name AS product_name, p.kind AS product_kind, p.reference_number, p.registration_number, p.protected_area,
e.name AS enterprise_name, e.uscc`).
		Joins("JOIN filings f ON f.id = t.filing_id").
		Joins("JOIN products p ON p.id = f.product_id").
		Joins("JOIN enterprises e ON e.id = f.enterprise_id").
		Where("t.gtin = ?", gtin14).Order("t.id").Limit(1).Take(&out).Error
	if err != nil {
		return nil, translate(err, "GTIN")
	}
	return &out, nil
}

// AuthorizationByNumber reads one authorization's public record by its number.
func (s *Store) AuthorizationByNumber(ctx context.Context, number string) (*model.AuthorizationEntry, error) {
	var out model.AuthorizationEntry
	err := s.rdb.WithContext(ctx).Table("filings AS f").
		Joins("JOIN enterprises e ON e.id = f.enterprise_id").
		Joins("JOIN products p ON p.id = f.product_id").
		Select("f.id AS filing_id, e.name AS enterprise_name, e.uscc, p.id AS product_id, p.name AS product_name, f.authorization_number, f.approved_at, f.status").
		Where("f.authorization_number = ?", number).Take(&out).Error
	if err != nil {
		return nil, translate(err, "authorization")
	}
	return &out, nil
}
