package engine_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/pipeline"
	"glimpse/internal/testwait"
)

// TestDeleteTaskAsDocumented: only a ready or failed task can be deleted; a
// ready one after its video (the documented order), which leaves the task
// with what it showed of the video until then. Deleting a video mid-indexing
// takes its unfinished task with it.
func TestDeleteTaskAsDocumented(t *testing.T) {
	gate := gateStage{reached: make(chan struct{}, 1), open: make(chan struct{})}
	e := startEngine(t, engine.Config{Parts: fixedParts(engine.Parts{Stages: []pipeline.Stage{gate}})})
	ixID := e.createIndex(t, "deletes")
	videoPath := func(videoID string) string { return "/indexes/" + ixID + "/videos/" + videoID }
	wantRefused := func(t *testing.T, what, path string) {
		t.Helper()
		var body struct{ Code, Message string }
		code, b := e.call(t, "DELETE", path, nil, &body)
		if code != 400 || body.Code != "parameter_invalid" || body.Message == "" {
			t.Errorf("%s: %d %s, want 400 parameter_invalid", what, code, b)
		}
	}
	reachGate := func(t *testing.T) {
		t.Helper()
		select {
		case <-gate.reached:
		case <-time.After(testwait.Bound(t)):
			t.Fatal("the gate stage never ran")
		}
	}

	t.Run("indexing", func(t *testing.T) {
		_, out := e.upload(t, map[string]string{"index_id": ixID}, fixture(t, "good.mp4"))
		taskID, videoID := out["_id"].(string), out["video_id"].(string)
		reachGate(t)
		wantRefused(t, "task still indexing", "/tasks/"+taskID)
		var tk task
		if code, _ := e.call(t, "GET", "/tasks/"+taskID, nil, &tk); code != 200 || tk.Status != "indexing" {
			t.Fatalf("refused task: %d %+v", code, tk)
		}
		if code, b := e.call(t, "DELETE", videoPath(videoID), nil, nil); code != 204 {
			t.Fatalf("delete video mid-indexing: %d %s", code, b)
		}
		if code, _ := e.call(t, "GET", "/tasks/"+taskID, nil, nil); code != 404 {
			t.Errorf("unfinished task of a deleted video: %d, want 404", code)
		}
	})

	close(gate.open)
	t.Run("ready: video first, then task", func(t *testing.T) {
		_, out := e.upload(t, map[string]string{"index_id": ixID}, fixture(t, "good.mp4"))
		before := e.waitTask(t, out["_id"].(string))
		if before.Status != "ready" {
			t.Fatalf("task %+v", before)
		}
		wantRefused(t, "ready task whose video is indexed", "/tasks/"+before.ID)
		if code, _ := e.call(t, "GET", videoPath(before.VideoID), nil, nil); code != 200 {
			t.Fatalf("video after the refused task delete: %d", code)
		}
		if code, b := e.call(t, "DELETE", videoPath(before.VideoID), nil, nil); code != 204 {
			t.Fatalf("delete video: %d %s", code, b)
		}
		var after task
		if code, b := e.call(t, "GET", "/tasks/"+before.ID, nil, &after); code != 200 {
			t.Fatalf("task of the deleted video: %d %s", code, b)
		}
		if after.Status != "ready" || after.VideoID != before.VideoID || after.SystemMetadata != before.SystemMetadata || after.HLS != nil {
			t.Errorf("task of the deleted video: %+v, before %+v", after, before)
		}
		var list struct {
			Data []task `json:"data"`
		}
		e.call(t, "GET", "/tasks?index_id="+ixID+"&filename=good.mp4", nil, &list)
		if len(list.Data) != 1 || list.Data[0].ID != before.ID {
			t.Errorf("tasks by filename after the video went: %+v", list.Data)
		}
		if code, b := e.call(t, "DELETE", "/tasks/"+before.ID, nil, nil); code != 204 {
			t.Fatalf("delete task after its video: %d %s", code, b)
		}
		if code, _ := e.call(t, "GET", "/tasks/"+before.ID, nil, nil); code != 404 {
			t.Errorf("deleted task: %d", code)
		}
		if code, _ := e.call(t, "DELETE", "/tasks/"+before.ID, nil, nil); code != 404 {
			t.Errorf("deleted task deleted again: %d", code)
		}
	})

	t.Run("failed", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.mp4")
		if err := os.WriteFile(junk, make([]byte, 64<<10), 0o644); err != nil {
			t.Fatal(err)
		}
		_, out := e.upload(t, map[string]string{"index_id": ixID}, junk)
		tk := e.waitTask(t, out["_id"].(string))
		if tk.Status != "failed" {
			t.Fatalf("junk task %+v", tk)
		}
		if code, b := e.call(t, "DELETE", "/tasks/"+tk.ID, nil, nil); code != 204 {
			t.Fatalf("delete failed task: %d %s", code, b)
		}
		if _, err := os.Stat(filepath.Join(e.dataDir, "videos", tk.VideoID)); !os.IsNotExist(err) {
			t.Errorf("files of the failed task's video remain: %v", err)
		}
	})
}
