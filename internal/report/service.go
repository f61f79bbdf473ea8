// Package report computes the bureau's brand-value report: authorized enterprises, filings
// and switches, labels issued and scanned, online sales by platform and month, exports by
// country and month, and the same for the year before with the change (DESIGN.md "Reports").
package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gimark/model"
)

// Store is the storage reports read; every figure is computed by the database.
type Store interface {
	YearFigures(ctx context.Context, sc model.ReportScope) (*model.YearFigures, error)
	SalesGroups(ctx context.Context, sc model.ReportScope) ([]model.SalesGroup, error)
	Producers(ctx context.Context, sc model.ReportScope) (int64, error)
	ProductByID(ctx context.Context, id int64) (*model.Product, error)
	ReportYears(ctx context.Context, sc model.ReportScope) ([]int, error)
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
	Printed    Printed             // labels printed this year (printed.go)
	// Change is each figure's year-on-year change (see Change); ScannedShare is the share
	// of this year's labels that were scanned, in percent with one decimal ("" when no label
	// was issued). Both edges show these, so they are worked out once, here.
	Change       Changes
	ScannedShare string
}

// Changes holds the year-on-year change of each figure of model.YearFigures, in percent with
// one decimal ("" when last year's figure is zero).
type Changes struct {
	AuthorizedEnterprises, FilingsApproved, SwitchesApproved, LabelsIssued, Scans string
	OnlineFen, ExportFen, ExportG, OfflineFen                                     string
	SignalsRaised, SignalsConfirmed                                               string
}

func changes(t, p model.YearFigures) Changes {
	return Changes{
		AuthorizedEnterprises: Change(t.AuthorizedEnterprises, p.AuthorizedEnterprises),
		FilingsApproved:       Change(t.FilingsApproved, p.FilingsApproved),
		SwitchesApproved:      Change(t.SwitchesApproved, p.SwitchesApproved),
		LabelsIssued:          Change(t.LabelsIssued, p.LabelsIssued),
		Scans:                 Change(t.Scans, p.Scans),
		OnlineFen:             Change(t.OnlineFen, p.OnlineFen),
		ExportFen:             Change(t.ExportFen, p.ExportFen),
		ExportG:               Change(t.ExportG, p.ExportG),
		OfflineFen:            Change(t.OfflineFen, p.OfflineFen),
		SignalsRaised:         Change(t.SignalsRaised, p.SignalsRaised),
		SignalsConfirmed:      Change(t.SignalsConfirmed, p.SignalsConfirmed),
	}
}

// ParseYear reads the ?year= of a report request: empty is 0 (this year); anything but a
// whole number is a field error, the same on the API and in the console.
func ParseYear(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, model.Invalid("year", model.FieldYear, "must be a year such as 2021")
	}
	return n, nil
}

// Summary computes the report for year and product (0: all) as the caller may see it: the
// bureau sees everything, an enterprise only its own figures.
func (s *Service) Summary(ctx context.Context, p model.Principal, productID int64, year int) (*Summary, error) {
	now := s.now().UTC()
	if year == 0 {
		year = now.Year()
	}
	if year < 2000 || year > now.Year() {
		return nil, model.Invalid("year", model.FieldYearRange, "must be from 2000 to %d", now.Year())
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
			return nil, model.Invalid("product_id", model.FieldUnknownProduct, "no such product")
		}
		if err != nil {
			return nil, err
		}
		out.Product = prod
	}
	// One grouped pass over each year's sales; months, platforms and countries derive from
	// the groups of this year and last.
	var groups [3][]model.SalesGroup
	for i, y := 0, year-2; y <= year; i, y = i+1, y+1 {
		ysc := sc
		ysc.Year = y
		f, err := s.store.YearFigures(ctx, ysc)
		if err != nil {
			return nil, err
		}
		if groups[i], err = s.store.SalesGroups(ctx, ysc); err != nil {
			return nil, err
		}
		for _, g := range groups[i] {
			f.Add(g)
		}
		out.History = append(out.History, *f)
	}
	out.This, out.Prev = out.History[2], out.History[1]
	out.Change = changes(out.This, out.Prev)
	out.ScannedShare = Share(out.This.LabelsScanned, out.This.LabelsIssued)
	out.Months = months(year, groups[2])
	out.PrevMonths = months(year-1, groups[1])
	out.Platforms = sumBy(groups[2], model.ChannelOnline, func(g model.SalesGroup) string { return g.Platform })
	out.Countries = sumBy(groups[2], model.ChannelExport, func(g model.SalesGroup) string { return g.Country })
	var err error
	if out.Producers, err = s.store.Producers(ctx, sc); err != nil {
		return nil, err
	}
	if out.Printed, err = s.printed(ctx, sc); err != nil {
		return nil, err
	}
	// History keeps only years with data, so a young dataset does not show empty years.
	for len(out.History) > 1 && empty(out.History[0]) {
		out.History = out.History[1:]
	}
	return out, nil
}

// Years lists the years from 2000 to this one, newest first, in which the caller's scope has
// activity (sales, approvals, label orders): the report opens on the newest of them.
func (s *Service) Years(ctx context.Context, p model.Principal, productID int64) ([]int, error) {
	sc := model.ReportScope{ProductID: productID}
	if !p.IsStaff() {
		if p.EnterpriseID == 0 {
			return nil, model.Errorf(model.KindForbidden, "no enterprise")
		}
		sc.EnterpriseID = p.EnterpriseID
	}
	years, err := s.store.ReportYears(ctx, sc)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Year()
	out := years[:0]
	for _, y := range years {
		if y >= 2000 && y <= now {
			out = append(out, y)
		}
	}
	return out, nil
}

func empty(f model.YearFigures) bool {
	return f.AuthorizedEnterprises == 0 && f.OnlineFen == 0 && f.ExportFen == 0 && f.OfflineFen == 0 && f.LabelsIssued == 0
}

// Change is the year-on-year change of cur over prev in percent with one decimal, or "" when
// there is nothing to compare with.
func Change(cur, prev int64) string { return percent(cur-prev, prev) }

// Share is part of whole in percent with one decimal, or "" when whole is zero.
func Share(part, whole int64) string { return percent(part, whole) }

// percent is num/den·100 with one decimal, rounded half away from zero in integer
// arithmetic (no float rounding surprises); "" when den is zero.
func percent(n, den int64) string {
	if den == 0 {
		return ""
	}
	num := n * 1000
	q := num / den
	if r := num % den; 2*abs(r) >= abs(den) {
		if (num < 0) != (den < 0) {
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

// months returns the twelve months of a year in order; months without sales are zero.
func months(year int, groups []model.SalesGroup) []model.MonthFigures {
	out := make([]model.MonthFigures, 12)
	for i := range out {
		out[i].Period = year*100 + i + 1
	}
	for _, g := range groups {
		out[g.Period%100-1].Add(g)
	}
	return out
}

// sumBy sums one channel's groups by key (platform or country), largest amount first.
func sumBy(groups []model.SalesGroup, channel string, key func(model.SalesGroup) string) []model.KeyFigures {
	idx := map[string]int{}
	var out []model.KeyFigures
	for _, g := range groups {
		if g.Channel != channel {
			continue
		}
		k := key(g)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, model.KeyFigures{Key: k})
		}
		out[i].AmountFen += g.AmountFen
		out[i].QuantityG += g.QuantityG
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AmountFen != out[j].AmountFen {
			return out[i].AmountFen > out[j].AmountFen
		}
		return out[i].Key < out[j].Key
	})
	return out
}
