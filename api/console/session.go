package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/account"
	"gimark/internal/auth"
	"gimark/model"
)

// The console's session is the API's own: the access token (a 15-minute JWT) and the refresh
// token that account.Service.Login issues, each in an HttpOnly, SameSite=Lax cookie. A
// request with an expired access token spends the refresh token through
// account.Service.Refresh (rotation, reuse detection) and gets a new pair; sign-out calls
// account.Service.Logout, which revokes the refresh family. So the console has no session
// store or second token scheme of its own, and every rule about tokens stays in one place.
const (
	cookieAccess  = "gimark_at"
	cookieRefresh = "gimark_rt"
	cookieCSRF    = "gimark_csrf"
	cookiePath    = "/console"
	csrfField     = "csrf_token"
	// refreshGrace is how long the answer of one refresh is reused for the same spent token:
	// a browser that sends two requests at once with an expired access token must not trip
	// the reuse detection and lose its session.
	refreshGrace = 30 * time.Second
)

const ctxCSRF = "console.csrf"

type sessions struct {
	accounts *account.Service
	issuer   *auth.Issuer
	key      []byte
	trusted  []*net.IPNet
	now      func() time.Time

	mu     sync.Mutex
	recent map[string]*refreshCall
}

type refreshCall struct {
	done chan struct{}
	at   time.Time
	pair *account.TokenPair
	err  error
}

func newSessions(d Deps) *sessions {
	key := d.Key
	if len(key) == 0 {
		// One instance works with a key of its own; several behind a load balancer need Deps.Key.
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	s := &sessions{accounts: d.Accounts, issuer: d.Accounts.Issuer(), key: key, now: d.Now, recent: map[string]*refreshCall{}}
	for _, p := range d.TrustedProxies {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			s.trusted = append(s.trusted, n)
		}
	}
	return s
}

// principalOf returns the signed-in user of a console request (in the request's context,
// where the API's authenticate puts it too).
func principalOf(c *gin.Context) (model.Principal, bool) {
	return model.PrincipalFrom(c.Request.Context())
}

func setPrincipal(c *gin.Context, p model.Principal) {
	c.Request = c.Request.WithContext(model.WithPrincipal(c.Request.Context(), p))
}

// https reports whether the browser reached us over TLS: directly, or through a trusted
// proxy that says so. Only then are cookies marked Secure (a Secure cookie set over plain
// http would be dropped and sign-in would loop on a laptop).
func (s *sessions) https(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(c) && strings.EqualFold(strings.TrimSpace(c.GetHeader("X-Forwarded-Proto")), "https")
}

func (s *sessions) fromTrustedProxy(c *gin.Context) bool {
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		host = c.Request.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, n := range s.trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *sessions) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: s.https(c), SameSite: http.SameSiteLaxMode})
}

// start keeps a fresh token pair: both cookies last for the browser session; the server
// bounds them (15 minutes for the access token, 7 days for the refresh family).
func (s *sessions) start(c *gin.Context, pair *account.TokenPair) {
	s.setCookie(c, cookieAccess, pair.AccessToken, 0)
	s.setCookie(c, cookieRefresh, pair.RefreshToken, 0)
	h := replaceCookie(c.Request.Header.Get("Cookie"), cookieAccess, pair.AccessToken)
	c.Request.Header.Set("Cookie", replaceCookie(h, cookieRefresh, pair.RefreshToken))
}

func (s *sessions) clear(c *gin.Context) {
	s.setCookie(c, cookieAccess, "", -1)
	s.setCookie(c, cookieRefresh, "", -1)
}

// resolve finds the signed-in user from the cookies, refreshing an expired access token.
func (s *sessions) resolve(c *gin.Context) (model.Principal, bool) {
	if at, err := c.Cookie(cookieAccess); err == nil && at != "" {
		if p, err := s.issuer.Verify(at); err == nil {
			return p, true
		}
	}
	rt, err := c.Cookie(cookieRefresh)
	if err != nil || rt == "" {
		return model.Principal{}, false
	}
	pair, err := s.refresh(c.Request.Context(), rt)
	if err != nil {
		s.clear(c)
		return model.Principal{}, false
	}
	p, err := s.issuer.Verify(pair.AccessToken)
	if err != nil {
		return model.Principal{}, false
	}
	s.start(c, pair)
	return p, true
}

// refresh spends token once; concurrent or repeated calls within refreshGrace get the same
// new pair instead of presenting the spent token again.
func (s *sessions) refresh(ctx context.Context, token string) (*account.TokenPair, error) {
	sum := sha256.Sum256([]byte(token))
	key := string(sum[:])
	now := s.now()
	s.mu.Lock()
	for k, rc := range s.recent {
		if now.Sub(rc.at) > refreshGrace {
			delete(s.recent, k)
		}
	}
	if rc, ok := s.recent[key]; ok {
		s.mu.Unlock()
		<-rc.done
		return rc.pair, rc.err
	}
	rc := &refreshCall{done: make(chan struct{}), at: now}
	s.recent[key] = rc
	s.mu.Unlock()
	rc.pair, rc.err = s.accounts.Refresh(context.WithoutCancel(ctx), token)
	close(rc.done)
	return rc.pair, rc.err
}

