package store

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// schemaOf is the database's tables and indexes as SQLite keeps them.
func schemaOf(t *testing.T, path string) (string, int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var name, text string
		rows.Scan(&name, &text)
		b.WriteString(name + ": " + strings.Join(strings.Fields(text), " ") + "\n")
	}
	var version int
	db.QueryRow(`PRAGMA user_version`).Scan(&version)
	return b.String(), version
}

// Every way a database can start ends at the same newest schema, keeping
// its rows; one from a newer engine is refused.
func TestMigrations(t *testing.T) {
	steps, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := len(steps)
	fresh := filepath.Join(t.TempDir(), "engine.db")
	st, err := Open(fresh, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	want, version := schemaOf(t, fresh)
	if version != latest {
		t.Fatalf("an empty database is at schema %d, want %d", version, latest)
	}
	if strings.Contains(want, "REFERENCES videos") {
		t.Errorf("tasks still go with their videos:\n%s", want)
	}

	tests := []struct {
		name  string
		setup string // run on an empty file before Open
		// rows that must survive, as "SELECT COUNT(*) ..." answering 1
		keep    string
		wantErr string
	}{
		{name: "empty"},
		{name: "first schema, unnumbered", setup: steps[0].sql + `
INSERT INTO indexes VALUES ('ix', 'old', '[]', '[]', 1, 1);
INSERT INTO videos (id, index_id, filename, created_at, updated_at) VALUES ('v1', 'ix', 'a.mp4', 1, 1);
INSERT INTO tasks (id, index_id, video_id, status, created_at, updated_at) VALUES ('t1', 'ix', 'v1', 'ready', 1, 1);`,
			keep: `SELECT COUNT(*) FROM tasks WHERE id = 't1' AND video_id = 'v1'`},
		{name: "current schema, unnumbered", setup: steps[0].sql + steps[1].sql + `
PRAGMA user_version = 0;
INSERT INTO indexes VALUES ('ix', 'old', '[]', '[]', 1, 1);
INSERT INTO tasks (id, index_id, video_id, status, created_at, updated_at, filename, duration) VALUES ('t1', 'ix', 'gone', 'ready', 1, 1, 'a.mp4', 12.5);`,
			keep: `SELECT COUNT(*) FROM tasks WHERE id = 't1' AND filename = 'a.mp4' AND duration = 12.5`},
		{name: "newer engine", setup: `PRAGMA user_version = 99;`, wantErr: "newer than this engine knows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "engine.db")
			if tt.setup != "" {
				db, err := sql.Open("sqlite", "file:"+path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(tt.setup); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			for range 2 { // the second open finds nothing to do
				st, err := Open(path, t.TempDir())
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("open: %v, want an error saying %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if tt.keep != "" {
					var n int
					if err := st.db.QueryRow(tt.keep).Scan(&n); err != nil || n != 1 {
						t.Errorf("rows lost: %s answered %d %v", tt.keep, n, err)
					}
				}
				st.Close()
			}
			got, version := schemaOf(t, path)
			if version != latest || got != want {
				t.Errorf("schema %d:\n%s\nwant %d:\n%s", version, got, latest, want)
			}
		})
	}
}
