package engine_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// TestRecovery leaves the database as a crash would (tasks queued,
// validating, and interrupted mid-indexing, an orphaned folder, an upload
// in flight) and checks what the next start makes of it.
func TestRecovery(t *testing.T) {
	dataDir := t.TempDir()
	first, err := engine.New(engine.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()

	st, err := store.Open(filepath.Join(dataDir, "engine.db"), filepath.Join(dataDir, "videos"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, now := t.Context(), time.Now()
	ix := &store.Index{ID: wire.NewID(), Name: "crash", Models: []store.Model{{Name: "marengo2.7", Options: []string{"visual"}}}, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateIndex(ctx, ix); err != nil {
		t.Fatal(err)
	}
	// seed makes a task whose upload is on disk, in the given status.
	seed := func(status string) *store.Task {
		tk := &store.Task{ID: wire.NewID(), IndexID: ix.ID, VideoID: wire.NewID(), Status: status, CreatedAt: now, UpdatedAt: now}
		v := &store.Video{ID: tk.VideoID, IndexID: ix.ID, Filename: "good.mp4", Source: "source.mp4", EnableStream: true, CreatedAt: now, UpdatedAt: now}
		if err := st.CreateTask(ctx, tk, v); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(st.VideoDir(v.ID), 0o755)
		copyFile(t, fixture(t, "good.mp4"), filepath.Join(st.VideoDir(v.ID), "source.mp4"))
		if status != store.StatusValidating {
			if err := st.SetProbe(ctx, v.ID, store.ProbeResult{Duration: 5, FPS: 25, Width: 640, Height: 360, HasAudio: true}, now); err != nil {
				t.Fatal(err)
			}
		}
		return tk
	}
	claim := func(want string) {
		got, err := st.ClaimQueued(ctx, now)
		if err != nil || got.ID != want {
			t.Fatalf("claim: %v %v", got, err)
		}
	}
	// Interrupted twice already: it fails rather than crash the engine again.
	twice := seed(store.StatusQueued)
	claim(twice.ID)
	st.Requeue(ctx, twice.ID, false, now)
	claim(twice.ID)
	// Interrupted once, with half-written output.
	once := seed(store.StatusQueued)
	claim(once.ID)
	os.MkdirAll(filepath.Join(st.VideoDir(once.VideoID), "hls"), 0o755)
	os.WriteFile(filepath.Join(st.VideoDir(once.VideoID), "hls", "stale.ts"), []byte("half"), 0o644)
	queued := seed(store.StatusQueued)
	validating := seed(store.StatusValidating)
	orphan := filepath.Join(dataDir, "videos", wire.NewID())
	os.MkdirAll(orphan, 0o755)
	os.WriteFile(filepath.Join(dataDir, "tmp", "upload-1"), []byte("partial upload"), 0o644)
	st.Close()

	e := startEngine(t, engine.Config{DataDir: dataDir, Workers: 2})
	for _, c := range []struct {
		name string
		id   string
		want string
	}{{"interrupted once", once.ID, "ready"}, {"queued", queued.ID, "ready"}, {"validating", validating.ID, "ready"}, {"interrupted twice", twice.ID, "failed"}} {
		tk := e.waitTask(t, c.id)
		if tk.Status != c.want {
			t.Errorf("%s: %s %+v", c.name, tk.Status, tk.Failure)
		}
		if c.want == "failed" && (tk.Failure == nil || tk.Failure.Code != "indexing_interrupted") {
			t.Errorf("%s: failure %+v", c.name, tk.Failure)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "videos", once.VideoID, "hls", "stale.ts")); !os.IsNotExist(err) {
		t.Errorf("half-written output survived: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphaned folder survived: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(dataDir, "tmp")); len(left) != 0 {
		t.Errorf("tmp holds %d files", len(left))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRecoveryDownload: a download cut off by a crash leaves a partial file
// in the video's folder; the retried download removes it even when the
// retry itself fails.
func TestRecoveryDownload(t *testing.T) {
	src := httptest.NewServer(http.NotFoundHandler())
	defer src.Close()
	dataDir := t.TempDir()
	st, err := store.Open(filepath.Join(dataDir, "engine.db"), filepath.Join(dataDir, "videos"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, now := t.Context(), time.Now()
	ix := &store.Index{ID: wire.NewID(), Name: "crash", Models: []store.Model{{Name: "marengo2.7", Options: []string{"visual"}}}, CreatedAt: now, UpdatedAt: now}
	tk := &store.Task{ID: wire.NewID(), IndexID: ix.ID, VideoID: wire.NewID(), Status: store.StatusUploading, VideoURL: src.URL + "/gone.mp4", CreatedAt: now, UpdatedAt: now}
	v := &store.Video{ID: tk.VideoID, IndexID: ix.ID, Filename: "gone.mp4", EnableStream: true, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateIndex(ctx, ix); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateTask(ctx, tk, v); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(st.VideoDir(v.ID), "download-123")
	os.MkdirAll(st.VideoDir(v.ID), 0o755)
	os.WriteFile(partial, []byte("the first half of a video"), 0o644)
	st.Close()

	e := startEngine(t, engine.Config{DataDir: dataDir})
	if got := e.waitTask(t, tk.ID); got.Status != "failed" {
		t.Fatalf("task %+v", got)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("the partial download survived: %v", err)
	}
}
