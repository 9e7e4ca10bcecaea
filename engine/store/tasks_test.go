package store

import (
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
