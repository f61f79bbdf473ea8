package verify

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"gimark/internal/labelcode"
	"gimark/model"
)

// Store is the storage verification reads.
type Store interface {
	LabelForVerify(ctx context.Context, code string) (*model.VerifyRow, error)
	LabelFacts(ctx context.Context, filingID int64) (*model.LabelFacts, error)
	BatchFacts(ctx context.Context, batchID int64) (*model.BatchFacts, error)
}

// Reason explains a warning or a refusal: a machine code and a plain Chinese sentence.
type Reason struct {
	Code    string
	Message string
}

// Result is one verification answer.
type Result struct {
	Result         string // genuine | warning | not_found | invalid
	Reasons        []Reason
	Code           string // canonical code, when well-formed
	Serial         int
	ScanCount      int64 // which scan this is
	FirstScannedAt *time.Time
	Facts          *model.LabelFacts
	Batch          *model.BatchFacts
}

// Service verifies codes.
type Service struct {
	store     Store
	rec       *Recorder
	threshold int64
	facts     *expirable.LRU[int64, *model.LabelFacts]
	batches   *expirable.LRU[int64, *model.BatchFacts]
	now       func() time.Time
	count     func(result string)
}

// New wires a Service. threshold is GIMARK_SCAN_WARN_THRESHOLD; rec (nil: scans are not
// recorded) writes the scans; count, if not nil, is told of every answer (metrics).
func New(store Store, rec *Recorder, threshold int, now func() time.Time, count func(result string)) *Service {
	if now == nil {
		now = time.Now
	}
	// Facts change rarely; a short TTL bounds staleness on other instances, and local state
	// changes invalidate at once.
	return &Service{store: store, rec: rec, threshold: int64(threshold), now: now, count: count,
		facts:   expirable.NewLRU[int64, *model.LabelFacts](10_000, nil, 30*time.Second),
		batches: expirable.NewLRU[int64, *model.BatchFacts](50_000, nil, 30*time.Second)}
}

// InvalidateFiling drops a filing's cached facts (after a state change).
func (s *Service) InvalidateFiling(id int64) { s.facts.Remove(id) }

// InvalidateBatch drops a batch's cached facts (after it is voided).
func (s *Service) InvalidateBatch(id int64) { s.batches.Remove(id) }

// InvalidateAll drops every cached fact (after a catalog edit, or when invalidations from
// other instances may have been missed).
func (s *Service) InvalidateAll() { s.facts.Purge(); s.batches.Purge() }

var statusReasons = map[model.FilingStatus]Reason{
	model.StatusSuspended: {"filing_suspended", "该企业的地理标志专用标志使用资格已被暂停。"},
	model.StatusRevoked:   {"filing_revoked", "该企业的地理标志专用标志使用资格已被撤销。"},
	model.StatusCancelled: {"filing_cancelled", "该企业已注销地理标志专用标志使用资格。"},
}

type unrecordedKey struct{}

// Unrecorded marks ctx so that Verify answers without recording a scan: a look by the
// label's owner or by the bureau is not a consumer's scan and must not count towards the
// copied-label warning. The answer then shows the scans so far (this look is not one).
func Unrecorded(ctx context.Context) context.Context {
	return context.WithValue(ctx, unrecordedKey{}, true)
}

