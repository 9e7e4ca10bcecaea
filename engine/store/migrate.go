package store

import (
	"context"
	"database/sql"
	"strings"
)

// tasksColumnsV1 are the columns of the tasks table before tasks outlived
// their videos.
const tasksColumnsV1 = `seq, id, index_id, video_id, status, progress, failure_code, failure_message, video_url, attempts, created_at, updated_at`

// detachTasksFromVideos rebuilds a tasks table made when video_id was a
// foreign key that deleted a video's tasks with it (SQLite cannot drop a
// constraint in place). Tasks whose video was already gone were deleted
// then, so every row keeps its video and needs no copy of its metadata.
func detachTasksFromVideos(ctx context.Context, db *sql.DB) error {
	var refs int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_list('tasks') WHERE "table" = 'videos'`).Scan(&refs); err != nil {
		return err
	}
	if refs == 0 {
		return nil
	}
	// foreign_keys is per connection and ignored inside a transaction: one
	// connection turns it off around the rebuild, or DROP TABLE would
	// delete rows through the cascade.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		strings.Replace(tasksTable, "tasks (", "tasks_detached (", 1),
		`INSERT INTO tasks_detached (` + tasksColumnsV1 + `) SELECT ` + tasksColumnsV1 + ` FROM tasks`,
		`DROP TABLE tasks`,
		`ALTER TABLE tasks_detached RENAME TO tasks`,
		`CREATE INDEX tasks_status ON tasks(status, seq)`,
		`CREATE INDEX tasks_index ON tasks(index_id, seq)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}
