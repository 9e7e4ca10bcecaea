package ingest

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// Submission is a new task: an upload already on disk, or a URL to fetch.
type Submission struct {
	IndexID string
	// TmpPath is the uploaded file in TmpDir; Filename its client name.
	TmpPath  string
	Filename string
	Size     int64
	// VideoURL is set instead of TmpPath for downloads.
	VideoURL     string
	EnableStream bool
	UserMetadata map[string]any
}

// Created names the new task and its video.
type Created struct {
	TaskID  string
	VideoID string
}

// Submit turns a submission into a task. An upload moves into the video's
// directory before its rows exist; a crash in between leaves only a folder
// that the next start sweeps away.
func (m *Manager) Submit(ctx context.Context, s Submission) (*Created, error) {
	now := m.cfg.Now()
	c := &Created{TaskID: wire.NewID(), VideoID: wire.NewID()}
	dir := m.videoDir(c.VideoID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	status, source, filename := store.StatusValidating, "", s.Filename
	if s.VideoURL != "" {
		status = store.StatusUploading
		filename = urlFilename(s.VideoURL)
	} else {
		source = "source" + sourceExt(filename)
		if err := os.Rename(s.TmpPath, filepath.Join(dir, source)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	task := &store.Task{ID: c.TaskID, IndexID: s.IndexID, VideoID: c.VideoID, Status: status, VideoURL: s.VideoURL, CreatedAt: now, UpdatedAt: now}
	video := &store.Video{ID: c.VideoID, IndexID: s.IndexID, Filename: filename, Source: source, Size: s.Size,
		UserMetadata: s.UserMetadata, EnableStream: s.EnableStream, CreatedAt: now, UpdatedAt: now}
	if err := m.cfg.Store.CreateTask(ctx, task, video); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	m.startIntake(task.ID, s.VideoURL != "")
	return c, nil
}

// startIntake downloads (for video_url) and validates a task in the background.
func (m *Manager) startIntake(taskID string, download bool) {
	ctx, done := m.track(taskID)
	m.wg.Go(func() {
		defer done()
		var err error
		if download {
			err = m.download(ctx, taskID)
		}
		if err == nil {
			select {
			case m.probes <- struct{}{}:
				err = m.validate(ctx, taskID)
				<-m.probes
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		m.settle(taskID, err)
	})
}

// settle records the outcome of intake work: a StageError fails the task
// with its code; shutdown leaves the task for recovery.
func (m *Manager) settle(taskID string, err error) {
	if err == nil || m.ctx.Err() != nil || errors.Is(err, store.ErrNotFound) {
		return
	}
	var se *pipeline.StageError
	if !errors.As(err, &se) {
		if errors.Is(err, context.Canceled) {
			return // the task was deleted
		}
		m.log.Error("task intake", "task_id", taskID, "err", err)
		se = &pipeline.StageError{Code: "internal_error", Message: "The engine could not process the video; the reason is in the engine's log."}
	}
	// The log keeps the whole text; the API's message has no paths or
	// ffmpeg internals.
	reason := pipeline.PublicReason(se.Message)
	if err := m.cfg.Store.Fail(context.Background(), taskID, se.Code, reason, m.cfg.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		m.log.Error("fail task", "task_id", taskID, "err", err)
	}
	m.log.Info("task failed", "task_id", taskID, "code", se.Code, "reason", se.Message)
}

// validate probes the source: a usable video moves on to the queue.
func (m *Manager) validate(ctx context.Context, taskID string) error {
	t, err := m.cfg.Store.GetTask(ctx, taskID)
	if err != nil {
		return err
	}
	if t.Status != store.StatusValidating {
		if err := m.cfg.Store.SetStatus(ctx, taskID, store.StatusValidating, 0, m.cfg.Now()); err != nil {
			return err
		}
	}
	info, err := m.cfg.Tools.Probe(ctx, filepath.Join(m.videoDir(t.VideoID), t.Video.Source))
	var pe *media.ProbeError
	if errors.As(err, &pe) {
		return &pipeline.StageError{Code: "video_file_broken", Message: "The file could not be read as a video (" + pe.Detail + ")."}
	}
	if err != nil {
		return err
	}
	if se := Validate(info); se != nil {
		return se
	}
	probe := store.ProbeResult{Duration: info.Duration, FPS: info.FPS, Width: info.Width, Height: info.Height, Size: t.Video.Size, HasAudio: info.HasAudio}
	if err := m.cfg.Store.SetProbe(ctx, t.VideoID, probe, m.cfg.Now()); err != nil {
		return err
	}
	if err := m.cfg.Store.SetStatus(ctx, taskID, store.StatusPending, 0, m.cfg.Now()); err != nil {
		return err
	}
	if err := m.cfg.Store.SetStatus(ctx, taskID, store.StatusQueued, 0, m.cfg.Now()); err != nil {
		return err
	}
	m.notify()
	return nil
}

// sourceExt keeps a safe extension of the client's file name so ffmpeg can
// use it as a hint.
func sourceExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) < 2 || len(ext) > 6 {
		return ""
	}
	for _, r := range ext[1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return ext
}

func urlFilename(raw string) string {
	base := path.Base(strings.SplitN(strings.SplitN(raw, "?", 2)[0], "#", 2)[0])
	if base == "." || base == "/" || base == "" || strings.Contains(base, ":") {
		return "video"
	}
	return base
}
