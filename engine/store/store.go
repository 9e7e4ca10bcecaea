// Package store keeps the engine's indexes, videos and tasks in SQLite (WAL).
// Every change that spans rows happens in one transaction, so a crash leaves
// either the old state or the new one, never half of each.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// ErrNotFound is returned when the named row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrNameTaken is returned when an index name is already used.
var ErrNameTaken = errors.New("store: index name already exists")

// Store is the engine's database.
type Store struct {
	db *sql.DB
	// videosDir is where each video's directory lives, <videosDir>/<video_id>.
	videosDir string
}

// Open opens (creating if needed) the database at path. videosDir is the
// folder holding one directory per video; Catalog answers with paths in it.
func Open(path, videosDir string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if err := migrate(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Store{db: db, videosDir: videosDir}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on maps and slices of plain values
	}
	return string(b)
}

// Page selects a window of a list.
type Page struct {
	Limit  int
	Offset int
	// SortBy is "created_at" or "updated_at"; Desc reverses.
	SortBy string
	Desc   bool
}

func (p Page) orderBy(prefix string) string {
	col := "created_at"
	if p.SortBy == "updated_at" {
		col = "updated_at"
	}
	dir := "ASC"
	if p.Desc {
		dir = "DESC"
	}
	tie := "id"
	if prefix == "t." {
		tie = "seq"
	}
	return fmt.Sprintf(" ORDER BY %s%s %s, %s%s %s LIMIT %d OFFSET %d", prefix, col, dir, prefix, tie, dir, p.Limit, p.Offset)
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
