package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Model is one model of an index and the modalities it analyzes.
type Model struct {
	Name    string   `json:"model_name"`
	Options []string `json:"model_options"`
}

// Index is an index row with its ready-video totals.
type Index struct {
	ID            string
	Name          string
	Models        []Model
	Addons        []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	VideoCount    int
	TotalDuration float64
}

// CreateIndex inserts ix; a taken name is ErrNameTaken.
func (s *Store) CreateIndex(ctx context.Context, ix *Index) error {
	if ix.Addons == nil {
		ix.Addons = []string{}
	}
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO indexes (id, name, models, addons, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ix.ID, ix.Name, mustJSON(ix.Models), mustJSON(ix.Addons), nanos(ix.CreatedAt), nanos(ix.UpdatedAt))
	if isUnique(err) {
		return ErrNameTaken
	}
	return err
}

const indexColumns = `i.id, i.name, i.models, i.addons, i.created_at, i.updated_at,
	(SELECT COUNT(*) FROM videos v WHERE v.index_id = i.id AND v.ready = 1),
	(SELECT COALESCE(SUM(v.duration), 0) FROM videos v WHERE v.index_id = i.id AND v.ready = 1)`

func scanIndex(sc interface{ Scan(...any) error }) (*Index, error) {
	var ix Index
	var models, addons string
	var created, updated int64
	if err := sc.Scan(&ix.ID, &ix.Name, &models, &addons, &created, &updated, &ix.VideoCount, &ix.TotalDuration); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(models), &ix.Models); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(addons), &ix.Addons); err != nil {
		return nil, err
	}
	ix.CreatedAt, ix.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &ix, nil
}

// GetIndex returns the index with id, or ErrNotFound.
func (s *Store) GetIndex(ctx context.Context, id string) (*Index, error) {
	ix, err := scanIndex(s.db.QueryRowContext(ctx, `SELECT `+indexColumns+` FROM indexes i WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return ix, err
}

// ListIndexes returns one page of indexes, optionally only those named name,
// and the total number that match.
func (s *Store) ListIndexes(ctx context.Context, name string, p Page) ([]Index, int, error) {
	where, args := "", []any{}
	if name != "" {
		where, args = " WHERE i.name = ?", append(args, name)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM indexes i`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+indexColumns+` FROM indexes i`+where+p.orderBy("i."), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Index{}
	for rows.Next() {
		ix, err := scanIndex(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *ix)
	}
	return out, total, rows.Err()
}

// RenameIndex changes an index's name.
func (s *Store) RenameIndex(ctx context.Context, id, name string, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE indexes SET name = ?, updated_at = ? WHERE id = ?`, name, nanos(now), id)
	if isUnique(err) {
		return ErrNameTaken
	}
	if err != nil {
		return err
	}
	return oneRow(res)
}

// DeleteIndex removes an index with its videos and tasks and returns the
// ids of the removed videos, whose directories the caller deletes.
func (s *Store) DeleteIndex(ctx context.Context, id string) ([]string, error) {
	var videos []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM videos WHERE index_id = ?`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			videos = append(videos, v)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `DELETE FROM tasks WHERE index_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM videos WHERE index_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM indexes WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return oneRow(res)
	})
	return videos, err
}

func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
