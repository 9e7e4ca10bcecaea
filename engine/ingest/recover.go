package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"glimpse/engine/store"
)

// recover brings back what the last run left unfinished: downloads and
// validations start over, pending tasks are queued, interrupted indexing is
// redone from a clean directory (or failed once it has been tried
// MaxAttempts times), and folders with no video row are removed.
func (m *Manager) recover(ctx context.Context) error {
	ids, err := m.cfg.Store.VideoIDs(ctx)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(m.cfg.VideosDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !ids[e.Name()] {
			m.log.Info("remove orphaned video folder", "dir", e.Name())
			if err := os.RemoveAll(filepath.Join(m.cfg.VideosDir, e.Name())); err != nil {
				return err
			}
		}
	}
	tasks, err := m.cfg.Store.Unfinished(ctx)
	if err != nil {
		return err
	}
	now := m.cfg.Now()
	for _, t := range tasks {
		switch t.Status {
		case store.StatusUploading:
			m.log.Info("resume download", "task_id", t.ID)
			m.startIntake(t.ID, true)
		case store.StatusValidating:
			m.log.Info("resume validation", "task_id", t.ID)
			m.startIntake(t.ID, false)
		case store.StatusPending:
			err = m.cfg.Store.SetStatus(ctx, t.ID, store.StatusQueued, 0, now)
		case store.StatusIndexing:
			if t.Attempts >= m.cfg.MaxAttempts {
				m.log.Warn("fail interrupted task", "task_id", t.ID, "attempts", t.Attempts)
				err = m.cfg.Store.Fail(ctx, t.ID, "indexing_interrupted",
					fmt.Sprintf("Indexing was interrupted %d times by an engine stop; the video was not retried again.", t.Attempts), now)
				break
			}
			m.log.Info("redo interrupted task", "task_id", t.ID)
			if err = clearOutputs(m.videoDir(t.VideoID), t.Video.Source); err == nil {
				err = m.cfg.Store.Requeue(ctx, t.ID, false, now)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
