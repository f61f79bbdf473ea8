// Package epcis writes gimark's label history as EPCIS 2.0 events (JSON-LD) and names each
// event by its CBV 2.0 event hash. The hash is computed from the event's own JSON, the way a
// partner's system computes it from what it received, so the eventID is checkable by anyone.
package epcis

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultPrefixes are the CURIE prefixes of the ratified EPCIS 2.0 context that values and
// extension keys use; a document's own inline context entries are added to them.
var DefaultPrefixes = map[string]string{
	"epcis":  "https://ref.gs1.org/epcis/",
	"cbv":    "https://ref.gs1.org/cbv/",
	"cbvmda": "urn:epcglobal:cbv:mda:",
	"gs1":    "https://gs1.org/voc/",
}

// EventID is the CBV 2.0 event hash of ev: ni:///sha-256;<hex>?ver=CBV2.0.
func EventID(ev map[string]any, prefixes map[string]string) string {
	sum := sha256.Sum256([]byte(PreHash(ev, prefixes)))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

// Prefixes merges a document's @context (a URL, an object or a list of both) over the
// defaults.
func Prefixes(context any) map[string]string {
	out := map[string]string{}
	for k, v := range DefaultPrefixes {
		out[k] = v
	}
	var walk func(c any)
	walk = func(c any) {
		switch c := c.(type) {
		case []any:
			for _, x := range c {
				walk(x)
			}
		case map[string]any:
			for k, v := range c {
				if s, ok := v.(string); ok {
					out[k] = s
				}
			}
		}
	}
	walk(context)
	return out
}

// field is one step of the canonical property order: a name and how its value is written.
type field struct {
	name string
	kind int
}

const (
	fPlain   = iota // a scalar (or a list of scalars, each written name=value)
	fEPCs           // a list of EPCs: listName, then epc=… sorted
	fQty            // a quantity list: listName, then quantityElement… sorted
	fBizStep        // CBV bizStep word
	fDisp           // CBV disposition word
	fPersist        // persistentDisposition {set, unset}
	fID             // readPoint / bizLocation {id, extensions}
	fError          // errorDeclaration
)

// order is the canonical property order of the CBV 2.0 event hash (the reference
// implementation's, with certificationInfo right after eventTimeZoneOffset as its vectors
// show). Properties not listed here follow, each written in full, sorted as strings.
var order = []field{
	{"eventTime", fPlain}, {"eventTimeZoneOffset", fPlain}, {"certificationInfo", fPlain}, {"errorDeclaration", fError},
	{"epcList", fEPCs}, {"parentID", fPlain}, {"inputEPCList", fEPCs}, {"childEPCs", fEPCs},
	{"quantityList", fQty}, {"childQuantityList", fQty}, {"inputQuantityList", fQty},
	{"outputEPCList", fEPCs}, {"outputQuantityList", fQty},
	{"action", fPlain}, {"transformationID", fPlain}, {"bizStep", fBizStep}, {"disposition", fDisp},
	{"persistentDisposition", fPersist}, {"readPoint", fID}, {"bizLocation", fID},
}

var skipped = map[string]bool{"type": true, "eventID": true, "recordTime": true, "@context": true}

// PreHash is the canonical string the event hash digests.
func PreHash(ev map[string]any, prefixes map[string]string) string {
	h := hasher{prefixes: prefixes}
	var b strings.Builder
	b.WriteString("eventType=")
	b.WriteString(str(ev["type"]))
	done := map[string]bool{}
	for _, f := range order {
		v, ok := ev[f.name]
		if !ok || v == nil {
			continue
		}
		done[f.name] = true
		b.WriteString(h.ordered(f, v))
	}
	var rest []string
	for k, v := range ev {
		if done[k] || skipped[k] {
			continue
		}
		rest = append(rest, h.element(k, v, "")...)
	}
	slices.Sort(rest)
	for _, s := range rest {
		b.WriteString(s)
	}
	return b.String()
}

type hasher struct{ prefixes map[string]string }

func (h hasher) ordered(f field, v any) string {
	switch f.kind {
	case fEPCs:
		var xs []string
		for _, e := range list(v) {
			xs = append(xs, "epc="+h.value("epc", e, ""))
		}
		return joinSorted(f.name, xs)
	case fQty:
		var xs []string
		for _, q := range list(v) {
			m, _ := q.(map[string]any)
			s := "quantityElement" + h.pairs(m, []string{"epcClass", "quantity", "uom"}, "")
			xs = append(xs, s)
		}
		return joinSorted(f.name, xs)
	case fBizStep:
		return f.name + "=" + cbvWord(str(v), "BizStep-", h.prefixes)
	case fDisp:
		return f.name + "=" + cbvWord(str(v), "Disp-", h.prefixes)
	case fPersist:
		m, _ := v.(map[string]any)
		s := ""
		for _, k := range []string{"set", "unset"} {
			var xs []string
			for _, d := range list(m[k]) {
				xs = append(xs, k+"="+cbvWord(str(d), "Disp-", h.prefixes))
			}
			slices.Sort(xs)
			s += strings.Join(xs, "")
		}
		return f.name + s
	case fID:
		m, _ := v.(map[string]any)
		return f.name + h.pairs(m, []string{"id"}, "")
	case fError:
		m, _ := v.(map[string]any)
		s := ""
		if t, ok := m["declarationTime"]; ok {
			s += "declarationTime=" + canonTime(str(t))
		}
		if r, ok := m["reason"]; ok {
			s += "reason=" + cbvWord(str(r), "ER-", h.prefixes)
		}
		if ids, ok := m["correctiveEventIDs"]; ok {
			var xs []string
			for _, id := range list(ids) {
				xs = append(xs, "correctiveEventID="+str(id))
			}
			s += joinSorted("correctiveEventIDs", xs)
		}
		rest := map[string]any{}
		for k, x := range m {
			if k != "declarationTime" && k != "reason" && k != "correctiveEventIDs" {
				rest[k] = x
			}
		}
		return f.name + s + h.extensions(rest, "")
	}
	var xs []string
	for _, x := range list(v) {
		xs = append(xs, f.name+"="+h.value(f.name, x, ""))
	}
	slices.Sort(xs)
	return strings.Join(xs, "")
}

// pairs writes the named keys of m in order, then the rest of m as sorted extensions.
func (h hasher) pairs(m map[string]any, keys []string, parent string) string {
	s := ""
	rest := map[string]any{}
	for k, v := range m {
		rest[k] = v
	}
	for _, k := range keys {
		v, ok := m[k]
		if !ok || v == nil {
			continue
		}
		delete(rest, k)
		var xs []string
		for _, x := range list(v) {
			xs = append(xs, k+"="+h.value(k, x, parent))
		}
		slices.Sort(xs)
		s += strings.Join(xs, "")
	}
	return s + h.extensions(rest, parent)
}

func (h hasher) extensions(m map[string]any, parent string) string {
	var xs []string
	for k, v := range m {
		xs = append(xs, h.element(k, v, parent)...)
	}
	slices.Sort(xs)
	return strings.Join(xs, "")
}

var sensorMetaOrder = []string{"time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"}
var sensorReportOrder = []string{"type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
	"microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
	"minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem"}

// element writes a property outside the fixed order: the known lists with their own inner
// order, anything else (extensions, ilmd) generically. A list gives one string per member.
func (h hasher) element(k string, v any, parent string) []string {
	switch k {
	case "bizTransactionList", "sourceList", "destinationList":
		if parent != "" {
			break
		}
		inner, prefix := map[string]string{"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}[k],
			map[string]string{"bizTransactionList": "BTT-", "sourceList": "SDT-", "destinationList": "SDT-"}[k]
		var xs []string
		for _, it := range list(v) {
			m, _ := it.(map[string]any)
			s := ""
			if t, ok := m["type"]; ok {
				s += "type=" + cbvWord(str(t), prefix, h.prefixes)
			}
			s += inner + "=" + h.value(inner, m[inner], k)
			xs = append(xs, s)
		}
		return []string{joinSorted(k, xs)}
	case "sensorElementList":
		if parent != "" {
			break
		}
		var xs []string
		for _, it := range list(v) {
			m, _ := it.(map[string]any)
			s := "sensorElement"
			if md, ok := m["sensorMetadata"].(map[string]any); ok {
				s += "sensorMetadata" + h.pairs(md, sensorMetaOrder, "sensorMetadata")
			}
			var reps []string
			for _, r := range list(m["sensorReport"]) {
				rm, _ := r.(map[string]any)
				reps = append(reps, "sensorReport"+h.pairs(rm, sensorReportOrder, "sensorReport"))
			}
			slices.Sort(reps)
			s += strings.Join(reps, "")
			rest := map[string]any{}
			for k2, x := range m {
				if k2 != "sensorMetadata" && k2 != "sensorReport" {
					rest[k2] = x
				}
			}
			xs = append(xs, s+h.extensions(rest, "sensorElement"))
		}
		return []string{joinSorted(k, xs)}
	}
	name := h.key(k)
	switch v := v.(type) {
	case map[string]any:
		return []string{name + h.extensions(v, k)}
	case []any:
		var xs []string
		for _, x := range v {
			xs = append(xs, h.element(k, x, parent)...)
		}
		return xs
	}
	return []string{name + "=" + h.value(k, v, parent)}
}

// key expands an extension key "prefix:local" to "{namespace}local".
func (h hasher) key(k string) string {
	if i := strings.IndexByte(k, ':'); i > 0 {
		if ns, ok := h.prefixes[k[:i]]; ok {
			return "{" + ns + "}" + k[i+1:]
		}
	}
	return k
}

var timeKeys = map[string]bool{"eventTime": true, "time": true, "startTime": true, "endTime": true, "declarationTime": true}

// value canonicalises one value: times to UTC milliseconds, numbers to their shortest form,
// CBV and GS1 vocabulary words and CURIEs to full URIs, EPCs to canonical Digital Link URIs.
func (h hasher) value(k string, v any, parent string) string {
	switch v := v.(type) {
	case json.Number:
		return number(v.String())
	case float64:
		return number(strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		return strconv.FormatBool(v)
	}
	s := strings.TrimSpace(str(v))
	if timeKeys[k] {
		return canonTime(s)
	}
	if parent == "sensorReport" && (k == "type" || k == "exception") && !strings.Contains(s, ":") {
		return "https://gs1.org/voc/" + s
	}
	s = expandCURIE(s, h.prefixes)
	if numeric.MatchString(s) {
		return number(s)
	}
	if dl, ok := CanonicalDL(s); ok {
		return dl
	}
	return s
}

var numeric = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// number writes a number the way the reference implementation does (Python's str of a
// float, without a trailing ".0").
func number(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// canonTime writes an RFC 3339 time in UTC with exactly three fraction digits, rounded.
func canonTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Round(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// cbvWord expands a bare CBV word (shipping), an old URN (urn:epcglobal:cbv:bizstep:…) or a
// CURIE (cbv:BizStep-…) to https://ref.gs1.org/cbv/<prefix><word>; other URIs are kept.
func cbvWord(s, prefix string, prefixes map[string]string) string {
	for _, old := range []string{"urn:epcglobal:cbv:bizstep:", "urn:epcglobal:cbv:disp:", "urn:epcglobal:cbv:btt:", "urn:epcglobal:cbv:sdt:", "urn:epcglobal:cbv:er:"} {
		if strings.HasPrefix(s, old) {
			return "https://ref.gs1.org/cbv/" + prefix + strings.TrimPrefix(s, old)
		}
	}
	if !strings.Contains(s, ":") {
		return "https://ref.gs1.org/cbv/" + prefix + s
	}
	return expandCURIE(s, prefixes)
}

func expandCURIE(s string, prefixes map[string]string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 || strings.HasPrefix(s[i:], "://") {
		return s
	}
	if ns, ok := prefixes[s[:i]]; ok {
		return ns + s[i+1:]
	}
	return s
}

func joinSorted(name string, xs []string) string {
	slices.Sort(xs)
	return name + strings.Join(xs, "")
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
