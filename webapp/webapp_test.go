package webapp

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"glimpse/analysisstore"
	"glimpse/internal/testwait"
	"glimpse/tlclient"
)

// recordingHub keeps what was published, per stream.
type recordingHub struct {
	mu     sync.Mutex
	events map[string][]string
	added  chan struct{}
}

func newRecordingHub() *recordingHub {
	return &recordingHub{events: map[string][]string{}, added: make(chan struct{}, 1000)}
}

func (h *recordingHub) Open(stream, owner string) bool { return true }
func (h *recordingHub) Publish(stream, event string, data []byte) {
	h.mu.Lock()
	h.events[stream] = append(h.events[stream], event+"\n"+string(data))
	h.mu.Unlock()
	select {
	case h.added <- struct{}{}:
	default:
	}
}

func (h *recordingHub) of(stream string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events[stream]...)
}

// scriptedTasks answers GetTask with the next status of a script, then the
// last one for ever.
type scriptedTasks struct {
	mu     sync.Mutex
	script []string
	polls  int
}

func (s *scriptedTasks) GetTask(ctx context.Context, id string) (*tlclient.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.script[min(s.polls, len(s.script)-1)]
	s.polls++
	if st == "gone" {
		return nil, tlclient.ErrNotFound
	}
	return &tlclient.Task{ID: id, IndexID: "ix", VideoID: "vid", Status: st}, nil
}

func (s *scriptedTasks) GetVideo(ctx context.Context, indexID, videoID string, p tlclient.GetVideoParams) (*tlclient.Video, error) {
	return &tlclient.Video{ID: videoID, HLS: &tlclient.HLS{ThumbnailURLs: []string{"/thumb.jpg"}}}, nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testwait.Bound(t))
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWatcherPublishesChangesOnlyAndStops(t *testing.T) {
	tests := []struct {
		name       string
		script     []string
		wantEvents int
		wantLast   string
	}{
		{"to ready", []string{"pending", "pending", "indexing", "indexing", "ready"}, 3, `data-status="ready"`},
		{"failed", []string{"indexing", "failed"}, 2, `data-status="failed"`},
		{"deleted meanwhile", []string{"indexing", "gone"}, 2, "deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newRecordingHub()
			api := &scriptedTasks{script: tt.script}
			w := NewTaskWatcher(hub, nil)
			w.MinInterval, w.MaxInterval = time.Millisecond, 4*time.Millisecond
			defer w.Close()
			for _, s := range []string{"tasks-a", "tasks-b", "tasks-a"} {
				w.Watch(api, "t1", s)
			}
			if n := w.Watching(); n != 1 {
				t.Fatalf("%d pollers for one task", n)
			}
			waitFor(t, "the watcher to stop", func() bool { return w.Watching() == 0 })
			a, b := hub.of("tasks-a"), hub.of("tasks-b")
			if len(a) != tt.wantEvents || len(b) != tt.wantEvents {
				t.Fatalf("streams got %d and %d events, want %d", len(a), len(b), tt.wantEvents)
			}
			last := a[len(a)-1]
			if !strings.HasPrefix(last, "task-t1\n") || !strings.Contains(last, tt.wantLast) {
				t.Errorf("last event %.200q lacks %q", last, tt.wantLast)
			}
			if tt.wantLast == `data-status="ready"` && !strings.Contains(last, "/indexes/ix/videos/vid/watch") {
				t.Errorf("the ready card has no watch link: %.300q", last)
			}
		})
	}
}

// fakeAnalysis is an AnalysisAPI whose calls are counted and may be held.
type fakeAnalysis struct {
	gists   atomic.Int32
	gate    chan struct{}
	failSum error
	pieces  []string
}

func (f *fakeAnalysis) Gist(ctx context.Context, r tlclient.GistRequest) (*tlclient.Gist, error) {
	f.gists.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &tlclient.Gist{Title: "Title of " + r.VideoID}, nil
}

func (f *fakeAnalysis) Summarize(ctx context.Context, r tlclient.SummarizeRequest) (*tlclient.Summary, error) {
	if f.failSum != nil {
		return nil, f.failSum
	}
	return &tlclient.Summary{Summary: "A " + r.Type + "."}, nil
}

func (f *fakeAnalysis) AnalyzeStream(ctx context.Context, r tlclient.AnalyzeRequest) iter.Seq2[tlclient.StreamEvent, error] {
	return func(yield func(tlclient.StreamEvent, error) bool) {
		for _, p := range f.pieces {
			if ctx.Err() != nil {
				yield(tlclient.StreamEvent{}, ctx.Err())
				return
			}
			if p == "WAIT" {
				<-ctx.Done()
				yield(tlclient.StreamEvent{}, ctx.Err())
				return
			}
			if !yield(tlclient.StreamEvent{EventType: tlclient.EventTextGeneration, Text: p}, nil) {
				return
			}
		}
		yield(tlclient.StreamEvent{EventType: tlclient.EventStreamEnd, FinishReason: "stop"}, nil)
	}
}

