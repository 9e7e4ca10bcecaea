package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Video is a video row. A video exists from its task's creation on, but only
// a Ready one is listed or retrievable through the API.
type Video struct {
	ID       string
	IndexID  string
	Filename string
	Title    string
	Duration float64
	FPS      float64
	Width    int
	Height   int
	Size     int64
	HasAudio bool
	// Source is the uploaded file's name inside the video's directory.
	Source       string
	UserMetadata map[string]any
	EnableStream bool
	// HLSStatus is the live hls.status: PROCESSING, COMPLETE, ERROR, or ""
	// when the video keeps no stream.
	HLSStatus string
	// Thumbnails are file names relative to the video's directory.
	Thumbnails []string
	Ready      bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	IndexedAt  time.Time
}

const videoColumns = `v.id, v.index_id, v.filename, v.title, v.duration, v.fps, v.width, v.height, v.size,
	v.has_audio, v.source, v.user_metadata, v.enable_stream, v.hls_status, v.thumbnails, v.ready,
	v.created_at, v.updated_at, v.indexed_at`

func scanVideo(sc interface{ Scan(...any) error }) (*Video, error) {
	var v Video
	var meta, thumbs string
	var created, updated, indexed int64
	if err := sc.Scan(&v.ID, &v.IndexID, &v.Filename, &v.Title, &v.Duration, &v.FPS, &v.Width, &v.Height, &v.Size,
		&v.HasAudio, &v.Source, &meta, &v.EnableStream, &v.HLSStatus, &thumbs, &v.Ready,
		&created, &updated, &indexed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(meta), &v.UserMetadata); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(thumbs), &v.Thumbnails); err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt, v.IndexedAt = fromNanos(created), fromNanos(updated), fromNanos(indexed)
	return &v, nil
}

// GetVideo returns a video of an index, ready or not, or ErrNotFound.
func (s *Store) GetVideo(ctx context.Context, indexID, videoID string) (*Video, error) {
	v, err := scanVideo(s.db.QueryRowContext(ctx, `SELECT `+videoColumns+` FROM videos v WHERE v.id = ? AND v.index_id = ?`, videoID, indexID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return v, err
}

func (s *Store) videoByID(ctx context.Context, videoID string) (*Video, error) {
	v, err := scanVideo(s.db.QueryRowContext(ctx, `SELECT `+videoColumns+` FROM videos v WHERE v.id = ?`, videoID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return v, err
}

// ListVideos returns one page of an index's ready videos, optionally only
// those with the given file name, and their total.
func (s *Store) ListVideos(ctx context.Context, indexID, filename string, p Page) ([]Video, int, error) {
	where, args := ` WHERE v.index_id = ? AND v.ready = 1`, []any{indexID}
	if filename != "" {
		where, args = where+` AND v.filename = ?`, append(args, filename)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM videos v`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	return s.queryVideos(ctx, total, `SELECT `+videoColumns+` FROM videos v`+where+p.orderBy("v."), args...)
}

func (s *Store) queryVideos(ctx context.Context, total int, query string, args ...any) ([]Video, int, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Video{}
	for rows.Next() {
		v, err := scanVideo(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *v)
	}
	return out, total, rows.Err()
}

// ProbeResult is what validation learned of the uploaded file.
type ProbeResult struct {
	Duration float64
	FPS      float64
	Width    int
	Height   int
	Size     int64
	HasAudio bool
}

// SetProbe records a validated file's properties on its video.
func (s *Store) SetProbe(ctx context.Context, videoID string, p ProbeResult, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE videos SET duration = ?, fps = ?, width = ?, height = ?, size = ?, has_audio = ?, updated_at = ? WHERE id = ?`,
		p.Duration, p.FPS, p.Width, p.Height, p.Size, p.HasAudio, nanos(now), videoID)
	if err != nil {
		return err
	}
	return oneRow(res)
}

// SetSource records the uploaded file's name and size once it is on disk.
func (s *Store) SetSource(ctx context.Context, videoID, source string, size int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE videos SET source = ?, size = ? WHERE id = ?`, source, size, videoID)
	if err != nil {
		return err
	}
	return oneRow(res)
}

// UpdateVideo sets the title when title is non-nil and merges patch into the
// user metadata; a nil value in patch deletes its key.
func (s *Store) UpdateVideo(ctx context.Context, indexID, videoID string, title *string, patch map[string]any, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var metaJSON string
		err := tx.QueryRowContext(ctx, `SELECT user_metadata FROM videos WHERE id = ? AND index_id = ? AND ready = 1`, videoID, indexID).Scan(&metaJSON)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		meta := map[string]any{}
		if err := json.Unmarshal([]byte(metaJSON), &meta); err != nil {
			return err
		}
		for k, v := range patch {
			if v == nil {
				delete(meta, k)
			} else {
				meta[k] = v
			}
		}
		if title != nil {
			_, err = tx.ExecContext(ctx, `UPDATE videos SET title = ?, user_metadata = ?, updated_at = ? WHERE id = ?`, *title, mustJSON(meta), nanos(now), videoID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE videos SET user_metadata = ?, updated_at = ? WHERE id = ?`, mustJSON(meta), nanos(now), videoID)
		}
		return err
	})
}

// DeleteVideo removes a video with its unfinished task, whose id it
// returns for the caller to cancel; a ready or failed task stays.
func (s *Store) DeleteVideo(ctx context.Context, indexID, videoID string) ([]string, error) {
	var unfinished []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM videos WHERE id = ? AND index_id = ?`, videoID, indexID).Scan(&exists)
		if err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM tasks WHERE video_id = ? AND status NOT IN (?, ?) RETURNING id`, videoID, StatusReady, StatusFailed)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			unfinished = append(unfinished, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A finished task stays until it is deleted and keeps what it shows
		// of its video.
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET (filename, duration, width, height) =
			(SELECT filename, duration, width, height FROM videos WHERE id = ?) WHERE video_id = ?`, videoID, videoID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM videos WHERE id = ?`, videoID)
		return err
	})
	return unfinished, err
}
