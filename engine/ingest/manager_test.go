package ingest

import "testing"

// TestTrackHandOver: intake hands a task to a worker by queueing it, so the
// worker may register its work on the task before intake has unregistered
// its own. Deleting the task then must still stop the worker's work.
func TestTrackHandOver(t *testing.T) {
	m := New(Config{})
	defer m.Close()
	_, intakeDone := m.track("task")
	indexing, indexDone := m.track("task")
	defer indexDone()
	intakeDone()
	m.stop("task")
	if indexing.Err() == nil {
		t.Error("deleting the task did not stop the work that took it over")
	}
}
