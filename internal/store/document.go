package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

// CreateDocument attaches d to its filing if the filing is still editable, with the audit
// event, in one transaction. The filing row is locked so a submit cannot slip in between
// the check and the insert.
func (s *Store) CreateDocument(ctx context.Context, d *model.Document) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var f model.Filing
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "status").Take(&f, d.FilingID).Error; err != nil {
			return err
		}
		if !f.Status.Editable() {
			return errNotEditable
		}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &d.UploadedBy, Action: "filing.document_add", ObjectType: "filing",
			ObjectID: d.FilingID, Reason: string(d.Kind) + ": " + d.Filename})
	})
	return translate(err, "filing")
}

// DocumentsOf lists a filing's documents in upload order.
func (s *Store) DocumentsOf(ctx context.Context, filingID int64) ([]model.Document, error) {
	var out []model.Document
	err := s.rdb.WithContext(ctx).Where("filing_id = ?", filingID).Order("id").Find(&out).Error
	return out, translate(err, "document")
}

// DocumentByID finds document docID of filing filingID.
func (s *Store) DocumentByID(ctx context.Context, filingID, docID int64) (*model.Document, error) {
	var d model.Document
	if err := s.rdb.WithContext(ctx).Where("id = ? AND filing_id = ?", docID, filingID).Take(&d).Error; err != nil {
		return nil, translate(err, "document")
	}
	return &d, nil
}

// DocumentHashInUse reports whether any document row, or any upload of the special mark's
// artwork (they share the file store), refers to the file with this hash.
func (s *Store) DocumentHashInUse(ctx context.Context, sum string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.Document{}).Where("sha256 = ?", sum).Count(&n).Error
	if err != nil || n > 0 {
		return n > 0, translate(err, "document")
	}
	err = s.db.WithContext(ctx).Model(&model.SpecialMark{}).Where("sha256 = ?", sum).Count(&n).Error
	return n > 0, translate(err, "document")
}
