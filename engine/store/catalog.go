package store

import (
	"context"
	"errors"
	"path/filepath"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

var _ pipeline.Catalog = (*Store)(nil)

// VideoDir is the directory that holds everything of one video.
func (s *Store) VideoDir(videoID string) string { return filepath.Join(s.videosDir, videoID) }

func (s *Store) meta(v *Video) pipeline.VideoMeta {
	return pipeline.VideoMeta{
		IndexID: v.IndexID, VideoID: v.ID, Filename: v.Filename, Title: v.Title,
		Duration: v.Duration, Width: v.Width, Height: v.Height, FPS: v.FPS, Size: v.Size,
		UserMetadata: v.UserMetadata, Dir: s.VideoDir(v.ID), Ready: v.Ready, CreatedAt: v.CreatedAt,
	}
}

// ReadyVideos lists every ready video of every index.
func (s *Store) ReadyVideos(ctx context.Context) ([]pipeline.VideoMeta, error) {
	videos, _, err := s.queryVideos(ctx, 0, `SELECT `+videoColumns+` FROM videos v WHERE v.ready = 1 ORDER BY v.created_at, v.id`)
	if err != nil {
		return nil, err
	}
	out := make([]pipeline.VideoMeta, len(videos))
	for i := range videos {
		out[i] = s.meta(&videos[i])
	}
	return out, nil
}

// FindVideo looks a video up by id alone; a missing one is wire.NotFound.
func (s *Store) FindVideo(ctx context.Context, videoID string) (*pipeline.VideoMeta, error) {
	v, err := s.videoByID(ctx, videoID)
	if errors.Is(err, ErrNotFound) {
		return nil, wire.NotFound("The video " + videoID + " does not exist.")
	}
	if err != nil {
		return nil, err
	}
	m := s.meta(v)
	return &m, nil
}

// IndexExists reports whether indexID names an index.
func (s *Store) IndexExists(ctx context.Context, indexID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM indexes WHERE id = ?`, indexID).Scan(&n)
	return n > 0, err
}

// IndexModels names the models of an index.
func (s *Store) IndexModels(ctx context.Context, indexID string) ([]string, error) {
	ix, err := s.GetIndex(ctx, indexID)
	if errors.Is(err, ErrNotFound) {
		return nil, wire.NotFound("The index " + indexID + " does not exist.")
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ix.Models))
	for i, m := range ix.Models {
		names[i] = m.Name
	}
	return names, nil
}
