package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

// bodySlack is what a multipart form adds around the largest file.
const bodySlack = 1 << 20

// bodyCutShortKey marks, in the gin context, the request body's detector.
const bodyCutShortKey = "glimpse.bodyCutShort"

// checkBodies refuses up front a request that announces more bytes than
// the app ever takes, and notes when a body ends before the length it
// announced, so the answer says so instead of failing somewhere later.
func (s *Server) checkBodies() gin.HandlerFunc {
	return func(c *gin.Context) {
		if limit := s.maxUpload() + bodySlack; c.Request.ContentLength > limit {
			// Closing lets the server answer without reading the body.
			c.Header("Connection", "close")
			s.serveError(c, &userError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(
				"This request says it is %s; the most this server takes is %s.",
				templates.HumanBytes(c.Request.ContentLength), templates.HumanBytes(s.maxUpload()))})
			c.Abort()
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			d := &shortBodyDetector{ReadCloser: c.Request.Body}
			c.Request.Body = d
			c.Set(bodyCutShortKey, d)
		}
		c.Next()
	}
}

// errBodyCutShort is what the person sees when their request broke off.
var errBodyCutShort = &userError{Status: http.StatusBadRequest,
	Message: "The request ended before all of it arrived (the connection broke off). Send it again."}

// shortBodyDetector remembers that the body ended before its announced length.
type shortBodyDetector struct {
	io.ReadCloser
	short bool
}

func (d *shortBodyDetector) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		d.short = true
	}
	return n, err
}

// bodyCutShort reports whether the request's body broke off early.
func bodyCutShort(c *gin.Context) bool {
	d, ok := c.Get(bodyCutShortKey)
	return ok && d.(*shortBodyDetector).short
}
