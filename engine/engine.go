// Package engine is the core of the local TwelveLabs-compatible engine:
// storage (SQLite), the ingest state machine and its media stages (HLS,
// poster, thumbnails), and the v1.3 HTTP surface (engine/api), composed
// into one http.Handler. Alone it serves indexes, videos, tasks and media;
// understanding, search and generation are Parts that engine/full adds.
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
	// Parts builds the parts beyond the core against the store's catalog;
	// nil: the core alone.
	Parts func(catalog pipeline.Catalog) (Parts, error)
	// Tools names the ffmpeg binaries (default: from PATH).
	Tools media.Tools
}

// Parts are what the full engine adds to the core. Every field is optional.
type Parts struct {
	// Stages run after the core media stages, in order.
	Stages []pipeline.Stage
	// Listeners hear when a video is ready or deleted.
	Listeners []pipeline.Listener
	// Search, Embed, EmbedTasks and Generate serve their endpoints
	// (engine/api); a nil one is not served.
	Search     api.Searcher
	Embed      api.Embedder
	EmbedTasks api.VideoEmbedder
	Generate   api.Generator
	// Load runs once the parts are built and before the workers start, so
	// that what a part keeps in memory (search's index) misses no video.
	Load func(context.Context) error
	// Close runs when the engine closes, after the workers stop.
	Close func()
}

// Engine is a running local engine.
type Engine struct {
	store   *store.Store
	ingest  *ingest.Manager
	parts   Parts
	handler http.Handler
}

// New opens the store, builds the parts against its catalog, loads them,
// recovers unfinished tasks and starts the workers, and makes the handler.
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
	if cfg.Media == nil {
		cfg.Media = wire.NewMediaLinks(cfg.MountPath, nil, 0)
	}

	// 1. Open the store.
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	videosDir := filepath.Join(cfg.DataDir, "videos")
	st, err := store.Open(filepath.Join(cfg.DataDir, "engine.db"), videosDir)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{store: st}
	fail := func(step string, err error) (*Engine, error) {
		e.Close()
		return nil, fmt.Errorf("engine: %s: %w", step, err)
	}

	// 2. Build the parts (understanding, search, generation) against its catalog.
	if cfg.Parts != nil {
		if e.parts, err = cfg.Parts(st); err != nil {
			return fail("build", err)
		}
	}

	// 3. Load what the parts keep in memory from the catalog.
	if e.parts.Load != nil {
		if err := e.parts.Load(context.Background()); err != nil {
			return fail("load", err)
		}
	}

	// 4. Recover unfinished tasks and start the workers.
	downloader := ingest.NewDownloader(cfg.MaxUploadBytes, cfg.DownloadTimeout, cfg.AllowPrivateURLs)
	e.ingest = ingest.New(ingest.Config{
		Store: st, Tools: cfg.Tools,
		TmpDir: ScratchDir(cfg.DataDir), VideosDir: videosDir,
		Stages:    slices.Concat(cfg.Tools.CoreStages(), e.parts.Stages),
		Listeners: e.parts.Listeners, Workers: cfg.Workers,
		Downloader: downloader, Logger: cfg.Logger,
	})
	if err := e.ingest.Start(context.Background()); err != nil {
		return fail("recover tasks", err)
	}

	// 5. The HTTP surface.
	srv := &api.Server{Store: st, Ingest: e.ingest, Downloader: downloader, Media: cfg.Media,
		APIKey: cfg.APIKey, MaxUploadBytes: cfg.MaxUploadBytes, Logger: cfg.Logger,
		Limits: &api.RateLimiter{Limit: cmp.Or(cfg.RateLimit, api.DefaultRateLimit), Window: time.Minute},
		Search: e.parts.Search, Embed: e.parts.Embed, EmbedTasks: e.parts.EmbedTasks, Generate: e.parts.Generate,
		AllowPrivateURLs: cfg.AllowPrivateURLs, TempDir: ScratchDir(cfg.DataDir)}
	e.handler = srv.Handler()
	return e, nil
}

// Handler serves /v1.3/... and /media/... relative to the mount.
func (e *Engine) Handler() http.Handler { return e.handler }

// Catalog is the read side of storage, the one the parts were built against.
func (e *Engine) Catalog() pipeline.Catalog { return e.store }

// Close stops the workers (interrupted tasks resume at the next start) and
// closes the database.
func (e *Engine) Close() error {
	if e.ingest != nil {
		e.ingest.Close()
	}
	if e.parts.Close != nil {
		e.parts.Close()
	}
	return e.store.Close()
}
