package epcis

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gimark/model"
)

// ContextURL is the ratified EPCIS 2.0 JSON-LD context.
const ContextURL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// MaxEPCs is the most EPCs one event lists. A batch of a million labels becomes a hundred
// events, one per serial range: the event hash sorts an event's EPCs, so an event is built
// whole in memory; 10,000 keeps that to about a megabyte whatever the batch size, and keeps
// each event within what partners' EPCIS repositories accept in one capture.
const MaxEPCs = 10_000

// Store is what the export reads.
type Store interface {
	EPCISSources(ctx context.Context, f model.EPCISFilter) ([]model.EPCISSource, error)
	StreamLabels(ctx context.Context, batchID int64, fn func(serial int, code string) error) error
	StreamBatchVoidLabels(ctx context.Context, b *model.EPCISSource, voidedAt time.Time, fn func(serial int, code string) error) error
	LabelsByGTIN(ctx context.Context, filingID int64, at time.Time) (map[string]int64, error)
}

// Exporter writes EPCIS 2.0 documents of gimark's label history.
type Exporter struct {
	store Store
	base  string // public base URL, no trailing slash
	// LabelBase is the base URL labels were printed under (a batch's own, once batches
	// record it); defaults to the public base URL.
	LabelBase func(batchID int64) string
	now       func() time.Time
}

// NewExporter wires an Exporter; baseURL is GIMARK_PUBLIC_BASE_URL.
func NewExporter(store Store, baseURL string, now func() time.Time) *Exporter {
	if now == nil {
		now = time.Now
	}
	e := &Exporter{store: store, base: strings.TrimRight(baseURL, "/"), now: now}
	e.LabelBase = func(int64) string { return e.base }
	return e
}

var cst = time.FixedZone("+08:00", 8*3600) // events are stated in China's time zone

// Prefix of gimark's own EPCIS extension terms.
func (e *Exporter) namespace() string { return e.base + "/ns/epcis/" }

// Write streams one EPCIS document of the events matching f to w. Memory stays bounded by
// MaxEPCs whatever the batch sizes; the caller has already checked who may read what.
func (e *Exporter) Write(ctx context.Context, f model.EPCISFilter, w io.Writer) error {
	sources, err := e.Sources(ctx, f)
	if err != nil {
		return err
	}
	return e.WriteSources(ctx, sources, w)
}

// Sources reads what the document will hold (no labels yet): a handler calls it before it
// commits to a status, so a database error is still a clean problem answer.
func (e *Exporter) Sources(ctx context.Context, f model.EPCISFilter) ([]model.EPCISSource, error) {
	return e.store.EPCISSources(ctx, f)
}