type memStore struct {
	mu   sync.Mutex
	recs map[string]analysisstore.Record
}

func (m *memStore) Load(i, v string) (analysisstore.Record, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[i+"/"+v]
	return r, ok, nil
}

func (m *memStore) Save(r analysisstore.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[r.IndexID+"/"+r.VideoID] = r
	return nil
}

func TestAnalysesGenerateOncePerAccountAndKeep(t *testing.T) {
	api := &fakeAnalysis{gate: make(chan struct{})}
	store := &memStore{recs: map[string]analysisstore.Record{}}
	a := &Analyses{Store: store}
	ctx := t.Context()
	var wg sync.WaitGroup
	recs := make([]analysisstore.Record, 3)
	for i := range recs {
		wg.Go(func() {
			var err error
			if recs[i], err = a.Generate(ctx, api, "acct", "ix", "v1"); err != nil {
				t.Error(err)
			}
		})
	}
	waitFor(t, "the generation to start", func() bool { return api.gists.Load() > 0 })
	time.Sleep(20 * time.Millisecond) // let the others join it
	close(api.gate)
	wg.Wait()
	if n := api.gists.Load(); n != 1 {
		t.Errorf("three requests asked the API %d times, want once", n)
	}
	for _, r := range recs {
		if r.Title != "Title of v1" || r.Summary != "A summary." || r.Account != "acct" {
			t.Errorf("record = %+v", r)
		}
	}
	if _, ok := a.Kept(ctx, "acct", "ix", "v1"); !ok {
		t.Error("the analysis was not kept")
	}
	if _, ok := a.Kept(ctx, "other", "ix", "v1"); ok {
		t.Error("another account was handed the analysis")
	}
}

func TestGenerateAnalysisReportsTheFirstRealError(t *testing.T) {
	boom := &tlclient.APIError{StatusCode: 400, Code: "video_not_ready", Message: "The video is not ready."}
	_, err := GenerateAnalysis(t.Context(), &fakeAnalysis{failSum: boom}, "ix", "v")
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the API's error", err)
	}
	if _, msg, ok := DescribeAPIError(err); !ok || msg != "The video is not ready." {
		t.Errorf("described as %q, %v", msg, ok)
	}
}

func TestAnswerRunsOnceAndIsStoppable(t *testing.T) {
	tests := []struct {
		name      string
		pieces    []string
		stop      bool
		wantState string
		wantText  string
	}{
		{"finishes", []string{"Smoke ", "at 1:05."}, false, `data-state="done"`, "Smoke"},
		{"stopped", []string{"Half ", "WAIT"}, true, `data-state="stopped"`, "Half"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newRecordingHub()
			answers := NewAnswers(hub, nil)
			ctx := t.Context()
			q, err := answers.Ask(ctx, Question{Owner: "alice", IndexID: "ix", VideoID: "v", Prompt: "What?"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := answers.Find(ctx, q.ID, "bob", "ix", "v"); !errors.Is(err, ErrNoAnswer) {
				t.Errorf("bob found alice's answer: %v", err)
			}
			if err := answers.Stop(ctx, q.ID, "bob"); !errors.Is(err, ErrNoAnswer) {
				t.Errorf("bob stopped alice's answer: %v", err)
			}
			got, err := answers.Find(ctx, q.ID, "alice", "ix", "v")
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := answers.Begin(ctx, got)
			again, _, _ := answers.Begin(ctx, got)
			if !first || again {
				t.Fatalf("Begin = %v then %v, want true then false", first, again)
			}
			subscribed := make(chan struct{})
			close(subscribed)
			done := make(chan struct{})
			go func() {
				defer close(done)
				answers.Run(ctx, &fakeAnalysis{pieces: tt.pieces}, got, subscribed, func() {})
			}()
			if tt.stop {
				waitFor(t, "the first words", func() bool { return len(hub.of(q.Stream())) > 0 })
				if err := answers.Stop(ctx, q.ID, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			<-done
			evs := hub.of(q.Stream())
			last := evs[len(evs)-1]
			if !strings.HasPrefix(last, "done\n") || !strings.Contains(last, tt.wantState) || !strings.Contains(last, tt.wantText) {
				t.Errorf("last event %.300q, want %s with %q", last, tt.wantState, tt.wantText)
			}
			// A page that reconnects is handed the same final form.
			_, final, err := answers.Begin(ctx, got)
			if err != nil || !strings.Contains(string(final), tt.wantState) {
				t.Errorf("reconnect got %.200q, %v", final, err)
			}
		})
	}
}