// Optional is the guard of public pages: it loads the user if signed in, and makes sure
// the CSRF cookie exists.
func (h *Console) Optional(c *gin.Context) error {
	if p, ok := h.sessions.resolve(c); ok {
		setPrincipal(c, p)
	}
	h.sessions.prepareCSRF(c)
	return nil
}

// Require is the guard of signed-in pages: it sends a visitor who is not signed in to the
// sign-in page, then back.
func (h *Console) Require(c *gin.Context) error {
	p, ok := h.sessions.resolve(c)
	if !ok {
		next := ""
		if c.Request.Method == http.MethodGet {
			next = "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, "/console/login"+next)
		c.Abort()
		return nil
	}
	setPrincipal(c, p)
	h.sessions.prepareCSRF(c)
	if p.MustChangePassword && !mustChangeAllowed[c.Request.URL.Path] {
		// A one-time password: every page waits until the user has chosen a new one.
		c.Redirect(http.StatusSeeOther, PasswordRoute)
		c.Abort()
	}
	return nil
}

// CSRF: a random value in an HttpOnly cookie, and in every form a token that is the HMAC of
// that value and the signed-in user's id under the server's key. A cross-site page can
// neither read the cookie nor compute the token; a token made for one user (or for the
// anonymous sign-in form) is refused for another, so a planted cookie does not help either.
// On top, a POST whose Origin (or, lacking it, Referer) names another host, or whose
// Sec-Fetch-Site says cross-site, is refused before the token is looked at.
func (s *sessions) prepareCSRF(c *gin.Context) {
	v, err := c.Cookie(cookieCSRF)
	if err != nil || len(v) < 16 || len(v) > 64 {
		v = s.newCSRFCookie(c)
	}
	c.Set(ctxCSRF, s.csrfFor(c, v))
}

func (s *sessions) newCSRFCookie(c *gin.Context) string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	s.setCookie(c, cookieCSRF, v, 0)
	// Requests later in this one exchange must see the new value too.
	c.Request.Header.Set("Cookie", replaceCookie(c.Request.Header.Get("Cookie"), cookieCSRF, v))
	return v
}

func replaceCookie(header, name, value string) string {
	var parts []string
	for _, p := range strings.Split(header, ";") {
		if k, _, _ := strings.Cut(strings.TrimSpace(p), "="); k != name && strings.TrimSpace(p) != "" {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	return strings.Join(append(parts, name+"="+value), "; ")
}

func (s *sessions) csrfFor(c *gin.Context, cookie string) string {
	p, _ := principalOf(c)
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("gimark console csrf\x00" + cookie + "\x00" + strconv.FormatInt(p.UserID, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func csrfToken(c *gin.Context) string { return c.GetString(ctxCSRF) }

// CSRF is the guard of every POST: it refuses one from another site. Form bodies carry the
// token in csrf_token; a multipart body (an upload) carries it as its first part and the
// handler checks it with checkToken before it reads the file, so a large upload is never
// buffered for the check.
func (h *Console) CSRF(c *gin.Context) error {
	if !h.sessions.sameOrigin(c) {
		return errCSRF
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct == "multipart/form-data" && (c.FullPath() == DocumentsRoute || c.FullPath() == SalesUploadRoute) {
		return nil
	}
	if ct != "application/x-www-form-urlencoded" || !h.sessions.checkToken(c, c.PostForm(csrfField)) {
		return errCSRF
	}
	return nil
}

// errCSRF refuses a form that is stale or comes from another site (403, words "csrf").
var errCSRF = model.CodeError(model.KindForbidden, "csrf", "")

// checkToken compares a submitted token with the one this request's cookie and user give.
func (s *sessions) checkToken(c *gin.Context, got string) bool {
	want := csrfToken(c)
	return got != "" && want != "" && hmac.Equal([]byte(got), []byte(want))
}

// sameOrigin checks the browser's own statement of where the form came from.
func (s *sessions) sameOrigin(c *gin.Context) bool {
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin":
	default:
		return false
	}
	host := c.Request.Host
	if fh := c.GetHeader("X-Forwarded-Host"); fh != "" && s.fromTrustedProxy(c) {
		host = strings.TrimSpace(strings.Split(fh, ",")[0])
	}
	src := c.GetHeader("Origin")
	if src == "" || src == "null" {
		if src == "null" {
			return false
		}
		src = c.GetHeader("Referer")
	}
	if src == "" {
		return true // neither header (some privacy tools strip both): the token decides
	}
	u, err := url.Parse(src)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}
