package ingest

import (
	"context"
)

// DeleteTask removes a ready or failed task, with its video and files when
// the video was never indexed (store.DeleteTask says which it refuses).
func (m *Manager) DeleteTask(ctx context.Context, taskID string) error {
	indexID, videoID, videoDeleted, err := m.cfg.Store.DeleteTask(ctx, taskID)
	if err != nil {
		return err
	}
	if videoDeleted {
		m.afterVideoDeleted(indexID, videoID)
	}
	return nil
}

// DeleteVideo removes a video with its task and files.
func (m *Manager) DeleteVideo(ctx context.Context, indexID, videoID string) error {
	tasks, err := m.cfg.Store.DeleteVideo(ctx, indexID, videoID)
	if err != nil {
		return err
	}
	for _, id := range tasks {
		m.stop(id)
	}
	m.afterVideoDeleted(indexID, videoID)
	return nil
}

// DeleteIndex removes an index with its videos, tasks and files.
func (m *Manager) DeleteIndex(ctx context.Context, indexID string) error {
	m.mu.Lock()
	running := make([]string, 0, len(m.running))
	for id := range m.running {
		running = append(running, id)
	}
	m.mu.Unlock()
	videos, err := m.cfg.Store.DeleteIndex(ctx, indexID)
	if err != nil {
		return err
	}
	// Tasks whose rows are gone stop; the rest carry on.
	for _, id := range running {
		if _, err := m.cfg.Store.GetTask(ctx, id); err != nil {
			m.stop(id)
		}
	}
	for _, v := range videos {
		m.discard(v)
	}
	for _, l := range m.cfg.Listeners {
		l.IndexDeleted(indexID)
	}
	return nil
}

func (m *Manager) afterVideoDeleted(indexID, videoID string) {
	m.discard(videoID)
	for _, l := range m.cfg.Listeners {
		l.VideoDeleted(indexID, videoID)
	}
}
