package ingest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
)

// index runs every stage on a claimed task and marks it ready, or failed
// with the stage's code.
func (m *Manager) index(t *store.Task) {
	ctx, done := m.track(t.ID)
	defer done()
	start := time.Now()
	ix, err := m.cfg.Store.GetIndex(ctx, t.IndexID)
	if err != nil {
		m.finishWithError(t, err)
		return
	}
	dir := m.videoDir(t.VideoID)
	v := &pipeline.Video{
		IndexID: t.IndexID, VideoID: t.VideoID,
		SourcePath: filepath.Join(dir, t.Video.Source), Dir: dir,
		Duration: t.Video.Duration, Width: t.Video.Width, Height: t.Video.Height, FPS: t.Video.FPS, HasAudio: t.Video.HasAudio,
		Addons: ix.Addons, EnableStream: t.Video.EnableStream,
	}
	for _, model := range ix.Models {
		for _, opt := range model.Options {
			if !slices.Contains(v.ModelOptions, opt) {
				v.ModelOptions = append(v.ModelOptions, opt)
			}
		}
	}
	// Outputs of an interrupted earlier attempt must not mix with this one.
	if err := clearOutputs(dir, t.Video.Source); err != nil {
		m.finishWithError(t, err)
		return
	}
	if err := m.runStages(ctx, t, v); err != nil {
		m.finishWithError(t, err)
		return
	}
	for _, l := range m.cfg.Listeners {
		if err := l.VideoReady(ctx, v); err != nil {
			m.finishWithError(t, err)
			return
		}
	}
	hlsStatus := ""
	if v.EnableStream {
		hlsStatus = "COMPLETE"
		if !media.HasStream(dir) {
			hlsStatus = "ERROR"
		}
	} else {
		// No stream is kept: the source goes once the stages are done.
		if err := os.Remove(v.SourcePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log.Warn("remove source", "video_id", v.VideoID, "err", err)
		}
	}
	err = m.cfg.Store.MarkReady(context.Background(), t, hlsStatus, media.ListImages(dir), m.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		// Deleted while indexing, after the listeners heard it was ready:
		// tell them again that it is gone.
		m.afterVideoDeleted(t.IndexID, t.VideoID)
		return
	}
	if err != nil {
		m.finishWithError(t, err)
		return
	}
	m.log.Info("video ready", "task_id", t.ID, "video_id", t.VideoID, "duration", v.Duration,
		"took", time.Since(start).Round(time.Millisecond), "realtime", math.Round(v.Duration/time.Since(start).Seconds()))
}

// runStages runs the stages in order, turning their fractions into the
// task's progress percentage weighted by Stage.Weight.
func (m *Manager) runStages(ctx context.Context, t *store.Task, v *pipeline.Video) error {
	total := 0.0
	for _, s := range m.cfg.Stages {
		total += max(0, s.Weight())
	}
	if total == 0 {
		total = 1
	}
	done, lastSaved := 0.0, -1.0
	save := func(pct float64) {
		pct = math.Floor(min(99, pct))
		if pct <= lastSaved {
			return
		}
		lastSaved = pct
		if err := m.cfg.Store.SetProgress(ctx, t.ID, pct, m.cfg.Now()); err != nil && ctx.Err() == nil {
			m.log.Warn("save progress", "task_id", t.ID, "err", err)
		}
	}
	for _, s := range m.cfg.Stages {
		w := max(0, s.Weight())
		stageStart := time.Now()
		err := m.runStage(ctx, s, v, func(f float64) {
			save(100 * (done + w*min(1, max(0, f))) / total)
		})
		if err != nil {
			m.log.Info("stage failed", "task_id", t.ID, "stage", s.Name(), "err", err)
			return err
		}
		m.log.Debug("stage done", "task_id", t.ID, "stage", s.Name(), "took", time.Since(stageStart).Round(time.Millisecond))
		done += w
		save(100 * done / total)
	}
	return nil
}

// runStage runs one stage, turning a panic in it into an error: a bug met
// on one video fails that task instead of stopping the engine.
func (m *Manager) runStage(ctx context.Context, s pipeline.Stage, v *pipeline.Video, progress func(float64)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("stage panicked", "stage", s.Name(), "video_id", v.VideoID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("the %s stage failed unexpectedly (%v)", s.Name(), p)
		}
	}()
	return s.Run(ctx, v, progress)
}

// finishWithError fails the task, or, when the engine is shutting down,
// puts it back in the queue for the next start.
func (m *Manager) finishWithError(t *store.Task, err error) {
	bg := context.Background()
	if m.ctx.Err() != nil {
		if rerr := m.cfg.Store.Requeue(bg, t.ID, true, m.cfg.Now()); rerr != nil && !errors.Is(rerr, store.ErrNotFound) {
			m.log.Error("requeue task at shutdown", "task_id", t.ID, "err", rerr)
		}
		return
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, store.ErrNotFound) {
		// Deleted meanwhile: its rows are gone, so its files go too.
		if _, gerr := m.cfg.Store.GetTask(bg, t.ID); errors.Is(gerr, store.ErrNotFound) {
			m.discard(t.VideoID)
			return
		}
	}
	m.settle(t.ID, err)
}

// discard removes a deleted video's directory.
func (m *Manager) discard(videoID string) {
	if err := os.RemoveAll(m.videoDir(videoID)); err != nil {
		m.log.Warn("remove video files", "video_id", videoID, "err", err)
	}
}
