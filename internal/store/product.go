package store

import (
	"context"

	"gorm.io/gorm"

	"gimark/model"
)

func init() {
	registerUnique(uniqueIndex{"ux_products_name", "products.name", "name", "a product with this name is already in the catalog", model.FieldTaken})
}

// CreateProduct adds a catalog entry with its audit event.
func (s *Store) CreateProduct(ctx context.Context, p *model.Product, actorID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "product.create", ObjectType: "product", ObjectID: p.ID})
	})
	return translate(err, "product")
}

// UpdateProduct saves every field of p with its audit event.
func (s *Store) UpdateProduct(ctx context.Context, p *model.Product, actorID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&model.Product{}).Where("id = ?", p.ID).Select("*").Omit("id", "created_at").Updates(p)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "product.update", ObjectType: "product", ObjectID: p.ID})
	})
	return translate(err, "product")
}

// ProductByID finds a catalog entry.
func (s *Store) ProductByID(ctx context.Context, id int64) (*model.Product, error) {
	var p model.Product
	if err := s.rdb.WithContext(ctx).Take(&p, id).Error; err != nil {
		return nil, translate(err, "product")
	}
	return &p, nil
}

// ListProducts returns a page of the catalog in id order, and the total. text matches part
// of the name; active, when set, filters on it.
func (s *Store) ListProducts(ctx context.Context, text string, active *bool, page model.Page) ([]model.Product, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.Product{})
	if text != "" {
		q = q.Where("name LIKE ? ESCAPE '!'", "%"+escapeLike(text)+"%")
	}
	if active != nil {
		q = q.Where("active = ?", *active)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "product")
	}
	var out []model.Product
	err := q.Order("id").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "product")
}
