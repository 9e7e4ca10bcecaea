// Package ingest runs the task state machine:
// uploading (video_url only) → validating → pending → queued → indexing →
// ready | failed. The queue lives in SQLite, so it survives restarts; a
// bounded pool of workers runs the pipeline's stages on queued tasks.
package ingest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
)

// Config is what a Manager needs.
type Config struct {
	Store *store.Store
	Tools media.Tools
	// TmpDir holds uploads in flight; it is emptied at start.
	TmpDir string
	// VideosDir holds one directory per video (see store.VideoDir).
	VideosDir string
	// Stages run in order on every video.
	Stages    []pipeline.Stage
	Listeners []pipeline.Listener
	// Workers bounds concurrent indexing (default runtime.NumCPU()).
	Workers int
	// MaxAttempts is how many times an interrupted task is tried before it
	// fails (default 2).
	MaxAttempts int
	Downloader  *Downloader
	Logger      *slog.Logger
	Now         func() time.Time
}

// Manager owns tasks from submission to ready or failed.
type Manager struct {
	cfg    Config
	log    *slog.Logger
	wake   chan struct{}
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// probes bounds concurrent validations (ffprobe), so a burst of uploads
	// does not start a burst of processes.
	probes chan struct{}

	mu      sync.Mutex
	running map[string]*tracked // by task id: indexing, validating, downloading
}

// tracked is one registered piece of work on a task.
type tracked struct{ cancel context.CancelFunc }

// New makes a Manager; Start launches it.
func New(cfg Config) *Manager {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel,
		wake:    make(chan struct{}, cfg.Workers),
		probes:  make(chan struct{}, 2*cfg.Workers),
		running: map[string]*tracked{},
	}
}

// Start recovers what a previous run left unfinished and starts the workers.
func (m *Manager) Start(ctx context.Context) error {
	if err := os.RemoveAll(m.cfg.TmpDir); err != nil {
		return err
	}
	if err := os.MkdirAll(m.cfg.TmpDir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(m.cfg.VideosDir, 0o755); err != nil {
		return err
	}
	if err := m.recover(ctx); err != nil {
		return err
	}
	for range m.cfg.Workers {
		m.wg.Go(m.work)
	}
	m.notify()
	return nil
}

// Close stops the workers; tasks being indexed go back to the queue and
// resume at the next start.
func (m *Manager) Close() {
	m.cancel()
	m.wg.Wait()
	if m.cfg.Downloader != nil {
		m.cfg.Downloader.Close()
	}
}

// TmpDir is where uploads are streamed before they become a task.
func (m *Manager) TmpDir() string { return m.cfg.TmpDir }

func (m *Manager) notify() {
	for range m.cfg.Workers {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

func (m *Manager) work() {
	for {
		task, err := m.cfg.Store.ClaimQueued(m.ctx, m.cfg.Now())
		switch {
		case m.ctx.Err() != nil:
			return
		case errors.Is(err, store.ErrNotFound):
			select {
			case <-m.wake:
			case <-m.ctx.Done():
				return
			}
		case err != nil:
			m.log.Error("claim queued task", "err", err)
			select {
			case <-time.After(time.Second):
			case <-m.ctx.Done():
				return
			}
		default:
			m.index(task)
		}
	}
}

// track registers a cancellable piece of work on a task so that deleting
// the task stops it.
func (m *Manager) track(taskID string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(m.ctx)
	w := &tracked{cancel: cancel}
	m.mu.Lock()
	m.running[taskID] = w
	m.mu.Unlock()
	return ctx, func() {
		m.mu.Lock()
		// A worker may already have taken the task over from intake; its
		// registration stays.
		if m.running[taskID] == w {
			delete(m.running, taskID)
		}
		m.mu.Unlock()
		cancel()
	}
}

func (m *Manager) stop(taskID string) {
	m.mu.Lock()
	w := m.running[taskID]
	m.mu.Unlock()
	if w != nil {
		w.cancel()
	}
}

func (m *Manager) videoDir(videoID string) string { return filepath.Join(m.cfg.VideosDir, videoID) }

// clearOutputs removes everything a stage may have written, keeping only
// the source, so that a redo starts clean.
func clearOutputs(dir, source string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == source {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
