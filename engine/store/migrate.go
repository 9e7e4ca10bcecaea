package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrations are the schema's steps, migrations/NNNN_name.sql, applied in
// order; PRAGMA user_version holds how many a database has had. A step is
// never edited once shipped: a change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one numbered step.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	files, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		num, _, ok := strings.Cut(f.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", f.Name())
		}
		b, err := migrations.ReadFile(path.Join("migrations", f.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: f.Name(), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate brings the database to the newest schema, each step in its own
// transaction with foreign keys off (a table rebuild must not cascade),
// checked before it commits. A database from a newer engine is refused.
func migrate(ctx context.Context, db *sql.DB) error {
	steps, err := loadMigrations()
	if err != nil {
		return err
	}
	// foreign_keys is per connection and ignored inside a transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)

	current, err := userVersion(ctx, conn)
	if err != nil {
		return err
	}
	if current == 0 {
		if current, err = adoptUnnumbered(ctx, conn); err != nil {
			return err
		}
	}
	if current > len(steps) {
		return fmt.Errorf("the database is at schema %d, newer than this engine knows (%d): run a newer engine", current, len(steps))
	}
	for _, m := range steps[current:] {
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	broken := rows.Next()
	rows.Close()
	if broken {
		return fmt.Errorf("it leaves rows that break a foreign key")
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA user_version = `+strconv.Itoa(m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

func userVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	var v int
	err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, err
}

// adoptUnnumbered finds where a database made before migrations were
// numbered stands: empty (0), the first schema (1), or with tasks already
// detached from videos (2).
func adoptUnnumbered(ctx context.Context, conn *sql.Conn) (int, error) {
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'tasks'`).Scan(&tables); err != nil || tables == 0 {
		return 0, err
	}
	var hasFilename int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('tasks') WHERE name = 'filename'`).Scan(&hasFilename); err != nil {
		return 0, err
	}
	version := 1
	if hasFilename > 0 {
		version = 2
	}
	_, err := conn.ExecContext(ctx, `PRAGMA user_version = `+strconv.Itoa(version))
	return version, err
}
