package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

func init() {
	registerUnique(
		uniqueIndex{"ux_filings_live", "filings.enterprise_id, filings.live_product_id", "product_id",
			"the enterprise already has a live filing for this product", model.FieldLiveFiling},
		uniqueIndex{"ux_filings_authorization_number", "filings.authorization_number", "authorization_number",
			"authorization number already assigned", model.FieldTaken},
	)
}

// CreateFiling stores a new draft with its audit event. A second live filing for the same
// enterprise and product collides with ux_filings_live, also under concurrent requests.
func (s *Store) CreateFiling(ctx context.Context, f *model.Filing, actorID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(f).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "filing.create", ObjectType: "filing",
			ObjectID: f.ID, ToState: string(f.Status)})
	})
	if err != nil && isDuplicate(err) {
		return &model.Error{Kind: model.KindConflict, Code: "live_filing_exists",
			Msg: "the enterprise already has a live filing for this product", Err: err}
	}
	return translate(err, "filing")
}

// FilingByID finds a filing.
func (s *Store) FilingByID(ctx context.Context, id int64) (*model.Filing, error) {
	var f model.Filing
	if err := s.db.WithContext(ctx).Take(&f, id).Error; err != nil {
		return nil, translate(err, "filing")
	}
	return &f, nil
}

// ListFilings returns one page of filings and the total. Submitted filings come oldest
// submission first (the review queue); other lists newest first.
func (s *Store) ListFilings(ctx context.Context, f model.FilingFilter, page model.Page) ([]model.Filing, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.Filing{})
	if f.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", f.EnterpriseID)
	}
	if f.ProductID != 0 {
		q = q.Where("product_id = ?", f.ProductID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "filing")
	}
	order := "id DESC"
	if f.Status == model.StatusSubmitted {
		order = "submitted_at ASC, id ASC"
	}
	var out []model.Filing
	err := q.Order(order).Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "filing")
}

// UpdateFilingDraft changes columns of a filing that is still editable (draft or returned).
func (s *Store) UpdateFilingDraft(ctx context.Context, id int64, changes map[string]any, actorID int64) (*model.Filing, error) {
	var f model.Filing
	err := s.tx(ctx, func(tx *gorm.DB) error {
		changes["updated_at"] = s.Now()
		res := tx.Model(&model.Filing{}).
			Where("id = ? AND status IN ?", id, []model.FilingStatus{model.StatusDraft, model.StatusReturned}).
			Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errNotEditable
		}
		if err := s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "filing.update", ObjectType: "filing", ObjectID: id}); err != nil {
			return err
		}
		return tx.Take(&f, id).Error
	})
	if err != nil {
		return nil, translate(err, "filing")
	}
	return &f, nil
}

var errNotEditable = &model.Error{Kind: model.KindConflict, Code: "invalid_transition",
	Msg: "the filing can be changed only while it is a draft or returned for correction"}

// TransitionFiling applies one transition in one transaction: a conditional update on the
// current status plus its audit event. Of concurrent transitions from one state exactly one
// wins; the others get 409 invalid_transition.
func (s *Store) TransitionFiling(ctx context.Context, in model.FilingTransition) (*model.Filing, error) {
	var f model.Filing
	err := s.retry(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		set := map[string]any{"status": in.To, "updated_at": now, "decision_reason": in.Reason}
		if in.To.Terminal() {
			set["live_product_id"] = nil
		}
		switch in.Action {
		case model.ActSubmit:
			set["submitted_at"] = now
		case model.ActApprove:
			set["approved_at"] = now
			set["label_quota"] = in.LabelQuota
		}
		res := tx.Model(&model.Filing{}).Where("id = ? AND status = ?", in.ID, in.From).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &model.Error{Kind: model.KindConflict, Code: "invalid_transition",
				Msg: fmt.Sprintf("the filing is no longer %s; reload it", in.From)}
		}
		if in.Action == model.ActApprove {
			number, err := s.nextAuthorizationNumber(tx, in.RegionCode, now)
			if err != nil {
				return err
			}
			if err := tx.Model(&model.Filing{}).Where("id = ?", in.ID).Update("authorization_number", number).Error; err != nil {
				return err
			}
		}
		if err := s.audit(tx, &model.AuditEvent{ActorID: &in.ActorID, Action: "filing." + string(in.Action), ObjectType: "filing",
			ObjectID: in.ID, FromState: string(in.From), ToState: string(in.To), Reason: in.Reason, At: now}); err != nil {
			return err
		}
		return tx.Take(&f, in.ID).Error
	})
	if err != nil {
		return nil, translate(err, "filing")
	}
	return &f, nil
}

// nextAuthorizationNumber takes the next serial of the year inside tx. The counter row is
// bumped by an upsert, which locks it on MySQL until commit, so concurrent approvals get
// consecutive numbers and never the same one.
func (s *Store) nextAuthorizationNumber(tx *gorm.DB, region string, now time.Time) (string, error) {
	year := now.Year()
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "year"}},
		DoUpdates: clause.Assignments(map[string]any{"last": gorm.Expr("last + 1")}),
	}).Create(&authSeq{Year: year, Last: 1}).Error
	if err != nil {
		return "", err
	}
	var seq authSeq
	if err := tx.Where("year = ?", year).Take(&seq).Error; err != nil {
		return "", err
	}
	return model.FormatAuthorizationNumber(region, year, seq.Last), nil
}

type authSeq struct {
	Year int   `gorm:"column:year;primaryKey;autoIncrement:false"`
	Last int64 `gorm:"column:last"`
}

func (authSeq) TableName() string { return "authorization_sequences" }

// retry runs fn in a transaction and repeats it when MySQL reports a deadlock or a lock
// wait timeout: InnoDB resolves those by rolling one transaction back, to be tried again.
func (s *Store) retry(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.tx(ctx, fn); err == nil || !isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

// FilingEvents lists a filing's audit trail, oldest first.
func (s *Store) FilingEvents(ctx context.Context, id int64) ([]model.FilingEvent, error) {
	var out []model.FilingEvent
	err := s.rdb.WithContext(ctx).Table("audit_events AS e").
		Select("e.*, u.username AS actor_username, u.role AS actor_role").
		Joins("LEFT JOIN users u ON u.id = e.actor_id").
		Where("e.object_type = ? AND e.object_id = ?", "filing", id).
		Order("e.id").Scan(&out).Error
	return out, translate(err, "filing")
}

// ListRegistry lists exactly the approved filings, most recently approved first.
func (s *Store) ListRegistry(ctx context.Context, productID int64, text string, page model.Page) ([]model.RegistryEntry, int64, error) {
	q := s.rdb.WithContext(ctx).Table("filings AS f").
		Joins("JOIN enterprises e ON e.id = f.enterprise_id").
		Joins("JOIN products p ON p.id = f.product_id").
		Where("f.status = ?", model.StatusApproved)
	if productID != 0 {
		q = q.Where("f.product_id = ?", productID)
	}
	if text != "" {
		like := "%" + escapeLike(text) + "%"
		q = q.Where("(e.name LIKE ? ESCAPE '!' OR e.uscc LIKE ? ESCAPE '!' OR f.authorization_number LIKE ? ESCAPE '!')", like, like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "registry")
	}
	var out []model.RegistryEntry
	err := q.Select("f.id AS filing_id, e.name AS enterprise_name, e.uscc, p.id AS product_id, p.name AS product_name, f.authorization_number, f.approved_at").
		Order("f.approved_at DESC, f.id DESC").Offset(page.Offset()).Limit(page.PageSize).Scan(&out).Error
	return out, total, translate(err, "registry")
}
