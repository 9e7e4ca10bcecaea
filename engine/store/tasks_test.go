package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestCreateTaskIndexGone: an index deleted between the API's existence
// check and the insert is ErrNotFound (a 404 for the client), not a
// constraint failure (a 500), and leaves no rows behind.
func TestCreateTaskIndexGone(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(filepath.Join(dir, "engine.db"), filepath.Join(dir, "videos"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, now := t.Context(), time.Now()
	ix := &Index{ID: "aaaaaaaaaaaaaaaaaaaaaaaa", Name: "kept", Models: []Model{{Name: "marengo2.7", Options: []string{"visual"}}}, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateIndex(ctx, ix); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		indexID string
		want    error
	}{
		{"index exists", ix.ID, nil},
		{"index gone", "bbbbbbbbbbbbbbbbbbbbbbbb", ErrNotFound},
	} {
		tk := &Task{ID: c.name + "-task", IndexID: c.indexID, VideoID: c.name + "-video", Status: StatusValidating, CreatedAt: now, UpdatedAt: now}
		v := &Video{ID: tk.VideoID, IndexID: c.indexID, Filename: "a.mp4", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateTask(ctx, tk, v); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	ids, err := st.VideoIDs(ctx)
	if err != nil || len(ids) != 1 {
		t.Errorf("videos left: %v %v", ids, err)
	}
}

// TestDetachTasksFromVideos: a database made when deleting a video deleted
// its tasks is rebuilt on open without losing a task, and afterwards a
// ready task outlives its video.
func TestDetachTasksFromVideos(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "engine.db")
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`
CREATE TABLE indexes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, models TEXT NOT NULL, addons TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE videos (id TEXT PRIMARY KEY, index_id TEXT NOT NULL REFERENCES indexes(id) ON DELETE CASCADE, filename TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '', duration REAL NOT NULL DEFAULT 0, fps REAL NOT NULL DEFAULT 0, width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0, has_audio INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT '',
	user_metadata TEXT NOT NULL DEFAULT '{}', enable_stream INTEGER NOT NULL DEFAULT 1, hls_status TEXT NOT NULL DEFAULT '',
	thumbnails TEXT NOT NULL DEFAULT '[]', ready INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
	indexed_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
	index_id TEXT NOT NULL REFERENCES indexes(id) ON DELETE CASCADE, video_id TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
	status TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, failure_code TEXT NOT NULL DEFAULT '', failure_message TEXT NOT NULL DEFAULT '',
	video_url TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
INSERT INTO indexes VALUES ('ix', 'old', '[]', '[]', 1, 1);
INSERT INTO videos (id, index_id, filename, duration, width, height, ready, created_at, updated_at) VALUES
	('v1', 'ix', 'a.mp4', 12.5, 640, 360, 1, 1, 1), ('v2', 'ix', 'b.mp4', 0, 0, 0, 0, 2, 2);
INSERT INTO tasks (id, index_id, video_id, status, progress, created_at, updated_at) VALUES
	('t1', 'ix', 'v1', 'ready', 100, 1, 1), ('t2', 'ix', 'v2', 'queued', 0, 2, 2);
`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	for range 2 { // the second open finds nothing to migrate
		st, err := Open(path, filepath.Join(dir, "videos"))
		if err != nil {
			t.Fatal(err)
		}
		tasks, total, err := st.ListTasks(t.Context(), TaskFilter{}, Page{Limit: 10})
		if err != nil || total != 2 || len(tasks) != 2 {
			t.Fatalf("tasks after migration: %d %+v %v", total, tasks, err)
		}
		st.Close()
	}

	st, err := Open(path, filepath.Join(dir, "videos"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	if _, _, _, err := st.DeleteTask(ctx, "t1"); !errors.Is(err, ErrTaskVideoIndexed) {
		t.Errorf("delete a ready task before its video: %v", err)
	}
	if _, _, _, err := st.DeleteTask(ctx, "t2"); !errors.Is(err, ErrTaskUnfinished) {
		t.Errorf("delete a queued task: %v", err)
	}
	unfinished, err := st.DeleteVideo(ctx, "ix", "v1")
	if err != nil || len(unfinished) != 0 {
		t.Fatalf("delete video: %v %v", unfinished, err)
	}
	tk, err := st.GetTask(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if !tk.VideoDeleted || tk.Video.Filename != "a.mp4" || tk.Video.Duration != 12.5 || tk.Video.Width != 640 || tk.Video.Height != 360 {
		t.Errorf("task of the deleted video: %+v", tk)
	}
	if _, _, videoDeleted, err := st.DeleteTask(ctx, "t1"); err != nil || videoDeleted {
		t.Errorf("delete the task after its video: %v %v", videoDeleted, err)
	}
	if unfinished, err := st.DeleteVideo(ctx, "ix", "v2"); err != nil || len(unfinished) != 1 || unfinished[0] != "t2" {
		t.Errorf("delete a video mid-indexing: %v %v", unfinished, err)
	}
	if _, total, _ := st.ListTasks(ctx, TaskFilter{}, Page{Limit: 10}); total != 0 {
		t.Errorf("%d tasks left", total)
	}
}
