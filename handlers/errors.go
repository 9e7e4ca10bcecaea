package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/webapp"
)

// userError is an error whose message is meant for the person using the app.
type userError struct {
	Status  int
	Message string
}

func (e *userError) Error() string { return e.Message }

// badRequest, notFound and friends build errors whose text the page shows.
func badRequest(msg string) error { return &userError{Status: http.StatusBadRequest, Message: msg} }
func notFound(msg string) error   { return &userError{Status: http.StatusNotFound, Message: msg} }
func forbidden(msg string) error  { return &userError{Status: http.StatusForbidden, Message: msg} }

// classify maps an error to the status and message the person sees. API
// errors keep the API's own message, which names the problem; anything else
// is a 500 whose details stay in the log.
func classify(err error) (int, string) {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.Status, ue.Message
	}
	if status, msg, ok := webapp.DescribeAPIError(err); ok {
		return status, msg
	}
	return http.StatusInternalServerError, "Something went wrong on our side. It has been logged."
}

// serveError logs err (5xx at Error, 4xx at Info) and answers with an error
// page, or with an error fragment when htmx asked for a fragment.
func (s *Server) serveError(c *gin.Context, err error) {
	if bodyCutShort(c) {
		err = fmt.Errorf("%w (%v)", errBodyCutShort, err)
	}
	status, msg := classify(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.Log(c.Request.Context(), level, "request failed",
		"method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "err", err)
	if c.Writer.Written() {
		return
	}
	c.Status(status)
	if isHTMX(c) {
		// htmx swaps only 2xx by default; tell it to show this fragment.
		c.Header("HX-Retarget", "#flash")
		c.Header("HX-Reswap", "innerHTML")
		c.Status(http.StatusOK)
		_ = renderAnyway(c, templates.ErrorFragment(msg))
		_ = renderTroubleOOB(c)
		return
	}
	_ = renderAnyway(c, templates.ErrorPage(s.page(c, "Error"), status, msg))
}

func isHTMX(c *gin.Context) bool { return c.GetHeader("HX-Request") == "true" }
