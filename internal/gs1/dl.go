package gs1

import (
	"net/url"
	"strings"
)

// DL is a parsed GS1 Digital Link URI for a trade item (primary key AI 01). Only the
// qualifiers GS1 defines for AI 01 in a path are kept, in their one allowed order
// 22 (CPV), 10 (lot), 21 (serial).
type DL struct {
	Stem   string // the escaped path before /01/, "" when the key starts the path
	GTIN   string // 14 digits
	CPV    string // AI 22, decoded; "" when absent
	Lot    string // AI 10, decoded
	Serial string // AI 21, decoded
	// Attributes are the data attributes (numeric AI keys) of the query string, e.g. 17.
	Attributes map[string]string
}

// DLError says why a URI is not a valid Digital Link; Class is a short stable name
// (check-digit, qualifier-order, charset, …) matching the shared test vectors.
type DLError struct {
	Class string
	Msg   string
}

func (e *DLError) Error() string { return "not a GS1 Digital Link URI: " + e.Msg }

func dlErr(class, msg string) *DLError { return &DLError{Class: class, Msg: msg} }

// qualifiers of AI 01 in path order; position gives the rank.
var qualifierRank = map[string]int{"22": 1, "10": 2, "21": 3}

// convenience alphas removed from the DL syntax (1.1 → 1.2); still seen on old labels.
var convenienceAlpha = map[string]bool{"gtin": true, "lot": true, "ser": true, "cpv": true, "batch": true}

// ParseDL parses a Digital Link URI (scheme and host are not checked).
func ParseDL(uri string) (DL, error) {
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	rawQuery := ""
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri, rawQuery = uri[:i], uri[i+1:]
	}
	path := uri
	if i := strings.Index(uri, "://"); i >= 0 {
		rest := uri[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			path = rest[j:]
		} else {
			path = ""
		}
	}
	return ParseDLPath(path, rawQuery)
}

// ParseDLPath parses the escaped path and raw query of a request. The path must be the
// escaped form (r.URL.EscapedPath()): an escaped %2F inside a value is not a separator.
// A trailing slash is an error here; a resolver strips it first (it tolerates it).
func ParseDLPath(escapedPath, rawQuery string) (DL, error) {
	var d DL
	for i := 0; i < len(escapedPath); i++ {
		if !uriPathChar(escapedPath[i]) {
			return d, dlErr("illegal-uri-char", "the path holds a character a URI may not carry unescaped")
		}
	}
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	key := -1
	for i, s := range segs {
		if s == "01" && i+1 < len(segs) {
			key = i
			break
		}
	}
	if key < 0 {
		for _, s := range segs {
			if convenienceAlpha[s] {
				return d, dlErr("convenience-alpha", "short names such as /gtin/ are no longer part of the Digital Link syntax; use /01/")
			}
		}
		return d, dlErr("no-primary-key", "no GTIN (/01/…) in the path")
	}
	d.Stem = strings.Join(segs[:key], "/")
	if d.Stem != "" {
		d.Stem = "/" + d.Stem
	}
	gtin := segs[key+1]
	switch {
	case gtin == "":
		return d, dlErr("empty-value", "the GTIN is empty")
	case !allDigits(gtin):
		return d, dlErr("non-digit", "the GTIN has a character that is not a digit")
	case len(gtin) != 14:
		return d, dlErr("gtin-length", "a Digital Link carries the GTIN as 14 digits (pad GTIN-8/12/13 with zeros)")
	case CheckDigit(gtin[:13]) != gtin[13]:
		return d, dlErr("check-digit", "the GTIN's check digit is wrong")
	}
	d.GTIN = gtin
	rest := segs[key+2:]
	if len(rest)%2 != 0 && rest[len(rest)-1] == "" {
		return d, dlErr("trailing-slash", "the path ends with a slash")
	}
	if len(rest)%2 != 0 {
		return d, dlErr("unpaired", "a path segment has no value: the path must be /AI/value pairs")
	}
	rank := 0
	for i := 0; i < len(rest); i += 2 {
		ai, raw := rest[i], rest[i+1]
		r, ok := qualifierRank[ai]
		if !ok {
			return d, dlErr("unknown-qualifier", "/"+ai+"/ is not a key qualifier of a GTIN (22, 10, 21)")
		}
		if r <= rank {
			return d, dlErr("qualifier-order", "key qualifiers must come in the order 22, 10, 21, each once")
		}
		rank = r
		if raw == "" {
			return d, dlErr("empty-value", "AI "+ai+" has an empty value")
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			return d, dlErr("illegal-uri-char", "a bad percent escape in AI "+ai)
		}
		if len(v) > MaxLot {
			return d, dlErr("too-long", "AI "+ai+" has at most 20 characters")
		}
		if !ValidCSET82(v, MaxLot) {
			return d, dlErr("charset", "AI "+ai+" may use only GS1 character set 82")
		}
		switch ai {
		case "22":
			d.CPV = v
		case "10":
			d.Lot = v
		case "21":
			d.Serial = v
		}
	}
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return d, dlErr("illegal-uri-char", "the query string cannot be read")
		}
		for k, vs := range q {
			if !allDigits(k) || len(k) < 2 || len(k) > 4 {
				continue // linkType, context and any other non-AI parameter
			}
			if k == "01" || qualifierRank[k] != 0 {
				if (k == "10" && d.Lot != "") || (k == "21" && d.Serial != "") || (k == "22" && d.CPV != "") || k == "01" {
					return d, dlErr("duplicate-ai", "AI "+k+" appears twice")
				}
				return d, dlErr("qualifier-in-query", "AI "+k+" is a key qualifier and belongs in the path")
			}
			if d.Attributes == nil {
				d.Attributes = map[string]string{}
			}
			d.Attributes[k] = vs[0]
		}
	}
	return d, nil
}

// uriPathChar reports whether c may appear unescaped in a URI path (RFC 3986 pchar or '/').
func uriPathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@%/", c) >= 0
}

// Path returns the Digital Link path of a trade item's label: /01/{gtin14}[/10/{lot}]/21/{serial}.
// Values are escaped for a path segment (CSET 82's '/', '"', '%', '<', '>', '?' need it).
func Path(gtin14, lot, serial string) string {
	var b strings.Builder
	b.WriteString("/01/")
	b.WriteString(gtin14)
	if lot != "" {
		b.WriteString("/10/")
		b.WriteString(url.PathEscape(lot))
	}
	if serial != "" {
		b.WriteString("/21/")
		b.WriteString(url.PathEscape(serial))
	}
	return b.String()
}
