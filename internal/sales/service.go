// Package sales takes enterprises' monthly figures: online sales by platform, exports by
// destination country and offline sales, for each GI product (DESIGN.md "Sales record").
package sales

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gimark/internal/decimal"
	"gimark/model"
)

// Store is the storage sales need.
type Store interface {
	HeldProducts(ctx context.Context, enterpriseID int64) (map[int64]bool, error)
	PutSales(ctx context.Context, rows []model.SalesRecord, actorID int64) (created, replaced int, err error)
	ListSales(ctx context.Context, f model.SalesFilter, page model.Page) ([]model.SalesRecord, int64, error)
}

// Limits of one report: a whole year of every channel fits comfortably.
const (
	MaxRows = 5000
	// MaxAmountFen bounds one month's figure for one product and channel: 100 billion yuan.
	MaxAmountFen = 10_000_000_000_000
	// MaxQuantityG bounds one month's quantity: a million tonnes.
	MaxQuantityG = 1_000_000_000_000
)

// Service is the sales logic.
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

// Row is one reported figure as sent.
type Row struct {
	ProductID  int64
	Period     string // "2021-06"
	Channel    string
	Platform   string
	Country    string
	AmountCNY  string
	QuantityKg string
}

// ParsePeriod reads "YYYY-MM" as yyyymm.
func ParsePeriod(s string) (int, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Format("2006-01") != s || t.Year() < 2000 {
		return 0, false
	}
	return t.Year()*100 + int(t.Month()), true
}

// FormatPeriod writes yyyymm as "YYYY-MM".
func FormatPeriod(p int) string { return fmt.Sprintf("%04d-%02d", p/100, p%100) }

// Put stores the caller's rows, all or nothing: one bad row refuses the whole request, with
// every bad row named by index and field.
func (s *Service) Put(ctx context.Context, p model.Principal, rows []Row) (created, replaced int, err error) {
	if p.Role != model.RoleEnterprise || p.EnterpriseID == 0 {
		return 0, 0, model.Errorf(model.KindForbidden, "only an enterprise reports its sales")
	}
	var f model.Fields
	if len(rows) == 0 {
		f.Add("records", model.FieldRecordsEmpty, "must hold at least one record")
	}
	if len(rows) > MaxRows {
		f.Add("records", model.FieldRecordsTooMany, "must hold at most %d records", MaxRows)
	}
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	held, err := s.store.HeldProducts(ctx, p.EnterpriseID)
	if err != nil {
		return 0, 0, err
	}
	now := s.now().UTC()
	thisMonth := now.Year()*100 + int(now.Month())
	out := make([]model.SalesRecord, len(rows))
	seen := map[string]int{}
	for i, r := range rows {
		field := func(name string) string { return fmt.Sprintf("records[%d].%s", i, name) }
		rec := model.SalesRecord{EnterpriseID: p.EnterpriseID, ProductID: r.ProductID, Channel: r.Channel,
			Platform: strings.ToLower(strings.TrimSpace(r.Platform)), Country: strings.ToUpper(strings.TrimSpace(r.Country))}
		if r.ProductID <= 0 || !held[r.ProductID] {
			f.Add(field("product_id"), model.FieldNoApprovedFiling, "the enterprise holds no approved filing for this product")
		}
		if period, ok := ParsePeriod(r.Period); !ok {
			f.Add(field("period"), model.FieldMonth, "must be a month as YYYY-MM, from 2000-01")
		} else if period > thisMonth {
			f.Add(field("period"), model.FieldFutureMonth, "is in the future")
		} else {
			rec.Period = period
		}
		switch r.Channel {
		case model.ChannelOnline:
			if !slices.Contains(model.Platforms, rec.Platform) {
				f.Add(field("platform"), model.FieldPlatformRequired, "is required for online sales: one of %s", strings.Join(model.Platforms, ", "))
			}
			if rec.Country != "" {
				f.Add(field("country"), model.FieldExportOnly, "is only for exports")
			}
		case model.ChannelExport:
			if !countries[rec.Country] {
				f.Add(field("country"), model.FieldCountryRequired, "is required for exports: an ISO 3166-1 alpha-2 code such as US or JP")
			}
			if rec.Platform != "" {
				f.Add(field("platform"), model.FieldOnlineOnly, "is only for online sales")
			}
		case model.ChannelOffline:
			if rec.Platform != "" || rec.Country != "" {
				f.Add(field("channel"), model.FieldOfflinePlain, "offline sales carry neither platform nor country")
			}
		default:
			f.Add(field("channel"), model.FieldChannel, "must be online, export or offline")
		}
		if rec.AmountFen, err = decimal.ParseYuan(r.AmountCNY); err != nil {
			f.Add(field("amount_cny"), model.FieldAmount, "must be a non-negative amount of yuan with at most 2 decimals, as a string: %v", err)
		} else if rec.AmountFen > MaxAmountFen {
			f.Add(field("amount_cny"), model.FieldAmountTooLarge, "is larger than any monthly figure can be (at most 100000000000.00)")
		}
		if rec.QuantityG, err = decimal.ParseKg(r.QuantityKg); err != nil {
			f.Add(field("quantity_kg"), model.FieldQuantity, "must be a non-negative quantity of kg with at most 3 decimals, as a string: %v", err)
		} else if rec.QuantityG > MaxQuantityG {
			f.Add(field("quantity_kg"), model.FieldQuantityTooLarge, "is larger than any monthly figure can be (at most 1000000000.000)")
		}
		key := fmt.Sprintf("%d|%d|%s|%s|%s", rec.ProductID, rec.Period, rec.Channel, rec.Platform, rec.Country)
		if j, dup := seen[key]; dup {
			f.Add(field("period"), model.FieldDuplicateRecord, "repeats the key of records[%d] (product, period, channel, platform, country)", j)
		}
		seen[key] = i
		out[i] = rec
	}
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	return s.store.PutSales(ctx, out, p.UserID)
}

// List returns sales records; an enterprise sees only its own.
func (s *Service) List(ctx context.Context, p model.Principal, f model.SalesFilter, page model.Page) ([]model.SalesRecord, int64, error) {
	if !p.IsStaff() {
		f.EnterpriseID = p.EnterpriseID
	}
	return s.store.ListSales(ctx, f, page.Normalize())
}
