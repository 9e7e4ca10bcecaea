package handlers_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/internal/testwait"
	"glimpse/tlclient"
	"glimpse/webapp"
)

// recordingHub keeps what was published, per stream.
type recordingHub struct {
	mu     sync.Mutex
	events map[string][]string
}

func (h *recordingHub) Open(stream, owner string) bool                         { return true }
func (h *recordingHub) Serve(w http.ResponseWriter, r *http.Request, s string) {}
func (h *recordingHub) Publish(stream, event string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events[stream] = append(h.events[stream], event+"\n"+string(data))
}

// countingAPI is the real client to the embedded engine, counting polls.
type countingAPI struct {
	*tlclient.Client
	mu    sync.Mutex
	polls int
}

func (c *countingAPI) GetTask(ctx context.Context, id string) (*tlclient.Task, error) {
	c.mu.Lock()
	c.polls++
	c.mu.Unlock()
	return c.Client.GetTask(ctx, id)
}

func TestWatcherPollsOncePerTaskAndStopsWhenDone(t *testing.T) {
	api := &countingAPI{Client: tlclient.New(app.EngineKey, tlclient.WithBaseURL(app.URL+"/engine/v1.3"))}
	ctx := t.Context()
	ix, err := api.CreateIndex(ctx, tlclient.CreateIndexRequest{IndexName: "watcher",
		Models: []tlclient.IndexModel{{ModelName: "marengo3.0", ModelOptions: []string{"visual"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	task, err := api.CreateTask(ctx, tlclient.CreateTaskRequest{IndexID: ix, Video: tlclient.ReaderUpload(f, "clip.mp4", -1)})
	if err != nil {
		t.Fatal(err)
	}

	hub := &recordingHub{events: map[string][]string{}}
	w := webapp.NewTaskWatcher(hub, nil)
	w.MinInterval, w.MaxInterval = 100*time.Millisecond, 400*time.Millisecond
	defer w.Close()
	// Three pages watch the same task: one poller serves them all.
	for _, stream := range []string{"tasks-a", "tasks-b", "tasks-a"} {
		w.Watch(api, task.ID, stream)
	}
	if n := w.Watching(); n != 1 {
		t.Fatalf("%d pollers for one task", n)
	}
	deadline := time.Now().Add(testwait.Bound(t))
	for w.Watching() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never stopped")
		}
		time.Sleep(50 * time.Millisecond)
	}

	hub.mu.Lock()
	defer hub.mu.Unlock()
	a, b := hub.events["tasks-a"], hub.events["tasks-b"]
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("streams got %d and %d events", len(a), len(b))
	}
	last := a[len(a)-1]
	if !strings.HasPrefix(last, "task-"+task.ID+"\n") || !strings.Contains(last, `data-status="ready"`) {
		t.Errorf("last event is not the ready card: %.200q", last)
	}
	// Only changes are published: no two events in a row are the same card.
	for i := 1; i < len(a); i++ {
		if a[i] == a[i-1] {
			t.Errorf("event %d repeats the previous card", i)
		}
	}
	api.mu.Lock()
	polls := api.polls
	api.mu.Unlock()
	if polls < len(a) {
		t.Errorf("%d polls for %d changes", polls, len(a))
	}
	t.Logf("%d polls, %d changes published", polls, len(a))
}
