package epcis

import (
	"net/url"
	"strconv"
	"strings"

	"gimark/internal/gs1"
)

// CanonicalDL rewrites an EPC URN (urn:epc:id:sgtin:…, urn:epc:class:lgtin:…, …) or a GS1
// Digital Link URI on any host to the canonical Digital Link form the event hash uses:
// https://id.gs1.org/<key>/<value>[/<qualifier>/<value>…], numeric AIs, no query. Anything
// else reports false.
func CanonicalDL(s string) (string, bool) {
	if strings.HasPrefix(s, "urn:epc:") {
		return urnToDL(s)
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i := range segs {
		ai := aiAlias(segs[i])
		if _, ok := primaryKeys[ai]; !ok || (len(segs)-i)%2 != 0 {
			continue
		}
		var b strings.Builder
		b.WriteString("https://id.gs1.org")
		ok := true
		for j := i; j < len(segs); j += 2 {
			a := aiAlias(segs[j])
			if j > i && !qualifierOf(ai, a) {
				ok = false
				break
			}
			v, err := url.PathUnescape(segs[j+1])
			if err != nil || v == "" {
				ok = false
				break
			}
			b.WriteString("/" + a + "/" + dlEscape(v))
		}
		if ok {
			return b.String(), true
		}
	}
	return "", false
}

var primaryKeys = map[string][]string{
	"01": {"22", "10", "21", "235"}, "00": nil, "414": {"254", "7040"}, "417": {"7040"}, "8003": nil,
	"8004": {"7040"}, "253": nil, "255": nil, "401": nil, "402": nil, "8006": {"22", "10", "21"},
	"8010": {"8011"}, "8017": {"8019"}, "8018": {"8019"},
}

func qualifierOf(key, q string) bool {
	for _, x := range primaryKeys[key] {
		if x == q {
			return true
		}
	}
	return false
}

// aiAlias maps the convenience alphas of Digital Link 1.0 to numeric AIs.
func aiAlias(s string) string {
	if a, ok := map[string]string{"gtin": "01", "lot": "10", "ser": "21", "cpv": "22", "sscc": "00", "gln": "414",
		"party": "417", "glnx": "254", "grai": "8003", "giai": "8004", "gdti": "253", "gcn": "255", "ginc": "401",
		"gsin": "402", "itip": "8006", "cpid": "8010", "cpsn": "8011", "gsrnp": "8017", "gsrn": "8018"}[s]; ok {
		return a
	}
	return s
}

// dlEscape percent-encodes a value for a canonical Digital Link path: letters, digits and
// -._~' stay, everything else becomes %XX.
func dlEscape(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~'", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// urnToDL converts the EPC Tag Data Standard's pure-identity URNs.
func urnToDL(s string) (string, bool) {
	var scheme, body string
	switch {
	case strings.HasPrefix(s, "urn:epc:id:"):
		rest := strings.TrimPrefix(s, "urn:epc:id:")
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return "", false
		}
		scheme, body = rest[:i], rest[i+1:]
	case strings.HasPrefix(s, "urn:epc:idpat:sgtin:") && strings.HasSuffix(s, ".*"):
		// a GTIN's whole class, any serial
		scheme, body = "gtin", strings.TrimSuffix(strings.TrimPrefix(s, "urn:epc:idpat:sgtin:"), ".*")
	case strings.HasPrefix(s, "urn:epc:class:lgtin:"):
		scheme, body = "lgtin", strings.TrimPrefix(s, "urn:epc:class:lgtin:")
	default:
		return "", false
	}
	f := strings.Split(body, ".")
	dec := func(i int) string {
		if i >= len(f) {
			return ""
		}
		v, err := url.PathUnescape(f[i])
		if err != nil {
			return f[i]
		}
		return v
	}
	withCheck := func(digits string) string { return digits + string(gs1.CheckDigit(digits)) }
	gtin := func() string {
		if len(f) < 2 || f[1] == "" {
			return ""
		}
		return withCheck(f[1][:1] + f[0] + f[1][1:])
	}
	const root = "https://id.gs1.org"
	need := func(n int) bool { return len(f) == n }
	switch scheme {
	case "sgtin":
		if need(3) {
			return root + "/01/" + gtin() + "/21/" + dlEscape(dec(2)), true
		}
	case "gtin":
		if need(2) {
			return root + "/01/" + gtin(), true
		}
	case "lgtin":
		if need(3) {
			return root + "/01/" + gtin() + "/10/" + dlEscape(dec(2)), true
		}
	case "sscc":
		if need(2) && f[1] != "" {
			return root + "/00/" + withCheck(f[1][:1]+f[0]+f[1][1:]), true
		}
	case "sgln":
		if need(3) {
			u := root + "/414/" + withCheck(f[0]+f[1])
			if f[2] != "0" && f[2] != "" {
				u += "/254/" + dlEscape(dec(2))
			}
			return u, true
		}
	case "pgln":
		if need(2) {
			return root + "/417/" + withCheck(f[0]+f[1]), true
		}
	case "grai":
		if need(3) {
			return root + "/8003/" + withCheck("0"+f[0]+f[1]) + dlEscape(dec(2)), true
		}
	case "giai":
		if need(2) {
			return root + "/8004/" + f[0] + dlEscape(dec(1)), true
		}
	case "gsrn":
		if need(2) {
			return root + "/8018/" + withCheck(f[0]+f[1]), true
		}
	case "gsrnp":
		if need(2) {
			return root + "/8017/" + withCheck(f[0]+f[1]), true
		}
	case "gdti":
		if need(3) {
			return root + "/253/" + withCheck(f[0]+f[1]) + dlEscape(dec(2)), true
		}
	case "sgcn":
		if need(3) {
			return root + "/255/" + withCheck(f[0]+f[1]) + dlEscape(dec(2)), true
		}
	case "cpi":
		if need(3) {
			return root + "/8010/" + f[0] + dlEscape(dec(1)) + "/8011/" + dlEscape(dec(2)), true
		}
	case "ginc":
		if need(2) {
			return root + "/401/" + f[0] + dlEscape(dec(1)), true
		}
	case "gsin":
		if need(2) {
			return root + "/402/" + withCheck(f[0]+f[1]), true
		}
	case "itip":
		if need(5) {
			return root + "/8006/" + gtin() + f[2] + f[3] + "/21/" + dlEscape(dec(4)), true
		}
	case "upui":
		if need(3) {
			return root + "/01/" + gtin() + "/235/" + dlEscape(dec(2)), true
		}
	}
	return "", false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
