// Package api is the engine's only HTTP surface: every TwelveLabs v1.3
// endpoint (indexes, videos, tasks, search, embeddings, generation) in one
// route table, plus the media files (HLS, thumbnails) under /media. It
// reads requests and writes responses; the work is done by the parts it
// is given, and an endpoint whose part is nil is not served.
package api

import (
	"context"
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
	// Search serves /search; nil: not served.
	Search Searcher
	// Embed serves /embed and EmbedTasks /embed/tasks; nil: not served.
	Embed      Embedder
	EmbedTasks VideoEmbedder
	// Generate serves /analyze, /gist and /summarize; nil: not served.
	Generate Generator
	// AllowPrivateURLs lets query_media_url, image_url and an embedding
	// task's video_url reach loopback and private addresses.
	AllowPrivateURLs bool
	// TempDir holds the videos of embedding tasks while they run; default
	// os.TempDir().
	TempDir string
	Logger  *slog.Logger

	fetch *http.Client
}

// handlerFunc is an endpoint that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the routes: /v1.3/... behind the key check and /media/...
// open to whoever holds a signed link.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Media == nil {
		s.Media = wire.NewMediaLinks("", nil, 0)
	}
	s.fetch = guardedClient(s.AllowPrivateURLs)
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
	for _, rt := range s.routes() {
		if rt.serve != nil {
			api(rt.pattern, s.handle(rt.serve))
		}
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

// route is one endpoint: its pattern relative to Prefix, and its handler,
// nil when the part that serves it is missing.
type route struct {
	pattern string
	serve   handlerFunc
}

// routes is the route table: every endpoint of the v1.3 surface.
func (s *Server) routes() []route {
	// when keeps an endpoint whose part is present.
	when := func(present bool, h handlerFunc) handlerFunc {
		if !present {
			return nil
		}
		return h
	}
	searching, embedding, tasks, writing := s.Search != nil, s.Embed != nil, s.EmbedTasks != nil, s.Generate != nil
	return []route{
		{"GET /indexes", s.listIndexes},
		{"POST /indexes", s.createIndex},
		{"GET /indexes/{index_id}", s.getIndex},
		{"PUT /indexes/{index_id}", s.updateIndex},
		{"DELETE /indexes/{index_id}", s.deleteIndex},
		{"GET /indexes/{index_id}/videos", s.listVideos},
		{"GET /indexes/{index_id}/videos/{video_id}", s.getVideo},
		{"PATCH /indexes/{index_id}/videos/{video_id}", s.patchVideo},
		{"PUT /indexes/{index_id}/videos/{video_id}", s.putVideo},
		{"DELETE /indexes/{index_id}/videos/{video_id}", s.deleteVideo},
		{"GET /tasks", s.listTasks},
		{"POST /tasks", s.createTask},
		{"GET /tasks/{task_id}", s.getTask},
		{"DELETE /tasks/{task_id}", s.deleteTask},
		{"POST /search", when(searching, s.createSearch)},
		{"GET /search/{page_token}", when(searching, s.retrieveSearchPage)},
		{"POST /embed", when(embedding, s.createEmbeddings)},
		{"POST /embed/tasks", when(tasks, s.createEmbeddingTask)},
		{"GET /embed/tasks", when(tasks, s.listEmbeddingTasks)},
		{"GET /embed/tasks/{task_id}", when(tasks, s.retrieveEmbeddingTask)},
		{"GET /embed/tasks/{task_id}/status", when(tasks, s.embeddingTaskStatus)},
		{"POST /analyze", when(writing, s.analyzeVideo)},
		{"POST /gist", when(writing, s.generateGist)},
		{"POST /summarize", when(writing, s.summarizeVideo)},
	}
}

// handle is the one error wrapper: a client error (*wire.Error) is
// answered with its code, a request whose client has gone is dropped, and
// anything else is logged and answered as a 500 without its text.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var we *wire.Error
		switch {
		case errors.As(err, &we):
			s.Logger.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", we.Code, "message", we.Message)
		case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
			return // the client left; nobody to answer
		default:
			s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		wire.WriteError(w, err)
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
