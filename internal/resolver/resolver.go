// Package resolver is gimark's GS1 Digital Link resolver for its own labels: it parses a
// Digital Link request, checks the GTIN is one gimark knows, and gives the links a client may
// follow, per level of the URI (serial, then GTIN), as GS1's resolver standard 1.0 and RFC
// 9264 describe. It never verifies a label itself: the serial level's links point at the
// verification page and JSON, which count the scan, so a Digital Link scan is exactly one
// /v/CODE (or /api/v1/verify/CODE) request.
package resolver

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"gimark/internal/gs1"
	"gimark/model"
)

// GS1 link types, as full URIs (the form a linkset uses).
const (
	Voc                 = "https://gs1.org/voc/"
	DefaultLink         = Voc + "defaultLink"
	VerificationService = Voc + "verificationService"
	CertificationInfo   = Voc + "certificationInfo"
	PIP                 = Voc + "pip"
)

// Store is what the resolver reads.
type Store interface {
	ProductPageByGTIN(ctx context.Context, gtin14 string) (*model.ProductPage, error)
}

// Service resolves Digital Link URIs on gimark's public base URL.
type Service struct {
	store Store
	base  string // public base URL, no trailing slash: anchors and link targets start here
	// pages caches what the resolver reads of a GTIN: every Digital Link scan asks, and it
	// changes rarely (an authorization's state, a catalog edit). 30 s bounds staleness, as
	// verification's facts cache does.
	pages *expirable.LRU[string, *model.ProductPage]
}

// New wires a Service; baseURL is GIMARK_PUBLIC_BASE_URL.
func New(store Store, baseURL string) *Service {
	return &Service{store: store, base: strings.TrimRight(baseURL, "/"),
		pages: expirable.NewLRU[string, *model.ProductPage](10_000, nil, 30*time.Second)}
}

func (s *Service) page(ctx context.Context, gtin string) (*model.ProductPage, error) {
	if p, ok := s.pages.Get(gtin); ok {
		return p, nil
	}
	p, err := s.store.ProductPageByGTIN(ctx, gtin)
	if err != nil {
		return nil, err
	}
	s.pages.Add(gtin, p)
	return p, nil
}

// Base is the public base URL without a trailing slash.
func (s *Service) Base() string { return s.base }

// Link is one typed link of a linkset.
type Link struct {
	Type  string // full link-type URI
	Href  string
	Title string
	Media string   // media type of the target, "" if unknown
	Lang  []string // hreflang
}

// Level is one anchor of the linkset: the URI at some level and its links.
type Level struct {
	Anchor      string
	Description string
	Links       []Link
}

// Resolution is a parsed request and its levels, most specific first.
type Resolution struct {
	DL     gs1.DL
	Page   *model.ProductPage
	Levels []Level
}

