package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Task statuses, as the live service names them.
const (
	StatusUploading  = "uploading"
	StatusValidating = "validating"
	StatusPending    = "pending"
	StatusQueued     = "queued"
	StatusIndexing   = "indexing"
	StatusReady      = "ready"
	StatusFailed     = "failed"
)

// Task is a task row with its video.
type Task struct {
	ID             string
	IndexID        string
	VideoID        string
	Status         string
	Progress       float64
	FailureCode    string
	FailureMessage string
	// VideoURL is where the video is downloaded from, "" for uploads.
	VideoURL  string
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
	// Video is the task's video; once VideoDeleted, only its ID, IndexID,
	// Filename, Duration, Width and Height are left, copied into the task.
	Video        Video
	VideoDeleted bool
}

// ErrTaskUnfinished refuses to delete a task that is still being indexed.
var ErrTaskUnfinished = errors.New("store: task is neither ready nor failed")

// ErrTaskVideoIndexed refuses to delete a ready task whose video is still
// in its index: the documented order deletes the video first.
var ErrTaskVideoIndexed = errors.New("store: the task's video is still indexed")

// taskColumns are the task's columns, then its video's (videoColumns, in
// order) or, once the video is deleted, what the task kept of it.
const taskColumns = `t.id, t.index_id, t.video_id, t.status, t.progress, t.failure_code, t.failure_message,
	t.video_url, t.attempts, t.created_at, t.updated_at,
	t.video_id, t.index_id, COALESCE(v.filename, t.filename), COALESCE(v.title, ''), COALESCE(v.duration, t.duration),
	COALESCE(v.fps, 0), COALESCE(v.width, t.width), COALESCE(v.height, t.height), COALESCE(v.size, 0),
	COALESCE(v.has_audio, 0), COALESCE(v.source, ''), COALESCE(v.user_metadata, '{}'), COALESCE(v.enable_stream, 0),
	COALESCE(v.hls_status, ''), COALESCE(v.thumbnails, '[]'), COALESCE(v.ready, 0),
	COALESCE(v.created_at, t.created_at), COALESCE(v.updated_at, t.updated_at), COALESCE(v.indexed_at, 0),
	v.id IS NULL`

func scanTask(sc interface{ Scan(...any) error }) (*Task, error) {
	var t Task
	var created, updated int64
	v, err := scanVideo(scanAround{sc: sc, prefix: []any{&t.ID, &t.IndexID, &t.VideoID, &t.Status, &t.Progress,
		&t.FailureCode, &t.FailureMessage, &t.VideoURL, &t.Attempts, &created, &updated}, suffix: []any{&t.VideoDeleted}})
	if err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromNanos(created), fromNanos(updated)
	t.Video = *v
	return &t, nil
}

// scanAround lets scanVideo fill the video columns between the task's own.
type scanAround struct {
	sc             interface{ Scan(...any) error }
	prefix, suffix []any
}

func (p scanAround) Scan(dest ...any) error {
	return p.sc.Scan(append(append(append([]any{}, p.prefix...), dest...), p.suffix...)...)
}

const taskFrom = ` FROM tasks t LEFT JOIN videos v ON v.id = t.video_id`

// CreateTask inserts a task and its video in one transaction.
func (s *Store) CreateTask(ctx context.Context, t *Task, v *Video) error {
	if v.UserMetadata == nil {
		v.UserMetadata = map[string]any{}
	}
	if v.Thumbnails == nil {
		v.Thumbnails = []string{}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO videos (id, index_id, filename, title, size, source, user_metadata, enable_stream, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.IndexID, v.Filename, v.Title, v.Size, v.Source, mustJSON(v.UserMetadata), v.EnableStream, nanos(v.CreatedAt), nanos(v.UpdatedAt)); err != nil {
			if isForeignKey(err) {
				return ErrNotFound // the index was deleted after the caller checked it
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, index_id, video_id, status, video_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.IndexID, t.VideoID, t.Status, t.VideoURL, nanos(t.CreatedAt), nanos(t.UpdatedAt))
		return err
	})
}

// GetTask returns the task with id, or ErrNotFound.
func (s *Store) GetTask(ctx context.Context, id string) (*Task, error) {
	t, err := scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// TaskFilter narrows ListTasks; empty fields match everything.
type TaskFilter struct {
	IndexID  string
	Statuses []string
	Filename string
}

// ListTasks returns one page of tasks and the total that match.
func (s *Store) ListTasks(ctx context.Context, f TaskFilter, p Page) ([]Task, int, error) {
	var conds []string
	var args []any
	if f.IndexID != "" {
		conds, args = append(conds, "t.index_id = ?"), append(args, f.IndexID)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "t.status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Filename != "" {
		conds, args = append(conds, "COALESCE(v.filename, t.filename) = ?"), append(args, f.Filename)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+taskFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+where+p.orderBy("t."), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *t)
	}
	return out, total, rows.Err()
}

