package webapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// TaskSource is what the watcher asks of the API: the task, and the video
// once ready (for its thumbnail).
type TaskSource interface {
	GetTask(ctx context.Context, id string) (*tlclient.Task, error)
	GetVideo(ctx context.Context, indexID, videoID string, p tlclient.GetVideoParams) (*tlclient.Video, error)
}

// TaskLeases share the watching of tasks between web instances: which
// streams watch a task on any instance, and which instance polls it.
// A nil TaskLeases means this process is the only instance.
type TaskLeases interface {
	// Join records that stream watches task.
	Join(ctx context.Context, taskID, stream string) error
	// Streams are the streams watching task, on every instance.
	Streams(ctx context.Context, taskID string) ([]string, error)
	// Hold takes or renews, for ttl, the lease to poll task; it reports
	// held=false when another holder has it, and done when the task was
	// seen to end.
	Hold(ctx context.Context, taskID, holder string, ttl time.Duration) (held, done bool, err error)
	// Finish gives the lease up; done marks the task ended for everyone.
	Finish(ctx context.Context, taskID, holder string, done bool) error
}

// TaskWatcher polls each task in flight, one poller per task however many
// pages (and, with Leases, instances) show it, and publishes every change
// as the task's card to the SSE streams that asked for it. Polling backs
// off while nothing changes and stops when the task is done, gone, or too
// old.
type TaskWatcher struct {
	Hub Hub
	Log *slog.Logger
	// Leases, when set, shares the watching with other instances: one of
	// them polls, the others stand by and take over when its lease lapses.
	Leases TaskLeases
	// MinInterval is the first and fastest poll interval; 1 s.
	MinInterval time.Duration
	// MaxInterval caps the backoff, and is how often a standby instance
	// checks the lease; 10 s.
	MaxInterval time.Duration
	// MaxAge stops watching a task that never finishes; 6 h.
	MaxAge time.Duration

	holder  string // this watcher's name in Leases
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
func NewTaskWatcher(hub Hub, log *slog.Logger) *TaskWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &TaskWatcher{Hub: hub, Log: log, ctx: ctx, cancel: cancel,
		watches: map[string]*watch{}, holder: hex.EncodeToString(b)}
}

// Watch makes sure task id is polled and its changes reach stream.
func (w *TaskWatcher) Watch(api TaskSource, id, stream string) {
	if w.Leases != nil {
		ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
		if err := w.Leases.Join(ctx, id, stream); err != nil {
			w.Log.Warn("task watch not shared", "task", id, "err", err)
		}
		cancel()
	}
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

// Watching is the number of tasks this process watches (polling or, with
// Leases, standing by).
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

func (w *TaskWatcher) intervals() (minI, maxI, maxAge time.Duration) {
	minI, maxI, maxAge = w.MinInterval, w.MaxInterval, w.MaxAge
	if minI <= 0 {
		minI = time.Second
	}
	if maxI <= 0 {
		maxI = 10 * time.Second
	}
	if maxAge <= 0 {
		maxAge = 6 * time.Hour
	}
	return minI, max(minI, maxI), maxAge
}

// pollTimeout bounds one GetTask; a lease outlives a poll that long.
const pollTimeout = 30 * time.Second

func (w *TaskWatcher) poll(api TaskSource, id string, wt *watch) {
	defer w.wg.Done()
	defer func() {
		w.mu.Lock()
		delete(w.watches, id)
		w.mu.Unlock()
	}()
	minI, maxI, maxAge := w.intervals()
	leaseTTL := pollTimeout + 3*maxI
	deadline := time.Now().Add(maxAge)
	interval := minI
	var last string
	failures := 0
	holding := false
	timer := time.NewTimer(interval)
	defer timer.Stop()
	finish := func(done bool) {
		if w.Leases != nil && holding {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), 5*time.Second)
			_ = w.Leases.Finish(ctx, id, w.holder, done)
			cancel()
		}
	}
	for {
		select {
		case <-w.ctx.Done():
			finish(false)
			return
		case <-timer.C:
		}
		if w.Leases != nil {
			ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
			held, done, err := w.Leases.Hold(ctx, id, w.holder, leaseTTL)
			cancel()
			if done || time.Now().After(deadline) {
				return
			}
			if err != nil || !held {
				// Another instance polls (or Redis is unreachable): stand by.
				holding = false
				timer.Reset(maxI)
				continue
			}
			if !holding {
				last = "" // a new holder sends the card as it is now
			}
			holding = true
		}
		ctx, cancel := context.WithTimeout(w.ctx, pollTimeout)
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
				finish(false)
				return
			}
			interval = min(interval*2, maxI)
			timer.Reset(interval)
			continue
		default:
			failures = 0
			view = TaskCardView(ctx, api, *t)
		}
		cancel()
		if key := cardKey(view); key != last {
			last = key
			w.publish(id, wt, view)
			interval = minI
		} else {
			interval = min(interval*3/2, maxI)
		}
		if view.Done() || time.Now().After(deadline) {
			finish(view.Done())
			return
		}
		timer.Reset(interval)
	}
}

// publish renders the card once and sends it to every stream watching.
func (w *TaskWatcher) publish(id string, wt *watch, view templates.TaskView) {
	var buf bytes.Buffer
	if err := templates.TaskCard(view).Render(w.ctx, &buf); err != nil {
		w.Log.Error("rendering task card", "task", view.ID, "err", err)
		return
	}
	w.mu.Lock()
	streams := maps.Clone(wt.streams)
	w.mu.Unlock()
	if w.Leases != nil {
		ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
		shared, err := w.Leases.Streams(ctx, id)
		cancel()
		if err != nil {
			w.Log.Warn("task streams of other instances unknown", "task", id, "err", err)
		}
		for _, s := range shared {
			streams[s] = struct{}{}
		}
	}
	for _, s := range slices.Sorted(maps.Keys(streams)) {
		w.Hub.Publish(s, templates.TaskEvent(view.ID), buf.Bytes())
	}
}

// cardKey is what, when it changes, changes the card.
func cardKey(v templates.TaskView) string {
	return v.Status + "|" + v.StatusLabel() + "|" + v.Failure + "|" + v.FailureDetail + "|" + v.Thumbnail + "|" + v.Filename + "|" + v.Duration
}

// TaskCardView is TaskView with, once the task is ready, the video's
// thumbnail and watch link.
func TaskCardView(ctx context.Context, api TaskSource, t tlclient.Task) templates.TaskView {
	v := TaskView(t)
	if t.Status == tlclient.TaskReady {
		addVideoDetails(ctx, api, &v)
	}
	return v
}

// addVideoDetails fills the thumbnail and watch link of a ready task.
func addVideoDetails(ctx context.Context, api TaskSource, v *templates.TaskView) {
	if v.VideoID == "" || v.IndexID == "" {
		return
	}
	v.WatchURL = webfmt.WatchURL(v.IndexID, v.VideoID)
	if v.Thumbnail != "" {
		return
	}
	vid, err := api.GetVideo(ctx, v.IndexID, v.VideoID, tlclient.GetVideoParams{})
	if err == nil && vid.HLS != nil && len(vid.HLS.ThumbnailURLs) > 0 {
		v.Thumbnail = vid.HLS.ThumbnailURLs[0]
	}
}
