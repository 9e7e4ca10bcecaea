// Package handlers is the web app's HTTP surface: Gin routes (all in
// routes.go), one file per feature, pages and fragments rendered with templ.
package handlers

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"glimpse/webapp"
)

// TwelveLabs is everything the handlers ask of the API. Each feature file
// declares the slice it uses; this composes them, and *tlclient.Client
// satisfies it whether it talks to the cloud or to the local engine.
type TwelveLabs interface {
	IndexAPI
	VideoAPI
	TaskAPI
	SearchAPI
	AnalysisAPI
}

// Backend is one way of reaching the API, named for the person using it.
type Backend struct {
	// Name says which backend is in use, on every page ("Local engine",
	// "TwelveLabs cloud").
	Name   string
	Client TwelveLabs
}

// Backends hands out the backend for a request: the server's default
// (its key, or the embedded engine), or one built from a key the person
// pasted on the settings page.
type Backends interface {
	Default() Backend
	WithKey(apiKey string) Backend
}

// Server holds the web app's dependencies; its methods are the handlers.
type Server struct {
	Log      *slog.Logger
	Backends Backends
	Sessions SessionStore
	Events   EventHub
	// Static serves the embedded assets (CSS, JS, vendored htmx and hls.js)
	// under /static/<version>/ (package static).
	Static http.Handler
	// Engine is the embedded local engine's handler, mounted at /engine,
	// or nil when the app talks to the cloud.
	Engine http.Handler
	// Watcher polls the API for tasks in flight and publishes each change
	// as a task card over SSE.
	Watcher *webapp.TaskWatcher
	// MaxUploadBytes is the largest video file accepted; 0 means 2 GB.
	MaxUploadBytes int64
	// Analyses keeps each video's gist, summary, chapters and highlights
	// (package analysisstore), so a reload does not ask the API again.
	Analyses AnalysisStore

	// Answers answers questions about videos over SSE (package webapp);
	// nil means an in-process one over Events, made on first use.
	Answers *webapp.Answers

	// AllowedHosts are the host names the app answers for besides the
	// loopback names (GLIMPSE_ALLOWED_HOSTS); any other Host is refused.
	AllowedHosts []string
	// BasicAuth, if set, is asked for on every page (GLIMPSE_BASIC_AUTH).
	BasicAuth *Credentials
	// TrustedProxies are the addresses (IPs or CIDRs) of the proxies in
	// front of the app (GLIMPSE_TRUSTED_PROXIES), whose X-Forwarded-For
	// names the client; from anyone else the header is ignored.
	TrustedProxies []string
	// MaxUploadsPerClient caps uploads in flight from one address; 0 means 6.
	MaxUploadsPerClient int

	uploads  uploadSlots
	once     sync.Once
	analyses *webapp.Analyses // generates over Analyses, once per video at a time
}

// answers is s.Answers, or the in-process default.
func (s *Server) answers() *webapp.Answers {
	s.defaults()
	return s.Answers
}

// analysisRuns generates and keeps analyses in s.Analyses.
func (s *Server) analysisRuns() *webapp.Analyses {
	s.defaults()
	return s.analyses
}

func (s *Server) defaults() {
	s.once.Do(func() {
		if s.Answers == nil {
			s.Answers = webapp.NewAnswers(s.Events, s.Log)
		}
		s.analyses = &webapp.Analyses{Store: s.Analyses, Log: s.Log}
	})
}

// handlerFunc is a handler that returns its error instead of writing it;
// wrap turns the error into a status, a page or fragment, and a log line.
type handlerFunc func(c *gin.Context) error

func (s *Server) wrap(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.serveError(c, err)
		}
	}
}
