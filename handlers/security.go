package handlers

import (
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy lets the page run only the app's own scripts (htmx,
// hls.js and ours, all under /static) and never inline code. Thumbnails and
// HLS come from the app's origin on the embedded engine and from https
// hosts on the cloud; hls.js fetches segments with XHR and may start a
// blob worker.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob: https:; media-src 'self' blob: https:; connect-src 'self' https:; " +
	"worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// securityHeaders are the standard headers on every response of the app.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

// loopbackHosts are the names a browser on this machine uses for the app.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// hostGuard refuses a request whose Host is not one the app is configured
// for. A page on another site can point its own name at 127.0.0.1 (DNS
// rebinding) and then read and write this origin; its requests still name
// that site in Host.
func (s *Server) hostGuard() gin.HandlerFunc {
	allowed := map[string]bool{}
	for _, h := range append(loopbackHosts, s.AllowedHosts...) {
		allowed[normalHost(h)] = true
	}
	return func(c *gin.Context) {
		if !allowed[normalHost(c.Request.Host)] {
			c.AbortWithStatusJSON(http.StatusMisdirectedRequest, gin.H{
				"code":    "host_not_allowed",
				"message": "This server does not answer for that host name. Add it to GLIMPSE_ALLOWED_HOSTS to use it.",
			})
			return
		}
		c.Next()
	}
}

// normalHost is a Host header or configured name without its port and
// brackets, in lower case.
func normalHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.Trim(h, "[]"), ".")
}

// basicAuth asks for the configured user and password on every route but
// the health check and the embedded engine (which has its own secret key,
// and whose media links are signed).
func (s *Server) basicAuth() gin.HandlerFunc {
	if s.BasicAuth == nil {
		return func(c *gin.Context) { c.Next() }
	}
	check := gin.BasicAuthForRealm(gin.Accounts{s.BasicAuth.User: s.BasicAuth.Password}, "Glimpse")
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if p == "/healthz" || strings.HasPrefix(p, "/engine/") {
			c.Next()
			return
		}
		check(c)
	}
}

// Credentials are a user name and password for HTTP basic auth.
type Credentials struct{ User, Password string }

// uploadSlots caps the uploads in flight from one client address, so a
// client that opens many and stalls them cannot hold the server's
// connections and disk; a slow upload that keeps sending is never cut.
type uploadSlots struct {
	mu     sync.Mutex
	active map[string]int
}

func (u *uploadSlots) acquire(client string, max int) bool {
	if max <= 0 {
		max = 6
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.active == nil {
		u.active = map[string]int{}
	}
	if u.active[client] >= max {
		return false
	}
	u.active[client]++
	return true
}

func (u *uploadSlots) release(client string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.active[client]--; u.active[client] <= 0 {
		delete(u.active, client)
	}
}

// newEngine is gin with the client address taken from X-Forwarded-For
// only when a trusted proxy sends it (gin trusts every sender by default,
// which would let any client pick the address its uploads count under).
func (s *Server) newEngine() *gin.Engine {
	r := gin.New()
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		// cmd/web checks the list first; a bad one here trusts nobody.
		s.Log.Error("trusted proxies ignored", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	return r
}

// limitUploads answers 429 when the client already has max uploads in
// flight. Behind trusted proxies the client is the address they forward.
func (s *Server) limitUploads() gin.HandlerFunc {
	return func(c *gin.Context) {
		client := c.ClientIP()
		if !s.uploads.acquire(client, s.MaxUploadsPerClient) {
			// Closing lets the server answer without first reading the
			// body, which a stalled client never sends.
			c.Header("Connection", "close")
			_ = s.rejectUpload(c, "", "", http.StatusTooManyRequests,
				"Too many uploads at once from this computer; wait for one to finish.")
			c.Abort()
			return
		}
		defer s.uploads.release(client)
		c.Next()
	}
}
