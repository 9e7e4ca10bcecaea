// Package engine is the local TwelveLabs-compatible engine: it composes
// storage (SQLite), the ingest state machine and its media stages, and the
// v1.3 HTTP surface into one http.Handler.
package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"glimpse/engine/api"
	"glimpse/engine/ingest"
	"glimpse/engine/media"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// DefaultMaxUploadBytes is the live service's upload limit.
const DefaultMaxUploadBytes = 2 << 30

// ScratchDir is where uploads in flight and every stage's work folders
// live; the engine empties it at start, so a crash leaves nothing behind.
func ScratchDir(dataDir string) string { return filepath.Join(dataDir, "tmp") }

// Config configures an Engine.
type Config struct {
	// DataDir holds engine.db and one folder per video.
	DataDir string
	// MountPath is where the Handler is mounted ("" alone, "/engine" when
	// embedded behind http.StripPrefix); media URLs include it.
	MountPath string
	// APIKey is the key clients send in x-api-key; "" accepts any.
	APIKey string
	// Media signs the media URLs the API hands out; nil: links under
	// MountPath signed with a key of this process, good for 12 hours.
	Media *wire.MediaLinks
	// MaxUploadBytes limits uploads and downloads (default 2 GB).
	MaxUploadBytes int64
	// Workers bounds concurrent indexing (default runtime.NumCPU()).
	Workers int
	// AllowPrivateURLs lets video_url reach loopback and private addresses.
	AllowPrivateURLs bool
	// RateLimit is the requests per endpoint and minute the API accepts and
	// reports in X-Ratelimit-* (default api.DefaultRateLimit).
	RateLimit int
	// DownloadTimeout bounds one video_url download (default 30 min).
	DownloadTimeout time.Duration
	Logger          *slog.Logger
	// Stages run after the core media stages (HLS, poster, thumbnails).
	Stages []pipeline.Stage
	// Routes are extra endpoints under /v1.3 (search, embed, generation).
	Routes    []wire.Route
	Listeners []pipeline.Listener
	// Tools names the ffmpeg binaries (default: from PATH).
	Tools media.Tools
}

// Engine is a running local engine.
type Engine struct {
	store   *store.Store
	ingest  *ingest.Manager
	handler http.Handler
}

// New opens the data directory, recovers unfinished tasks and starts the
// workers.
func New(cfg Config) (*Engine, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("engine: DataDir is required")
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.DownloadTimeout <= 0 {
		cfg.DownloadTimeout = 30 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	videosDir := filepath.Join(cfg.DataDir, "videos")
	st, err := store.Open(filepath.Join(cfg.DataDir, "engine.db"), videosDir)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	downloader := ingest.NewDownloader(cfg.MaxUploadBytes, cfg.DownloadTimeout, cfg.AllowPrivateURLs)
	mgr := ingest.New(ingest.Config{
		Store: st, Tools: cfg.Tools,
		TmpDir: ScratchDir(cfg.DataDir), VideosDir: videosDir,
		Stages:    slices.Concat(cfg.Tools.CoreStages(), cfg.Stages),
		Listeners: cfg.Listeners, Workers: cfg.Workers,
		Downloader: downloader, Logger: cfg.Logger,
	})
	if err := mgr.Start(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("engine: recover tasks: %w", err)
	}
	if cfg.Media == nil {
		cfg.Media = wire.NewMediaLinks(cfg.MountPath, nil, 0)
	}
	srv := &api.Server{Store: st, Ingest: mgr, Downloader: downloader, Media: cfg.Media,
		APIKey: cfg.APIKey, MaxUploadBytes: cfg.MaxUploadBytes, Routes: cfg.Routes, Logger: cfg.Logger,
		Limits: &api.RateLimiter{Limit: cmp.Or(cfg.RateLimit, api.DefaultRateLimit), Window: time.Minute}}
	return &Engine{store: st, ingest: mgr, handler: srv.Handler()}, nil
}

// Handler serves /v1.3/... and /media/... relative to the mount.
func (e *Engine) Handler() http.Handler { return e.handler }

// Catalog is the read side of storage for search and generation.
func (e *Engine) Catalog() pipeline.Catalog { return e.store }

// Close stops the workers (interrupted tasks resume at the next start) and
// closes the database.
func (e *Engine) Close() error {
	e.ingest.Close()
	return e.store.Close()
}