// Resolve parses escapedPath (r.URL.EscapedPath(), one trailing slash tolerated) and finds
// the GTIN. A malformed URI or an unknown GTIN is a KindMalformed error (HTTP 400): gimark
// resolves only GTINs recorded under its filings.
func (s *Service) Resolve(ctx context.Context, escapedPath, rawQuery string) (*Resolution, error) {
	if len(escapedPath) > 1 && strings.HasSuffix(escapedPath, "/") {
		escapedPath = escapedPath[:len(escapedPath)-1]
	}
	d, err := gs1.ParseDLPath(escapedPath, rawQuery)
	if err != nil {
		var de *gs1.DLError
		if errors.As(err, &de) {
			return nil, &model.Error{Kind: model.KindMalformed, Code: "invalid_digital_link", Msg: de.Error()}
		}
		return nil, err
	}
	page, err := s.page(ctx, d.GTIN)
	if model.IsKind(err, model.KindNotFound) {
		return nil, &model.Error{Kind: model.KindMalformed, Code: "unknown_gtin",
			Msg: "GTIN " + d.GTIN + " is not recorded under any filing at this resolver"}
	}
	if err != nil {
		return nil, err
	}
	r := &Resolution{DL: d, Page: page}
	desc := page.ProductName
	if page.Description != "" {
		desc += " · " + page.Description
	}
	if d.Serial != "" {
		code := url.PathEscape(d.Serial)
		r.Levels = append(r.Levels, Level{Anchor: s.base + escapedPath, Description: desc + " · " + d.Serial, Links: []Link{
			{Type: DefaultLink, Href: s.base + "/v/" + code, Title: "标签验证 Label verification"},
			{Type: VerificationService, Href: s.base + "/api/v1/verify/" + code, Title: "Label verification (JSON)", Media: "application/json"},
			{Type: VerificationService, Href: s.base + "/v/" + code, Title: "标签验证 Label verification", Media: "text/html", Lang: []string{"zh"}},
		}})
	}
	pip := s.base + "/gs1/items/" + d.GTIN
	gtinLevel := Level{Anchor: s.base + d.Stem + "/01/" + d.GTIN, Description: desc, Links: []Link{
		{Type: DefaultLink, Href: pip, Title: page.ProductName},
		{Type: PIP, Href: pip, Title: page.ProductName, Media: "text/html", Lang: []string{"zh"}},
	}}
	if page.AuthorizationNumber != "" {
		gtinLevel.Links = append(gtinLevel.Links, Link{Type: CertificationInfo, Href: s.RegisterURL(page.AuthorizationNumber),
			Title: "地理标志专用标志使用授权 " + page.AuthorizationNumber, Media: "application/json"})
	}
	r.Levels = append(r.Levels, gtinLevel)
	return r, nil
}

// RegisterURL is the public register's entry for an authorization number.
func (s *Service) RegisterURL(number string) string {
	return s.base + "/api/v1/registry/" + url.PathEscape(number)
}

// NormalizeLinkType writes a linkType parameter as a full URI: gs1:pip and the
// ref.gs1.org, www.gs1.org and http:// spellings of GS1's vocabulary all become
// https://gs1.org/voc/pip; other values are kept.
func NormalizeLinkType(t string) string {
	for _, p := range []string{"gs1:", "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/", "http://gs1.org/voc/", "http://www.gs1.org/voc/"} {
		if strings.HasPrefix(t, p) {
			return Voc + strings.TrimPrefix(t, p)
		}
	}
	return t
}

// Links returns the links of a type at the most specific level that has any (a type at a
// more specific level hides the same type higher up).
func (r *Resolution) Links(linkType string) []Link {
	for _, l := range r.Levels {
		var out []Link
		for _, k := range l.Links {
			if k.Type == linkType {
				out = append(out, k)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// Choose picks one of links for an Accept header: the first whose media type the header
// names exactly, else the first link (a wildcard or unknown Accept states no preference).
func Choose(links []Link, accept string) Link {
	for _, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if mt == "" || strings.Contains(mt, "*") {
			continue
		}
		for _, l := range links {
			if l.Media == mt {
				return l
			}
		}
	}
	return links[0]
}

// Linkset is the RFC 9264 JSON form of the levels, as GS1's linkset schema wants it
// (anchor and itemDescription, then link-type URIs → [{href, title, type, hreflang}]).
func (r *Resolution) Linkset() map[string]any {
	var sets []map[string]any
	for _, l := range r.Levels {
		m := map[string]any{"anchor": l.Anchor, "itemDescription": l.Description}
		for _, k := range l.Links {
			o := map[string]any{"href": k.Href, "title": k.Title}
			if k.Media != "" {
				o["type"] = k.Media
			}
			if len(k.Lang) > 0 {
				o["hreflang"] = k.Lang
			}
			list, _ := m[k.Type].([]map[string]any)
			m[k.Type] = append(list, o)
		}
		sets = append(sets, m)
	}
	return map[string]any{"linkset": sets}
}
