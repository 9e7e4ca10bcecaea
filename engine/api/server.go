// Package api is the engine's TwelveLabs v1.3 HTTP surface for indexes,
// videos and tasks, plus the media files (HLS, thumbnails) under /media.
package api

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"glimpse/engine/ingest"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// Prefix is where the API lives, relative to the engine's mount.
const Prefix = "/v1.3"

// Server serves the API. Its fields are its dependencies.
type Server struct {
	Store  *store.Store
	Ingest *ingest.Manager
	// Downloader checks video_url hosts before a task is created.
	Downloader *ingest.Downloader
	// Media makes and checks the signed media URLs.
	Media *wire.MediaLinks
	// APIKey is the key clients must send in x-api-key; "" accepts any.
	APIKey         string
	MaxUploadBytes int64
	// Limits is the per-endpoint rate limit; nil sends no X-Ratelimit-*.
	Limits *RateLimiter
	// Routes are extra endpoints (search, generation) under Prefix.
	Routes []wire.Route
	Logger *slog.Logger
}

// handlerFunc is an endpoint that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the routes: /v1.3/... behind the key check and /media/...
// open to whoever holds a signed link.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.Handler) {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "", pattern
		}
		full := Prefix + path
		if method != "" {
			full = method + " " + full
		}
		mux.Handle(full, s.requireKey(s.Limits.limit(pattern, h)))
	}
	for pattern, h := range map[string]handlerFunc{
		"GET /indexes":                                 s.listIndexes,
		"POST /indexes":                                s.createIndex,
		"GET /indexes/{index_id}":                      s.getIndex,
		"PUT /indexes/{index_id}":                      s.updateIndex,
		"DELETE /indexes/{index_id}":                   s.deleteIndex,
		"GET /indexes/{index_id}/videos":               s.listVideos,
		"GET /indexes/{index_id}/videos/{video_id}":    s.getVideo,
		"PATCH /indexes/{index_id}/videos/{video_id}":  s.patchVideo,
		"PUT /indexes/{index_id}/videos/{video_id}":    s.putVideo,
		"DELETE /indexes/{index_id}/videos/{video_id}": s.deleteVideo,
		"GET /tasks":                                   s.listTasks,
		"POST /tasks":                                  s.createTask,
		"GET /tasks/{task_id}":                         s.getTask,
		"DELETE /tasks/{task_id}":                      s.deleteTask,
	} {
		api(pattern, s.handle(h))
	}
	for _, rt := range s.Routes {
		api(rt.Pattern, rt.Handler)
	}
	api("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return wire.NotFound("There is no endpoint " + r.Method + " " + r.URL.Path + ".")
	}))
	mux.Handle("GET /media/{video_id}/{token}/{file...}", s.handle(s.serveMedia))
	mux.Handle("HEAD /media/{video_id}/{token}/{file...}", s.handle(s.serveMedia))
	mux.HandleFunc("OPTIONS /media/", func(w http.ResponseWriter, r *http.Request) {
		setCORS(w)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			var we *wire.Error
			if !errors.As(err, &we) {
				s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			wire.WriteError(w, err)
		}
	})
}

// requireKey checks x-api-key in constant time; the key is never logged.
func (s *Server) requireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.APIKey != "" {
			got := r.Header.Get("x-api-key")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.APIKey)) != 1 {
				wire.WriteError(w, wire.Errorf(http.StatusUnauthorized, "api_key_invalid",
					"The API key you provided is not valid. Send a valid key in the x-api-key header."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
