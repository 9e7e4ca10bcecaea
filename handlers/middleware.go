package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// appPath reports whether a path belongs to the app's pages (sessions and
// CSRF apply) rather than the embedded engine, static files or health.
func appPath(p string) bool {
	return !strings.HasPrefix(p, "/engine/") && !strings.HasPrefix(p, "/static/") && p != "/healthz"
}

// sessionMiddleware saves the session cookie just before the response
// starts, so a handler can change the session anywhere before it writes.
func (s *Server) sessionMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !appPath(c.Request.URL.Path) {
			c.Next()
			return
		}
		c.Writer = &sessionWriter{ResponseWriter: c.Writer, save: func() {
			if err := s.Sessions.Save(c.Writer, c.Request); err != nil {
				s.Log.Error("saving session", "err", err)
			}
		}}
		c.Next()
	}
}

// sessionWriter runs save once, before the first header or byte goes out.
type sessionWriter struct {
	gin.ResponseWriter
	save  func()
	saved bool
}

func (w *sessionWriter) before() {
	if !w.saved {
		w.saved = true
		w.save()
	}
}

func (w *sessionWriter) WriteHeader(code int) { w.before(); w.ResponseWriter.WriteHeader(code) }
func (w *sessionWriter) WriteHeaderNow()      { w.before(); w.ResponseWriter.WriteHeaderNow() }
func (w *sessionWriter) Write(b []byte) (int, error) {
	w.before()
	return w.ResponseWriter.Write(b)
}
func (w *sessionWriter) WriteString(str string) (int, error) {
	w.before()
	return w.ResponseWriter.WriteString(str)
}
func (w *sessionWriter) Flush()                      { w.before(); w.ResponseWriter.Flush() }
func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// csrfMiddleware refuses a state-changing request that does not carry the
// session's CSRF token, in the X-CSRF-Token header (htmx and app.js send
// it) or a csrf_token form field. Multipart bodies are never parsed here:
// an upload streams, so it must use the header.
func (s *Server) csrfMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if !appPath(c.Request.URL.Path) {
			c.Next()
			return
		}
		token := c.GetHeader("X-CSRF-Token")
		if token == "" && strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
			token = c.PostForm("csrf_token")
		}
		if !s.Sessions.Get(c.Request).ValidCSRF(token) {
			s.serveError(c, forbidden("This form has expired. Reload the page and try again."))
			c.Abort()
			return
		}
		c.Next()
	}
}
