package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

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
	if err := component.Render(c.Request.Context(), c.Writer); err != nil {
		return err
	}
	return renderTroubleOOB(c)
}

// renderTroubleOOB adds to an htmx fragment the page's trouble banner,
// swapped in out of band: a fragment has no layout to show it.
func renderTroubleOOB(c *gin.Context) error {
	if !isHTMX(c) || c.GetHeader("HX-History-Restore-Request") == "true" {
		return nil
	}
	if t := troubleOf(c.Request.Context()).view(); t != nil {
		return templates.TroubleOOB(*t).Render(context.WithoutCancel(c.Request.Context()), c.Writer)
	}
	return nil
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
		Section:        navSection(c),
		Trouble:        troubleOf(c.Request.Context()).view(),
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

// navSection is the navigation's section of the page: by its path, and for
// a watch page the section it was opened from (a search carries its query
// in the URL; the tasks and index pages are named by the Referer, which
// the app's Referrer-Policy keeps to this origin).
func navSection(c *gin.Context) string {
	p := c.Request.URL.Path
	switch {
	case strings.HasSuffix(p, "/watch"):
		q := c.Request.URL.Query()
		if q.Get("q") != "" || q.Get("image_url") != "" {
			return templates.SectionSearch
		}
		if ref, err := url.Parse(c.GetHeader("Referer")); err == nil && ref.Host == c.Request.Host {
			switch {
			case strings.HasPrefix(ref.Path, "/tasks"):
				return templates.SectionTasks
			case strings.HasPrefix(ref.Path, "/search"):
				return templates.SectionSearch
			}
		}
		return templates.SectionIndexes
	case p == "/" || strings.HasPrefix(p, "/indexes"):
		return templates.SectionIndexes
	case strings.HasPrefix(p, "/search"):
		return templates.SectionSearch
	case strings.HasPrefix(p, "/tasks"):
		return templates.SectionTasks
	case strings.HasPrefix(p, "/settings"):
		return templates.SectionSettings
	}
	return ""
}
