package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gimark/model"
)

// CreateLabelBatch issues a batch and all its labels in one transaction, so a failure leaves
// no partial batch. check decides, with the filing row locked, whether the batch may be
// issued: it sees the filing and the labels already issued to it this calendar year (voided
// batches excluded). newCodes makes fresh codes; a code that collides with an existing one
// (80 random bits: it will not happen, but the unique index decides) is replaced and retried.
func (s *Store) CreateLabelBatch(ctx context.Context, b *model.LabelBatch, check func(f *model.Filing, issuedThisYear int64) error, newCodes func(n int) ([]string, error)) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var f model.Filing
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&f, b.FilingID).Error; err != nil {
			return err
		}
		now := s.Now()
		yearStart := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		var issued sql.NullInt64
		if err := tx.Model(&model.LabelBatch{}).Select("SUM(quantity)").
			Where("filing_id = ? AND status = ? AND created_at >= ?", b.FilingID, model.LabelActive, yearStart).
			Scan(&issued).Error; err != nil {
			return err
		}
		if err := check(&f, issued.Int64); err != nil {
			return err
		}
		first, err := reserveLabelIDs(tx, b.Quantity)
		if err != nil {
			return err
		}
		b.Status, b.CreatedAt, b.FirstLabelID = model.LabelActive, now, first
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("label insert needs a database/sql transaction")
		}
		if s.dialect == "mysql" {
			err = s.insertLabelsMySQL(ctx, sqlTx, b, newCodes)
		} else {
			err = insertLabelsJSON(sqlTx, b, newCodes)
		}
		if err != nil {
			return err
		}
		return s.audit(tx, &model.AuditEvent{ActorID: &b.CreatedBy, Action: "label_batch.create", ObjectType: "label_batch",
			ObjectID: b.ID, ToState: model.LabelActive, Reason: fmt.Sprintf("%d labels for filing %d", b.Quantity, b.FilingID)})
	})
	return translate(err, "label batch")
}

// reserveLabelIDs takes n consecutive label ids. The counter row stays locked until the
// batch commits, so concurrent batches get disjoint ranges; ids of a failed batch are given
// back by its rollback.
func reserveLabelIDs(tx *gorm.DB, n int) (int64, error) {
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{"next_id": gorm.Expr("next_id + ?", n)}),
	}).Create(&labelSeq{ID: 1, NextID: 1 + int64(n)}).Error
	if err != nil {
		return 0, err
	}
	var seq labelSeq
	if err := tx.Take(&seq, 1).Error; err != nil {
		return 0, err
	}
	return seq.NextID - int64(n), nil
}

type labelSeq struct {
	ID     int   `gorm:"column:id;primaryKey;autoIncrement:false"`
	NextID int64 `gorm:"column:next_id"`
}

func (labelSeq) TableName() string { return "label_sequence" }

