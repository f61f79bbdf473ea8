// Package report computes the bureau's brand-value report: authorized enterprises, filings
// and switches, labels issued and scanned, online sales by platform and month, exports by
// country and month, and the same for the year before with the change (DESIGN.md "Reports").
package report

import (
	"context"
	"fmt"
	"time"

	"gimark/model"
)

// Store is the storage reports read; every figure is computed by the database.
type Store interface {
	YearFigures(ctx context.Context, sc model.ReportScope) (*model.YearFigures, error)
	MonthFigures(ctx context.Context, sc model.ReportScope) ([]model.MonthFigures, error)
	SalesBy(ctx context.Context, sc model.ReportScope, channel string) ([]model.KeyFigures, error)
	Producers(ctx context.Context, sc model.ReportScope) (int64, error)
	ProductByID(ctx context.Context, id int64) (*model.Product, error)
}

// Service builds reports.
type Service struct {
	store Store
	now   func() time.Time
}

// New wires a Service.
func New(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Summary is one report.
type Summary struct {
	Scope      model.ReportScope
	Product    *model.Product // nil: all products
	This, Prev model.YearFigures
	Months     []model.MonthFigures // this year
	PrevMonths []model.MonthFigures // the year before, for the charts
	Platforms  []model.KeyFigures
	Countries  []model.KeyFigures
	Producers  int64
	History    []model.YearFigures // up to three years, oldest first, ending with this year
}

// Summary computes the report for year and product (0: all) as the caller may see it: the
// bureau sees everything, an enterprise only its own figures.
func (s *Service) Summary(ctx context.Context, p model.Principal, productID int64, year int) (*Summary, error) {
	now := s.now().UTC()
	if year == 0 {
		year = now.Year()
	}
	if year < 2000 || year > now.Year() {
		return nil, model.Fields{{Field: "year", Message: fmt.Sprintf("must be from 2000 to %d", now.Year())}}.Err()
	}
	sc := model.ReportScope{Year: year, ProductID: productID}
	if !p.IsStaff() {
		if p.EnterpriseID == 0 {
			return nil, model.Errorf(model.KindForbidden, "no enterprise")
		}
		sc.EnterpriseID = p.EnterpriseID
	}
	out := &Summary{Scope: sc}
	if productID != 0 {
		prod, err := s.store.ProductByID(ctx, productID)
		if model.IsKind(err, model.KindNotFound) {
			return nil, model.Fields{{Field: "product_id", Message: "no such product"}}.Err()
		}
		if err != nil {
			return nil, err
		}
		out.Product = prod
	}
	for y := year - 2; y <= year; y++ {
		ysc := sc
		ysc.Year = y
		f, err := s.store.YearFigures(ctx, ysc)
		if err != nil {
			return nil, err
		}
		out.History = append(out.History, *f)
	}
	out.This, out.Prev = out.History[2], out.History[1]
	var err error
	if out.Months, err = s.store.MonthFigures(ctx, sc); err != nil {
		return nil, err
	}
	prev := sc
	prev.Year = year - 1
	if out.PrevMonths, err = s.store.MonthFigures(ctx, prev); err != nil {
		return nil, err
	}
	if out.Platforms, err = s.store.SalesBy(ctx, sc, model.ChannelOnline); err != nil {
		return nil, err
	}
	if out.Countries, err = s.store.SalesBy(ctx, sc, model.ChannelExport); err != nil {
		return nil, err
	}
	if out.Producers, err = s.store.Producers(ctx, sc); err != nil {
		return nil, err
	}
	// History keeps only years with data, so a young dataset does not show empty years.
	for len(out.History) > 1 && empty(out.History[0]) {
		out.History = out.History[1:]
	}
	return out, nil
}

func empty(f model.YearFigures) bool {
	return f.AuthorizedEnterprises == 0 && f.OnlineFen == 0 && f.ExportFen == 0 && f.OfflineFen == 0 && f.LabelsIssued == 0
}

// Change is the year-on-year change of cur over prev in percent with one decimal, or "" when
// there is nothing to compare with.
func Change(cur, prev int64) string {
	if prev == 0 {
		return ""
	}
	// Integer arithmetic rounded half away from zero, to tenths of a percent.
	num := (cur - prev) * 1000
	q := num / prev
	if r := num % prev; 2*abs(r) >= abs(prev) {
		if (num < 0) != (prev < 0) {
			q--
		} else {
			q++
		}
	}
	sign := ""
	if q < 0 {
		sign, q = "-", -q
	}
	return fmt.Sprintf("%s%d.%d", sign, q/10, q%10)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
