package handlers

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

// render writes a templ component with the request's context, so that a
// client that leaves stops the rendering.
func render(c *gin.Context, component templ.Component) error {
	c.Header("Content-Type", "text/html; charset=utf-8")
	if c.Writer.Status() == 0 {
		c.Status(http.StatusOK)
	}
	return component.Render(c.Request.Context(), c.Writer)
}

// renderAnyway renders even when the request's context has ended (a body
// that broke off cancels it): an error page must not come out empty.
func renderAnyway(c *gin.Context, component templ.Component) error {
	c.Header("Content-Type", "text/html; charset=utf-8")
	if c.Writer.Status() == 0 {
		c.Status(http.StatusOK)
	}
	return component.Render(context.WithoutCancel(c.Request.Context()), c.Writer)
}

// page is the view model every full page shares: its title, the backend in
// use, the CSRF token for forms, flash messages and the current index.
func (s *Server) page(c *gin.Context, title string) templates.Page {
	st := s.Sessions.Get(c.Request)
	return templates.Page{
		Title:          title,
		Backend:        s.backend(c).Name,
		CSRFToken:      st.CSRFToken,
		Flashes:        st.TakeFlashes(),
		CurrentIndexID: st.CurrentIndexID,
	}
}

// backend is the API backend for this request: the person's own key from
// the settings page when they gave one, else the server's default.
func (s *Server) backend(c *gin.Context) Backend {
	if key := s.Sessions.Get(c.Request).APIKey; key != "" {
		return s.Backends.WithKey(key)
	}
	return s.Backends.Default()
}
