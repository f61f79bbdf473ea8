// Package scanstats gives enterprises and the bureau their scan analytics per batch and per
// product: scans per day, labels scanned at least once (activation), distinct client
// networks and signals raised (issue 16).
package scanstats

import (
	"context"
	"time"

	"gimark/model"
)

// Store is what the analytics read.
type Store interface {
	ScanStats(ctx context.Context, sc model.ScanScope) (*model.ScanStats, error)
	LabelBatchByID(ctx context.Context, id int64) (*model.LabelBatch, error)
	FilingByID(ctx context.Context, id int64) (*model.Filing, error)
	ProductByID(ctx context.Context, id int64) (*model.Product, error)
}

// Service answers analytics queries; an enterprise sees its own labels only.
type Service struct {
	store Store
	now   func() time.Time
}

// New wires a Service.
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// MaxPeriod is the longest period one query covers.
const MaxPeriod = 366 * 24 * time.Hour

// cst is China Standard Time: days are counted in it.
var cst = time.FixedZone("CST", 8*3600)

// period applies the defaults (the 30 days up to the end of today, China time) and bounds.
func (s *Service) period(from, to *time.Time) (time.Time, time.Time, error) {
	y, m, d := s.now().In(cst).Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, cst).UTC()
	if to != nil {
		end = *to
	}
	start := end.Add(-30 * 24 * time.Hour)
	if from != nil {
		start = *from
	}
	var f model.Fields
	if !start.Before(end) {
		f.Add("to", model.FieldNotAfterFrom, "must be after from")
	} else if end.Sub(start) > MaxPeriod {
		f.Add("from", model.FieldPeriod, "the period may be at most 366 days")
	}
	return start, end, f.Err()
}

// Batch returns a batch's figures for [from, to) (nil: the last 30 days).
func (s *Service) Batch(ctx context.Context, p model.Principal, id int64, from, to *time.Time) (*model.ScanStats, error) {
	b, err := s.store.LabelBatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() {
		f, err := s.store.FilingByID(ctx, b.FilingID)
		if err != nil {
			return nil, err
		}
		if !p.OwnsEnterprise(f.EnterpriseID) {
			return nil, model.NotFound("label batch")
		}
	}
	start, end, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	return s.store.ScanStats(ctx, model.ScanScope{BatchID: id, From: start, To: end})
}

// Product returns a product's figures for [from, to): all its labels for the bureau, an
// enterprise's own for an enterprise.
func (s *Service) Product(ctx context.Context, p model.Principal, id int64, from, to *time.Time) (*model.ScanStats, error) {
	if _, err := s.store.ProductByID(ctx, id); err != nil {
		return nil, err
	}
	start, end, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	sc := model.ScanScope{ProductID: id, From: start, To: end}
	if !p.IsStaff() {
		sc.EnterpriseID = p.EnterpriseID
	}
	return s.store.ScanStats(ctx, sc)
}
