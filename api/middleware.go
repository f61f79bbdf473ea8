package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/ratelimit"
	"gimark/model"
)

const (
	ctxRequestID = "request_id"
	headerReqID  = "X-Request-ID"
)

// PrincipalFrom returns the signed-in caller stored by the authenticate middleware (or by
// the console's session).
func PrincipalFrom(ctx context.Context) (model.Principal, bool) { return model.PrincipalFrom(ctx) }

func principal(c *gin.Context) model.Principal {
	p, _ := model.PrincipalFrom(c.Request.Context())
	return p
}

// handle adapts a handler (or a guard) that returns an error: the one place errors become
// responses, for the API and the console alike (see writeError). A guard that returns nil
// lets the chain go on.
func (a *app) handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			a.writeError(c, err)
		}
	}
}

// requestID accepts a caller's X-Request-ID when it is short and plain, else makes one,
// and echoes it.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerReqID)
		if !validRequestID(id) {
			id = nextRequestID()
		}
		c.Set(ctxRequestID, id)
		c.Header(headerReqID, id)
		c.Next()
	}
}

// requestPrefix makes IDs unique across instances and restarts; the counter makes them
// unique within one, without a crypto/rand read on every request.
var (
	requestPrefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}()
	requestSeq atomic.Uint64
)

func nextRequestID() string {
	return requestPrefix + "-" + strconv.FormatUint(requestSeq.Add(1), 36)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// accessLog writes one structured line per request. It logs the route pattern rather than
// the path (a label code in a path is not logged), and a truncated client address.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		if !log.Enabled(c.Request.Context(), level) {
			return
		}
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := []any{
			"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"dur_ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes", c.Writer.Size(), "request_id", c.GetString(ctxRequestID),
			"client", truncateIP(c.ClientIP()),
		}
		if p, ok := PrincipalFrom(c.Request.Context()); ok {
			attrs = append(attrs, "principal_id", p.UserID)
		}
		log.Log(c.Request.Context(), level, "request", attrs...)
	}
}

// truncateIP keeps the network, not the person: /24 for IPv4, /48 for IPv6.
func truncateIP(s string) string {
	ip := net.ParseIP(s)
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return fmt.Sprintf("%d.%d.%d.0/24", v4[0], v4[1], v4[2])
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

// recovery turns a panic into a logged 500 problem.
func (a *app) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if err, ok := r.(error); ok && err == http.ErrAbortHandler {
					panic(r)
				}
				a.log.Error("panic", "request_id", c.GetString(ctxRequestID), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				a.writeError(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// bodyLimit caps every request body; handlers that accept uploads raise it for their route.
// A body that says it is larger is refused at once, except on the routes of inForm: the
// console's upload forms read up to the limit and show the refusal next to the file field.
func (a *app) bodyLimit(def int64, perRoute map[string]int64, inForm ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			limit := def
			if l, ok := perRoute[c.FullPath()]; ok {
				limit = l
			}
			if c.Request.ContentLength > limit && !slices.Contains(inForm, c.FullPath()) {
				a.writeError(c, tooLarge(limit))
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// authenticate requires a valid bearer access token and stores the principal.
func (a *app) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="gimark"`)
			a.writeError(c, model.CodeError(model.KindUnauthenticated, "missing_token", "sign in: an Authorization: Bearer token is required"))
			return
		}
		p, err := a.issuer.Verify(strings.TrimSpace(token))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="gimark", error="invalid_token"`)
			a.writeError(c, err)
			return
		}
		if p.MustChangePassword && !passwordChangeRoutes[c.FullPath()] {
			a.writeError(c, model.CodeError(model.KindForbidden, "password_change_required",
				"this account signed in with a one-time password: set a new one with POST /api/v1/me/password, then refresh the token"))
			return
		}
		c.Request = c.Request.WithContext(model.WithPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

// passwordChangeRoutes are what a sign-in with a one-time password may call: everything
// else answers 403 password_change_required until the password is changed (the refreshed
// token then no longer carries the mark).
var passwordChangeRoutes = map[string]bool{
	"/api/v1/me":          true,
	"/api/v1/me/password": true,
	"/api/v1/auth/logout": true,
}

// requireRole lets only the given roles through (403 for others): the one role check of
// the API's routes and the console's pages.
func (a *app) requireRole(roles ...model.Role) gin.HandlerFunc {
	return a.handle(func(c *gin.Context) error {
		p := principal(c)
		for _, r := range roles {
			if p.Role == r {
				return nil
			}
		}
		return model.CodeError(model.KindForbidden, "forbidden", "your role may not do this")
	})
}

// rateLimit limits requests per client address.
func (a *app) rateLimit(k ratelimit.Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, retry := k.Allow(c.ClientIP()); !ok {
			a.writeError(c, &model.Error{Kind: model.KindRateLimited, Code: "rate_limited", Msg: "too many requests; slow down", RetryAfter: retry})
			return
		}
		c.Next()
	}
}

// securityHeaders are sent with every answer.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		c.Next()
	}
}

func jsonRender(w http.ResponseWriter, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