// WriteSources streams the document of sources, reading each batch's labels in chunks.
func (e *Exporter) WriteSources(ctx context.Context, sources []model.EPCISSource, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ctxDoc := []any{ContextURL, map[string]any{"gimark": e.namespace()}}
	prefixes := Prefixes(ctxDoc)
	head, _ := json.Marshal(ctxDoc)
	bw.WriteString(`{"@context":`)
	bw.Write(head)
	bw.WriteString(`,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"`)
	bw.WriteString(e.now().In(cst).Format(timeLayout))
	bw.WriteString(`","epcisBody":{"eventList":[`)
	first := true
	emit := func(ev map[string]any) error {
		ev["eventID"] = EventID(ev, prefixes)
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		_, err = bw.Write(b)
		return err
	}
	for i := range sources {
		if err := e.events(ctx, &sources[i], emit); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	bw.WriteString("]}}\n")
	return bw.Flush()
}

const timeLayout = "2006-01-02T15:04:05.000-07:00"

// events turns one source into its events.
func (e *Exporter) events(ctx context.Context, s *model.EPCISSource, emit func(map[string]any) error) error {
	at := s.At.Truncate(time.Millisecond).In(cst)
	base := func() map[string]any {
		ev := map[string]any{"type": "ObjectEvent", "eventTime": at.Format(timeLayout), "eventTimeZoneOffset": "+08:00",
			"readPoint": map[string]any{"id": e.LocationURI(s.FilingID)}, "bizLocation": map[string]any{"id": e.LocationURI(s.FilingID)}}
		if s.AuthorizationNumber != "" {
			ev["certificationInfo"] = e.RegisterURL(s.AuthorizationNumber)
		}
		return ev
	}
	batch := &model.LabelBatch{ID: s.BatchID, GTIN: s.GTIN, Lot: s.Lot}
	prefix := batch.LabelURLPrefix(e.LabelBase(s.BatchID))
	switch s.Kind {
	case model.EPCISBatchOrdered, model.EPCISBatchVoided:
		epcs := make([]string, 0, min(MaxEPCs, s.Quantity))
		flush := func() error {
			if len(epcs) == 0 {
				return nil
			}
			ev := base()
			ev["epcList"] = epcs
			if s.Kind == model.EPCISBatchOrdered {
				ev["action"], ev["bizStep"], ev["disposition"] = "ADD", "commissioning", "active"
				if s.Lot != "" {
					ev["ilmd"] = map[string]any{"cbvmda:lotNumber": s.Lot}
				}
			} else {
				ev["action"], ev["bizStep"], ev["disposition"] = "DELETE", "decommissioning", "inactive"
			}
			err := emit(jsonish(ev))
			epcs = epcs[:0]
			return err
		}
		add := func(_ int, code string) error {
			epcs = append(epcs, prefix+code)
			if len(epcs) == MaxEPCs {
				return flush()
			}
			return nil
		}
		var err error
		if s.Kind == model.EPCISBatchOrdered {
			err = e.store.StreamLabels(ctx, s.BatchID, add)
		} else {
			err = e.store.StreamBatchVoidLabels(ctx, s, s.At, add)
		}
		if err != nil {
			return err
		}
		return flush()
	case model.EPCISLabelVoided:
		ev := base()
		ev["epcList"] = []string{prefix + s.Code}
		ev["action"], ev["bizStep"], ev["disposition"] = "DELETE", "decommissioning", "inactive"
		return emit(jsonish(ev))
	case model.EPCISFilingStatus:
		ev := base()
		ev["action"] = "OBSERVE"
		step, disp := statusStep(s.Action)
		ev["bizStep"], ev["disposition"] = step, disp
		ev["gimark:authorizationStatus"] = s.ToState
		// The goods concerned, by class: each GTIN of the filing with the count of its labels
		// issued by then. Labels without a GTIN have no class to name.
		counts, err := e.store.LabelsByGTIN(ctx, s.FilingID, s.At)
		if err != nil {
			return err
		}
		var q []any
		for _, g := range slices.Sorted(maps.Keys(counts)) {
			q = append(q, map[string]any{"epcClass": e.base + "/01/" + g, "quantity": json.Number(strconv.FormatInt(counts[g], 10))})
		}
		if len(q) == 0 {
			ev["epcList"] = []string{}
		} else {
			ev["quantityList"] = q
		}
		return emit(jsonish(ev))
	}
	return nil
}

// statusStep maps an authorization's change to CBV words (see README "GS1"): a suspension
// holds the goods from sale under the mark, reinstatement releases them, revocation and
// cancellation end it.
func statusStep(action string) (bizStep, disposition string) {
	switch action {
	case "filing.suspend":
		return "holding", "non_sellable_other"
	case "filing.reinstate":
		return "inspecting", "sellable_accessible"
	case "filing.revoke":
		return "inspecting", "non_sellable_other"
	default: // filing.cancel
		return "other", "non_sellable_other"
	}
}

// jsonish makes an event the generic JSON shape the hash reads ([]any, map[string]any),
// so the eventID is computed from exactly what a partner decodes.
func jsonish(ev map[string]any) map[string]any {
	for k, v := range ev {
		if l, ok := v.([]string); ok {
			a := make([]any, len(l))
			for i, s := range l {
				a[i] = s
			}
			ev[k] = a
		}
	}
	return ev
}

// RegisterURL is the public register entry of an authorization (certificationInfo).
func (e *Exporter) RegisterURL(number string) string {
	return e.base + "/api/v1/registry/" + url.PathEscape(number)
}

// LocationURI identifies a filing's production address, the place labels are applied.
func (e *Exporter) LocationURI(filingID int64) string {
	return e.base + "/gs1/locations/" + itoa(filingID)
}

// CheckCertificationInfo applies the ratified EPCIS 2.0 schema's rule for certificationInfo
// to every event of a document (the openly licensed draft schema has none): a URI, or a list
// of URIs. It returns the first offending event's index, or -1.
func CheckCertificationInfo(doc map[string]any) int {
	body, _ := doc["epcisBody"].(map[string]any)
	events, _ := body["eventList"].([]any)
	for i, e := range events {
		ev, _ := e.(map[string]any)
		v, ok := ev["certificationInfo"]
		if !ok {
			continue
		}
		if !validCertificationInfo(v) {
			return i
		}
	}
	return -1
}

func validCertificationInfo(v any) bool {
	isURI := func(x any) bool {
		s, ok := x.(string)
		if !ok {
			return false
		}
		u, err := url.Parse(s)
		return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "")
	}
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return false
		}
		for _, x := range l {
			if !isURI(x) {
				return false
			}
		}
		return true
	}
	return isURI(v)
}