// Verify answers for raw (as typed or scanned) and records the scan. client is the caller's
// address (only its salted hash is kept); agent its user agent.
func (s *Service) Verify(ctx context.Context, raw, client, agent string) (*Result, error) {
	now := s.now().UTC()
	record, this := s.record, int64(1)
	if ctx.Value(unrecordedKey{}) != nil {
		record, this = func(*int64, string, string, string, string, time.Time, scanFacts) {}, 0
	}
	code, perr := labelcode.Parse(raw)
	if perr != nil {
		// Answered without touching the database.
		r := &Result{Result: model.ResultInvalid, Reasons: []Reason{{"check_failed", "编码校验未通过，请核对标签上的编码后重新输入。"}}}
		if perr == labelcode.ErrMalformed {
			r.Reasons = []Reason{{"malformed", "编码格式不正确，请核对标签上的编码后重新输入。"}}
		}
		record(nil, sanitize(raw), r.Result, client, agent, now, scanFacts{})
		return r, nil
	}
	row, pending, firstPending, err := s.countedLabel(ctx, code)
	if model.IsKind(err, model.KindNotFound) {
		r := &Result{Result: model.ResultNotFound, Code: code,
			Reasons: []Reason{{"not_registered", "该编码不是已登记的地理标志专用标志标签，可能为假冒。请向当地市场监督管理部门举报（12315）。"}}}
		record(nil, code, r.Result, client, agent, now, scanFacts{})
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	batch, err := s.batchOf(ctx, row.BatchID)
	if err != nil {
		return nil, err
	}
	facts, err := s.factsOf(ctx, batch.FilingID)
	if err != nil {
		return nil, err
	}
	serial := int(row.ID - batch.FirstLabelID + 1)
	r := &Result{Result: model.ResultGenuine, Code: code, Serial: serial, Facts: facts, Batch: batch}
	r.ScanCount = row.ScanCount + pending + this
	switch {
	case row.FirstScannedAt != nil:
		r.FirstScannedAt = row.FirstScannedAt
	case pending > 0:
		r.FirstScannedAt = &firstPending
	case this > 0:
		r.FirstScannedAt = &now
	}
	if row.Status == model.LabelVoided {
		msg := "该标签已被作废"
		if row.VoidReason != "" {
			msg += "（" + row.VoidReason + "）"
		}
		r.Reasons = append(r.Reasons, Reason{"label_voided", msg + "。"})
	}
	if facts.FilingStatus != model.StatusApproved {
		reason, ok := statusReasons[facts.FilingStatus]
		if !ok {
			reason = Reason{"filing_not_approved", "该企业当前不具备地理标志专用标志使用资格。"}
		}
		r.Reasons = append(r.Reasons, reason)
	}
	if r.ScanCount > s.threshold {
		r.Reasons = append(r.Reasons, Reason{"over_scanned", "该标签已被查询多次，可能被复制。若您是首次查询，请谨慎购买。"})
	}
	if len(r.Reasons) > 0 {
		r.Result = model.ResultWarning
	}
	id := row.ID
	// Dead: the consumer was told the label is voided or its authorization withdrawn (the
	// dead_label rule judges the scan by what it was told then).
	_, withdrawn := statusReasons[facts.FilingStatus]
	record(&id, code, r.Result, client, agent, now, scanFacts{dead: row.Status == model.LabelVoided || withdrawn, batch: row.BatchID, count: r.ScanCount})
	return r, nil
}

// countedLabel reads the label and how many of this instance's scans were recorded but are
// not in the count it read (buffered, or waiting for a fold): they still count, and this scan
// comes after all of them. Where counts are folded, the read says which scans its count holds
// (the fold mark), and the recorder adds its own scans past it (doc.go, "Folded counts").
// Where each flush applies its counts, a read that ran beside a flush of this label's scans
// may already hold them, so it waits for that flush and reads again.
func (s *Service) countedLabel(ctx context.Context, code string) (*model.VerifyRow, int64, time.Time, error) {
	for {
		var mark, forgets uint64
		if s.rec != nil && !s.rec.deferred {
			mark = s.rec.Mark()
		} else if s.rec != nil {
			forgets = s.rec.Forgets()
		}
		row, err := s.store.LabelForVerify(ctx, code)
		if err != nil || s.rec == nil {
			return row, 0, time.Time{}, err
		}
		if s.rec.deferred {
			if n, first, ok := s.rec.Unfolded(row.ID, row.FoldMark, forgets); ok {
				return row, n, first, nil
			}
			// Flushes were forgotten during the read: read again (rare).
			if err := ctx.Err(); err != nil {
				return nil, 0, time.Time{}, err
			}
			continue
		}
		n, first, wait := s.rec.Pending(row.ID, mark)
		if wait == nil {
			return row, n, first, nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, 0, time.Time{}, ctx.Err()
		}
	}
}

func (s *Service) factsOf(ctx context.Context, filingID int64) (*model.LabelFacts, error) {
	if f, ok := s.facts.Get(filingID); ok {
		return f, nil
	}
	f, err := s.store.LabelFacts(ctx, filingID)
	if err != nil {
		return nil, err
	}
	s.facts.Add(filingID, f)
	return f, nil
}

func (s *Service) batchOf(ctx context.Context, id int64) (*model.BatchFacts, error) {
	if b, ok := s.batches.Get(id); ok {
		return b, nil
	}
	b, err := s.store.BatchFacts(ctx, id)
	if err != nil {
		return nil, err
	}
	s.batches.Add(id, b)
	return b, nil
}

// scanFacts are what verification learnt of a label that the signal rules use, so they need
// not read it again: whether it was dead, its batch, and which scan this was.
type scanFacts struct {
	dead         bool
	batch, count int64
}

func (s *Service) record(labelID *int64, code, result, client, agent string, at time.Time, f scanFacts) {
	if s.count != nil {
		s.count(result)
	}
	if s.rec == nil {
		return
	}
	// The address is hashed by the recorder, off the request's path; only the hash is stored.
	s.rec.Record(model.Scan{LabelID: labelID, Code: code, Result: result, ClientHash: client,
		UserAgent: agent, ScannedAt: at, Dead: f.dead, BatchID: f.batch, Count: f.count})
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// sanitize keeps a malformed input recordable: printable ASCII, at most 64 bytes.
func sanitize(raw string) string {
	b := make([]byte, 0, min(len(raw), 64))
	for i := 0; i < len(raw) && len(b) < 64; i++ {
		if c := raw[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