// insertLabelsJSON is the fast path on SQLite: 2,000 labels per statement, passed as one
// JSON array of codes that json_each turns into rows. The driver parses a statement on every
// execution, prepared or not, so one statement per label spent most of a batch parsing. A
// chunk that hits a duplicate code fails alone (the statement is undone, not the
// transaction) and is retried with fresh codes. No request context: on SQLite it costs a
// few percent per statement, and the whole batch is one transaction anyway.
func insertLabelsJSON(tx *sql.Tx, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	const rows = 2000
	var sb strings.Builder
	for start := 0; start < b.Quantity; start += rows {
		err := withFreshCodes(min(rows, b.Quantity-start), newCodes, func(codes []string) error {
			// Codes are Crockford base32: nothing in them needs JSON escaping.
			sb.Reset()
			sb.WriteString(`["`)
			sb.WriteString(strings.Join(codes, `","`))
			sb.WriteString(`"]`)
			_, err := tx.Exec(`INSERT INTO labels (id, batch_id, filing_id, serial, code)
SELECT ? + key, ?, ?, ? + key, value FROM json_each(?)`, b.FirstLabelID+int64(start), b.ID, b.FilingID, start+1, sb.String())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// withFreshCodes draws n codes and hands them to insert, drawing again when insert hits a
// code already taken (at most three retries: a collision of 80 random bits is already rare).
func withFreshCodes(n int, newCodes func(int) ([]string, error), insert func(codes []string) error) error {
	for attempt := 0; ; attempt++ {
		codes, err := newCodes(n)
		if err != nil {
			return err
		}
		err = insert(codes)
		if err == nil || !isCodeCollision(err) || attempt == 3 {
			return err
		}
	}
}

// insertLabelsMySQL loads the batch with LOAD DATA LOCAL from a stream the application
// writes as the server reads (measured about a third faster than 1000-row INSERTs on
// MariaDB). A server that refuses local loads (local_infile=OFF, MySQL 8's default) gets
// 1000-row INSERTs instead, from then on.
func (s *Store) insertLabelsMySQL(ctx context.Context, tx *sql.Tx, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	if !s.noLocalInfile.Load() {
		err := loadLabels(ctx, tx, b, newCodes)
		if !isLocalInfileRefused(err) {
			return err
		}
		s.noLocalInfile.Store(true)
		s.log.Warn("the MySQL server refuses LOAD DATA LOCAL (local_infile); label batches use multi-row INSERTs")
	}
	return insertLabelsMulti(ctx, tx, b, newCodes)
}

// isCodeCollision: a label's code is already taken (SQLite names the column, MySQL the
// index); any other duplicate is a fault, not bad luck.
func isCodeCollision(err error) bool {
	return isDuplicate(err) && (strings.Contains(err.Error(), "labels.code") || strings.Contains(err.Error(), "ux_labels_code"))
}

// SetLoadData switches LOAD DATA LOCAL for label batches on MySQL on or off (it is on until
// a server refuses it). Off, batches use 1000-row INSERTs: for tests of that path, and for
// servers where even a refused attempt is unwanted.
func (s *Store) SetLoadData(on bool) { s.noLocalInfile.Store(!on) }

var loadSeq atomic.Int64 // names the stream of each load in the driver's process-wide registry

// loadLabels streams the batch as tab-separated rows. Codes are sorted within each chunk
// (serials follow that order; codes are random anyway), so the unique index takes them in
// order. With LOCAL the server cannot stop the stream, so it skips a row whose code is
// taken (with a warning) instead of failing: a short count is filled with fresh codes.
func loadLabels(ctx context.Context, tx *sql.Tx, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	name := "gimark-labels-" + strconv.FormatInt(loadSeq.Add(1), 10)
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeLabelRows(pw, b, newCodes))
	}()
	gomysql.RegisterReaderHandler(name, func() io.Reader { return pr })
	res, err := tx.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+`' INTO TABLE labels CHARACTER SET ascii
FIELDS TERMINATED BY '\t' ESCAPED BY '' LINES TERMINATED BY '\n' (id, batch_id, filing_id, serial, code)`)
	gomysql.DeregisterReaderHandler(name)
	pr.CloseWithError(errors.New("load ended")) // a writer still going stops
	<-done
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == int64(b.Quantity) {
		return err
	}
	return fillMissingLabels(ctx, tx, b, newCodes)
}

// fillMissingLabels gives every id of the batch's range that has no label one with a fresh
// code (after a load skipped colliding codes: it will not happen, but must not lose labels).
func fillMissingLabels(ctx context.Context, tx *sql.Tx, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM labels WHERE id >= ? AND id < ? ORDER BY id", b.FirstLabelID, b.FirstLabelID+int64(b.Quantity))
	if err != nil {
		return err
	}
	var missing []int64
	next := b.FirstLabelID
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		for ; next < id; next++ {
			missing = append(missing, next)
		}
		next = id + 1
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for ; next < b.FirstLabelID+int64(b.Quantity); next++ {
		missing = append(missing, next)
	}
	for _, id := range missing {
		err := withFreshCodes(1, newCodes, func(codes []string) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO labels (id, batch_id, filing_id, serial, code) VALUES (?, ?, ?, ?, ?)",
				id, b.ID, b.FilingID, id-b.FirstLabelID+1, codes[0])
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func writeLabelRows(w io.Writer, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	const chunk = 1 << 16
	bw := bufio.NewWriterSize(w, 256<<10)
	line := make([]byte, 0, 96)
	for start := 0; start < b.Quantity; start += chunk {
		codes, err := newCodes(min(chunk, b.Quantity-start))
		if err != nil {
			return err
		}
		slices.Sort(codes)
		for i, code := range codes {
			line = strconv.AppendInt(line[:0], b.FirstLabelID+int64(start+i), 10)
			line = append(line, '\t')
			line = strconv.AppendInt(line, b.ID, 10)
			line = append(line, '\t')
			line = strconv.AppendInt(line, b.FilingID, 10)
			line = append(line, '\t')
			line = strconv.AppendInt(line, int64(start+i+1), 10)
			line = append(line, '\t')
			line = append(line, code...)
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// isLocalInfileRefused: the server (1148, 3948) or the client side refused a local load.
func isLocalInfileRefused(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1148 || me.Number == 3948)
}

// insertLabelsMulti is the fast path on MySQL: 1000-row INSERT statements, one round trip
// each. A chunk that hits a duplicate code fails alone (MySQL rolls back the statement, not
// the transaction) and is retried with fresh codes.
func insertLabelsMulti(ctx context.Context, tx *sql.Tx, b *model.LabelBatch, newCodes func(int) ([]string, error)) error {
	const rows = 1000
	var sb strings.Builder
	args := make([]any, 0, rows*5)
	for start := 0; start < b.Quantity; start += rows {
		err := withFreshCodes(min(rows, b.Quantity-start), newCodes, func(codes []string) error {
			sb.Reset()
			args = args[:0]
			sb.WriteString("INSERT INTO labels (id, batch_id, filing_id, serial, code) VALUES ")
			for i, code := range codes {
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString("(?,?,?,?,?)")
				args = append(args, b.FirstLabelID+int64(start+i), b.ID, b.FilingID, start+i+1, code)
			}
			_, err := tx.ExecContext(ctx, sb.String(), args...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ActiveLabelsOfFiling returns a filing's active batches, newest first, each with how many
// of its labels are active (not voided one by one). A batch's labels are a contiguous id
// range, so each count is a primary-key range read.
func (s *Store) ActiveLabelsOfFiling(ctx context.Context, filingID int64) ([]model.BatchCount, error) {
	var batches []model.LabelBatch
	err := s.rdb.WithContext(ctx).Where("filing_id = ? AND status = ?", filingID, model.LabelActive).Order("id DESC").Find(&batches).Error
	if err != nil {
		return nil, translate(err, "label batch")
	}
	out := make([]model.BatchCount, 0, len(batches))
	for _, b := range batches {
		var n int64
		err := s.rdb.WithContext(ctx).Model(&model.Label{}).
			Where("id BETWEEN ? AND ? AND status = ?", b.FirstLabelID, b.FirstLabelID+int64(b.Quantity)-1, model.LabelActive).
			Count(&n).Error
		if err != nil {
			return nil, translate(err, "label")
		}
		out = append(out, model.BatchCount{BatchID: b.ID, ActiveLabels: n})
	}
	return out, nil
}

// LabelBatchByID finds a batch.
func (s *Store) LabelBatchByID(ctx context.Context, id int64) (*model.LabelBatch, error) {
	var b model.LabelBatch
	if err := s.rdb.WithContext(ctx).Take(&b, id).Error; err != nil {
		return nil, translate(err, "label batch")
	}
	return &b, nil
}

// ListLabelBatches lists batches newest first; zero filters do not apply.
func (s *Store) ListLabelBatches(ctx context.Context, filingID, enterpriseID int64, page model.Page) ([]model.LabelBatch, int64, error) {
	q := s.rdb.WithContext(ctx).Model(&model.LabelBatch{})
	if filingID != 0 {
		q = q.Where("filing_id = ?", filingID)
	}
	if enterpriseID != 0 {
		q = q.Where("filing_id IN (?)", s.rdb.Model(&model.Filing{}).Select("id").Where("enterprise_id = ?", enterpriseID))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "label batch")
	}
	var out []model.LabelBatch
	err := q.Order("id DESC").Offset(page.Offset()).Limit(page.PageSize).Find(&out).Error
	return out, total, translate(err, "label batch")
}

// StreamLabels calls fn for every label of a batch in serial order, reading in chunks by
// keyset over the batch's id range, so memory stays flat whatever the batch size.
func (s *Store) StreamLabels(ctx context.Context, batchID int64, fn func(serial int, code string) error) error {
	b, err := s.LabelBatchByID(ctx, batchID)
	if err != nil {
		return err
	}
	return s.streamLabelRange(ctx, "SELECT id, serial, code FROM labels WHERE id > ? AND id < ? ORDER BY id LIMIT ?",
		b.FirstLabelID, b.Quantity, nil, fn)
}

// streamLabelRange runs query (id, serial, code of labels with id > ? AND id < ?, then the
// extra arguments, then LIMIT ?) in keyset chunks over a batch's id range and calls fn for
// each row in id order: memory stays flat whatever the batch size.
func (s *Store) streamLabelRange(ctx context.Context, query string, firstID int64, quantity int, extra []any, fn func(serial int, code string) error) error {
	const chunk = 5000
	db, _ := s.rdb.DB()
	stmt, err := db.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	last, end := firstID-1, firstID+int64(quantity)
	for {
		args := append(append([]any{last, end}, extra...), chunk)
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var serial int
			var code string
			if err := rows.Scan(&last, &serial, &code); err != nil {
				rows.Close()
				return err
			}
			n++
			if err := fn(serial, code); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < chunk {
			return nil
		}
	}
}

// LabelByCode finds a label by its canonical code (for owners and reviewers).
func (s *Store) LabelByCode(ctx context.Context, code string) (*model.Label, error) {
	var l model.Label
	if err := s.rdb.WithContext(ctx).Where("code = ?", code).Take(&l).Error; err != nil {
		return nil, translate(err, "label")
	}
	return &l, nil
}

// VoidLabelBatch voids a batch and every active label in it, with the audit event.
func (s *Store) VoidLabelBatch(ctx context.Context, id int64, reason string, actorID int64) (*model.LabelBatch, error) {
	var b model.LabelBatch
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Model(&model.LabelBatch{}).Where("id = ? AND status = ?", id, model.LabelActive).
			Updates(map[string]any{"status": model.LabelVoided, "void_reason": reason, "voided_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &model.Error{Kind: model.KindConflict, Code: "already_voided", Msg: "the batch is already voided"}
		}
		var batch model.LabelBatch
		if err := tx.Take(&batch, id).Error; err != nil {
			return err
		}
		if err := tx.Model(&model.Label{}).
			Where("id >= ? AND id < ? AND status = ?", batch.FirstLabelID, batch.FirstLabelID+int64(batch.Quantity), model.LabelActive).
			Updates(map[string]any{"status": model.LabelVoided, "void_reason": reason}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "label_batch.void", ObjectType: "label_batch", ObjectID: id,
			FromState: model.LabelActive, ToState: model.LabelVoided, Reason: reason, At: now}); err != nil {
			return err
		}
		return tx.Take(&b, id).Error
	})
	if err != nil {
		return nil, translate(err, "label batch")
	}
	return &b, nil
}

// VoidLabel voids one label, with the audit event.
func (s *Store) VoidLabel(ctx context.Context, labelID int64, reason string, actorID int64) (*model.Label, error) {
	var l model.Label
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&model.Label{}).Where("id = ? AND status = ?", labelID, model.LabelActive).
			Updates(map[string]any{"status": model.LabelVoided, "void_reason": reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &model.Error{Kind: model.KindConflict, Code: "already_voided", Msg: "the label is already voided"}
		}
		if err := s.audit(tx, &model.AuditEvent{ActorID: &actorID, Action: "label.void", ObjectType: "label", ObjectID: labelID,
			FromState: model.LabelActive, ToState: model.LabelVoided, Reason: reason}); err != nil {
			return err
		}
		return tx.Take(&l, labelID).Error
	})
	if err != nil {
		return nil, translate(err, "label")
	}
	return &l, nil
}
