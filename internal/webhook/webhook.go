// Package webhook delivers signals to the endpoints the bureau and enterprises register:
// signed JSON POSTs read from the transactional outbox the signal store writes, retried with
// exponential backoff (see doc.go for the delivery protocol).
package webhook

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gimark/model"
)

// Store is the storage the webhook service and its worker need.
type Store interface {
	CreateWebhook(ctx context.Context, h *model.Webhook) error
	WebhookByID(ctx context.Context, id int64) (*model.Webhook, error)
	ListWebhooks(ctx context.Context, enterpriseID int64) ([]model.Webhook, error)
	DeleteWebhook(ctx context.Context, id, actorID int64) error
	WebhookDeliveries(ctx context.Context, id int64, page model.Page) ([]model.WebhookDelivery, int64, error)
	ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]model.DueWebhookEvent, error)
	FinishWebhookAttempt(ctx context.Context, a model.WebhookAttempt) (bool, error)
}

// Service registers and lists endpoints. An admin acts for the bureau, an enterprise for
// itself; another owner's endpoint is 404.
type Service struct {
	store Store
	// AllowPrivate accepts endpoints on loopback, link-local and private networks
	// (GIMARK_WEBHOOK_ALLOW_PRIVATE; tests).
	AllowPrivate bool
	resolve      func(ctx context.Context, host string) ([]netip.Addr, error)
}

// New wires a Service.
func New(st Store, allowPrivate bool) *Service {
	return &Service{store: st, AllowPrivate: allowPrivate, resolve: lookup}
}

func lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// owner is the enterprise an endpoint of p belongs to (0: the bureau's).
func owner(p model.Principal) (int64, error) {
	switch p.Role {
	case model.RoleAdmin:
		return 0, nil
	case model.RoleEnterprise:
		return p.EnterpriseID, nil
	}
	return 0, model.CodeError(model.KindForbidden, "forbidden", "only an admin (for the bureau) or an enterprise (for itself) manages webhooks")
}

func ownerOf(h *model.Webhook) int64 {
	if h.EnterpriseID == nil {
		return 0
	}
	return *h.EnterpriseID
}

// NewWebhook is a registration request.
type NewWebhook struct {
	URL    string
	Secret string
	Kinds  []string
}

// Register validates and stores an endpoint.
func (s *Service) Register(ctx context.Context, p model.Principal, in NewWebhook) (*model.Webhook, error) {
	ent, err := owner(p)
	if err != nil {
		return nil, err
	}
	var f model.Fields
	u, err := s.checkURL(ctx, in.URL)
	if err != nil {
		f.Add("url", model.FieldWebhookURL, "%s", err.Error())
	}
	secret, ok := model.CleanText(in.Secret)
	if !ok || utf8.RuneCountInString(secret) < 16 || len(secret) > 255 {
		f.Add("secret", model.FieldWebhookSecret, "must be 16 to 255 characters of text")
	}
	for _, k := range in.Kinds {
		if !slices.Contains(model.SignalRules, k) {
			f.Add("kinds", model.FieldSignalKind, "unknown kind %q; one of %s", k, strings.Join(model.SignalRules, ", "))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	h := &model.Webhook{URL: u, Secret: secret, Kinds: strings.Join(in.Kinds, ","), CreatedBy: p.UserID}
	if ent != 0 {
		h.EnterpriseID = &ent
	}
	if err := s.store.CreateWebhook(ctx, h); err != nil {
		return nil, err
	}
	return h, nil
}

// List lists the caller's endpoints.
func (s *Service) List(ctx context.Context, p model.Principal) ([]model.Webhook, error) {
	ent, err := owner(p)
	if err != nil {
		return nil, err
	}
	return s.store.ListWebhooks(ctx, ent)
}

// Get is one of the caller's endpoints; another owner's is not found.
func (s *Service) Get(ctx context.Context, p model.Principal, id int64) (*model.Webhook, error) {
	ent, err := owner(p)
	if err != nil {
		return nil, err
	}
	h, err := s.store.WebhookByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if ownerOf(h) != ent {
		return nil, model.NotFound("webhook")
	}
	return h, nil
}

// Delete removes one of the caller's endpoints.
func (s *Service) Delete(ctx context.Context, p model.Principal, id int64) error {
	if _, err := s.Get(ctx, p, id); err != nil {
		return err
	}
	return s.store.DeleteWebhook(ctx, id, p.UserID)
}

// Deliveries lists one page of an endpoint's delivery log.
func (s *Service) Deliveries(ctx context.Context, p model.Principal, id int64, page model.Page) ([]model.WebhookDelivery, int64, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, 0, err
	}
	return s.store.WebhookDeliveries(ctx, id, page)
}

type urlError string

func (e urlError) Error() string { return string(e) }

// checkURL accepts an absolute http(s) URL without credentials whose host is, and resolves
// to, public addresses only (unless AllowPrivate). Delivery checks the addresses again at
// connect time, so a name that later resolves inside the network is still refused.
func (s *Service) checkURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2000 {
		return "", urlError("must be an http(s) URL of at most 2000 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "", urlError("must be an absolute http or https URL")
	}
	if u.User != nil {
		return "", urlError("must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", urlError("must not carry a fragment")
	}
	host := u.Hostname()
	if s.AllowPrivate {
		return u.String(), nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !Public(a) {
			return "", urlError("must not point at a loopback, link-local or private address")
		}
		return u.String(), nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return "", urlError("must not point at a loopback, link-local or private address")
	}
	addrs, err := s.resolve(ctx, host)
	if err != nil {
		// Not resolvable now; delivery checks the addresses it connects to anyway.
		return u.String(), nil
	}
	for _, a := range addrs {
		if !Public(a) {
			return "", urlError("resolves to a loopback, link-local or private address")
		}
	}
	return u.String(), nil
}

// Public reports whether a is an address a webhook may reach: not loopback, link-local,
// private (RFC 1918, RFC 4193), unspecified, multicast, CGNAT (RFC 6598) or a
// documentation/benchmark range.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsPrivate() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can carry an IPv4 private address
	netip.MustParsePrefix("2001:db8::/32"),
}
