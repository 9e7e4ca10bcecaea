package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"glimpse/templates"
	"glimpse/tlclient"
)

// taskSource is what the watcher asks of the API: the task, and the video
// once ready (for its thumbnail).
type taskSource interface {
	GetTask(ctx context.Context, id string) (*tlclient.Task, error)
	GetVideo(ctx context.Context, indexID, videoID string, p tlclient.GetVideoParams) (*tlclient.Video, error)
}

// TaskWatcher polls each task in flight, one poller per task however many
// pages show it, and publishes every change as the task's card to the SSE
// streams that asked for it. Polling backs off while nothing changes and
// stops when the task is done, gone, or too old.
type TaskWatcher struct {
	Events EventHub
	Log    *slog.Logger
	// MinInterval is the first and fastest poll interval; 1 s.
	MinInterval time.Duration
	// MaxInterval caps the backoff; 10 s.
	MaxInterval time.Duration
	// MaxAge stops watching a task that never finishes; 6 h.
	MaxAge time.Duration

	mu      sync.Mutex
	watches map[string]*watch
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type watch struct {
	streams map[string]struct{}
}

// NewTaskWatcher makes a watcher; Close stops it.
func NewTaskWatcher(events EventHub, log *slog.Logger) *TaskWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &TaskWatcher{Events: events, Log: log, ctx: ctx, cancel: cancel, watches: map[string]*watch{}}
}

// Watch makes sure task id is polled and its changes reach stream.
func (w *TaskWatcher) Watch(api taskSource, id, stream string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return
	}
	if wt, ok := w.watches[id]; ok {
		wt.streams[stream] = struct{}{}
		return
	}
	wt := &watch{streams: map[string]struct{}{stream: {}}}
	w.watches[id] = wt
	w.wg.Add(1)
	go w.poll(api, id, wt)
}

// Watching is the number of tasks being polled.
func (w *TaskWatcher) Watching() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.watches)
}

// Close stops every poller and waits for them.
func (w *TaskWatcher) Close() {
	w.cancel()
	w.wg.Wait()
}

func (w *TaskWatcher) poll(api taskSource, id string, wt *watch) {
	defer w.wg.Done()
	defer func() {
		w.mu.Lock()
		delete(w.watches, id)
		w.mu.Unlock()
	}()
	minI, maxI, maxAge := w.MinInterval, w.MaxInterval, w.MaxAge
	if minI <= 0 {
		minI = time.Second
	}
	if maxI <= 0 {
		maxI = 10 * time.Second
	}
	if maxAge <= 0 {
		maxAge = 6 * time.Hour
	}
	deadline := time.Now().Add(maxAge)
	interval := minI
	var last string
	failures := 0
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-timer.C:
		}
		ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
		t, err := api.GetTask(ctx, id)
		var view templates.TaskView
		switch {
		case errors.Is(err, tlclient.ErrNotFound):
			view = templates.TaskView{ID: id, Gone: true, Status: "deleted"}
		case err != nil:
			cancel()
			failures++
			if failures >= 20 || time.Now().After(deadline) {
				w.Log.Warn("task watcher gives up", "task", id, "err", err)
				return
			}
			interval = min(interval*2, maxI)
			timer.Reset(interval)
			continue
		default:
			failures = 0
			view = taskView(*t)
			if t.Status == tlclient.TaskReady {
				addVideoDetails(ctx, api, &view)
			}
		}
		cancel()
		if key := cardKey(view); key != last {
			last = key
			w.publish(wt, view)
			interval = minI
		} else {
			interval = min(interval*3/2, maxI)
		}
		if view.Done() || time.Now().After(deadline) {
			return
		}
		timer.Reset(interval)
	}
}

// publish renders the card once and sends it to every stream watching.
func (w *TaskWatcher) publish(wt *watch, view templates.TaskView) {
	var buf bytes.Buffer
	if err := templates.TaskCard(view).Render(w.ctx, &buf); err != nil {
		w.Log.Error("rendering task card", "task", view.ID, "err", err)
		return
	}
	w.mu.Lock()
	streams := make([]string, 0, len(wt.streams))
	for s := range wt.streams {
		streams = append(streams, s)
	}
	w.mu.Unlock()
	for _, s := range streams {
		w.Events.Publish(s, templates.TaskEvent(view.ID), buf.Bytes())
	}
}

// cardKey is what, when it changes, changes the card.
func cardKey(v templates.TaskView) string {
	return v.Status + "|" + v.StatusLabel() + "|" + v.Failure + "|" + v.Thumbnail + "|" + v.Filename + "|" + v.Duration
}

// addVideoDetails fills the thumbnail and watch link of a ready task.
func addVideoDetails(ctx context.Context, api taskSource, v *templates.TaskView) {
	if v.VideoID == "" || v.IndexID == "" {
		return
	}
	v.WatchURL = watchURL(v.IndexID, v.VideoID)
	if v.Thumbnail != "" {
		return
	}
	vid, err := api.GetVideo(ctx, v.IndexID, v.VideoID, tlclient.GetVideoParams{})
	if err == nil && vid.HLS != nil && len(vid.HLS.ThumbnailURLs) > 0 {
		v.Thumbnail = vid.HLS.ThumbnailURLs[0]
	}
}