// SetStatus moves a task to status with the given progress.
func (s *Store) SetStatus(ctx context.Context, id, status string, progress float64, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE tasks SET status = ?, progress = ?, updated_at = ? WHERE id = ?`, status, progress, nanos(now), id)
	if err != nil {
		return err
	}
	return oneRow(res)
}

// SetProgress records an indexing task's progress percentage.
func (s *Store) SetProgress(ctx context.Context, id string, progress float64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE tasks SET progress = ?, updated_at = ? WHERE id = ? AND status = ?`, progress, nanos(now), id, StatusIndexing)
	return err
}

// Fail marks a task failed with a live error code and a readable message.
func (s *Store) Fail(ctx context.Context, id, code, message string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET status = ?, failure_code = ?, failure_message = ?, updated_at = ? WHERE id = ?`,
			StatusFailed, code, message, nanos(now), id)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE videos SET hls_status = CASE WHEN hls_status = '' THEN '' ELSE 'ERROR' END, updated_at = ?
			WHERE id = (SELECT video_id FROM tasks WHERE id = ?)`, nanos(now), id)
		return err
	})
}

// ClaimQueued moves the oldest queued task to indexing and returns it, or
// ErrNotFound when none is queued. Attempts counts the claims.
func (s *Store) ClaimQueued(ctx context.Context, now time.Time) (*Task, error) {
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE tasks SET status = ?, progress = 0, attempts = attempts + 1, updated_at = ?
			WHERE seq = (SELECT seq FROM tasks WHERE status = ? ORDER BY seq LIMIT 1) RETURNING id`,
			StatusIndexing, nanos(now), StatusQueued).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE videos SET hls_status = CASE WHEN enable_stream = 1 THEN 'PROCESSING' ELSE '' END
			WHERE id = (SELECT video_id FROM tasks WHERE id = ?)`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetTask(ctx, id)
}

// MarkReady marks the task ready and its video indexed, in one transaction.
// ErrNotFound means the task was deleted meanwhile.
func (s *Store) MarkReady(ctx context.Context, t *Task, hlsStatus string, thumbnails []string, now time.Time) error {
	if thumbnails == nil {
		thumbnails = []string{}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET status = ?, progress = 100, updated_at = ? WHERE id = ? AND status = ?`,
			StatusReady, nanos(now), t.ID, StatusIndexing)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE videos SET ready = 1, hls_status = ?, thumbnails = ?, updated_at = ?, indexed_at = ? WHERE id = ?`,
			hlsStatus, mustJSON(thumbnails), nanos(now), nanos(now), t.VideoID)
		return err
	})
}

// Unfinished lists the tasks that are neither ready nor failed, oldest
// first, for crash recovery.
func (s *Store) Unfinished(ctx context.Context) ([]Task, error) {
	tasks, _, err := s.ListTasks(ctx, TaskFilter{Statuses: []string{StatusUploading, StatusValidating, StatusPending, StatusQueued, StatusIndexing}},
		Page{Limit: -1})
	return tasks, err
}

// DeleteTask removes a ready or failed task and returns its index's and
// video's ids. A failed task's video was never indexed and goes with it
// (videoDeleted); a ready task's video must have been deleted before.
func (s *Store) DeleteTask(ctx context.Context, id string) (indexID, videoID string, videoDeleted bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		var videoReady sql.NullBool
		err := tx.QueryRowContext(ctx, `SELECT t.index_id, t.video_id, t.status, v.ready FROM tasks t LEFT JOIN videos v ON v.id = t.video_id WHERE t.id = ?`, id).
			Scan(&indexID, &videoID, &status, &videoReady)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case status != StatusReady && status != StatusFailed:
			return ErrTaskUnfinished
		case videoReady.Valid && videoReady.Bool:
			return ErrTaskVideoIndexed
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tasks WHERE id = ?`, id); err != nil {
			return err
		}
		if !videoReady.Valid {
			return nil // deleted first
		}
		videoDeleted = true
		_, err = tx.ExecContext(ctx, `DELETE FROM videos WHERE id = ?`, videoID)
		return err
	})
	return indexID, videoID, videoDeleted, err
}

// Requeue puts a task back in the queue with no progress. refund undoes the
// attempt that was counted when it was claimed (a graceful shutdown is not
// the video's fault).
func (s *Store) Requeue(ctx context.Context, id string, refund bool, now time.Time) error {
	dec := 0
	if refund {
		dec = 1
	}
	res, err := s.db.ExecContext(ctx, `UPDATE tasks SET status = ?, progress = 0, attempts = MAX(0, attempts - ?), updated_at = ? WHERE id = ?`,
		StatusQueued, dec, nanos(now), id)
	if err != nil {
		return err
	}
	return oneRow(res)
}

// VideoIDs lists the ids of every video row, for sweeping orphaned folders.
func (s *Store) VideoIDs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM videos`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}
