package cluster

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"glimpse/analysisstore"
	"glimpse/events"
	"glimpse/internal/testredis"
	"glimpse/internal/testwait"
)

func startRedis(t *testing.T) string { return testredis.Start(t) }

func connect(t *testing.T, url string) *Cluster {
	t.Helper()
	c, err := New(context.Background(), url, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// instance is one web instance's hub, serving its streams over HTTP to
// the owner named in X-Owner.
func instance(t *testing.T, c *Cluster) (*Hub, string) {
	local := events.New(events.Options{Owner: func(r *http.Request) string { return r.Header.Get("X-Owner") }})
	h := c.Hub(local)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, strings.TrimPrefix(r.URL.Path, "/"))
	}))
	t.Cleanup(func() { srv.Close(); h.Close(); local.Shutdown() })
	return h, srv.URL
}

// subscribe connects owner to stream and returns its data lines.
func subscribe(t *testing.T, base, stream, owner string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+stream, nil)
	req.Header.Set("X-Owner", owner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe %s: %s", stream, resp.Status)
	}
	lines := make(chan string, 100)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				lines <- d
			}
		}
	}()
	return lines
}

func TestHubFansOutToOtherInstances(t *testing.T) {
	url := startRedis(t)
	a, aURL := instance(t, connect(t, url))
	b, bURL := instance(t, connect(t, url))
	a.Open("tasks-s1", "s1")
	b.Open("tasks-s1", "s1")
	onA := subscribe(t, aURL, "tasks-s1", "s1")
	onB := subscribe(t, bURL, "tasks-s1", "s1")
	time.Sleep(100 * time.Millisecond) // both clients attached

	a.Publish("tasks-s1", "task-1", []byte("<article>ready</article>"))
	for name, ch := range map[string]<-chan string{"instance A (published here)": onA, "instance B (over Redis)": onB} {
		select {
		case got := <-ch:
			if got != "<article>ready</article>" {
				t.Errorf("%s got %q", name, got)
			}
		case <-time.After(testwait.Bound(t)):
			t.Fatalf("%s got nothing", name)
		}
	}
	// Once each: A does not get its own event back from Redis.
	b.Publish("tasks-s1", "task-1", []byte("second"))
	for name, ch := range map[string]<-chan string{"A": onA, "B": onB} {
		select {
		case got := <-ch:
			if got != "second" {
				t.Errorf("%s: got %q after the first event, want the second only", name, got)
			}
		case <-time.After(testwait.Bound(t)):
			t.Fatalf("%s got no second event", name)
		}
	}
}

func TestTaskLeasesOnePollerAtATime(t *testing.T) {
	ctx := context.Background()
	url := startRedis(t)
	a, b := connect(t, url).TaskLeases(), connect(t, url).TaskLeases()
	if err := a.Join(ctx, "t1", "tasks-s1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Join(ctx, "t1", "tasks-s2"); err != nil {
		t.Fatal(err)
	}
	streams, err := a.Streams(ctx, "t1")
	if err != nil || len(streams) != 2 {
		t.Fatalf("streams of t1 seen from A: %v %v, want both instances' streams", streams, err)
	}
	steps := []struct {
		name             string
		leases           *TaskLeases
		holder           string
		finish, finished bool // instead of Hold: Finish(done=finished)
		wantHeld, wantDn bool
	}{
		{"A takes the free lease", a, "A", false, false, true, false},
		{"B stands by while A holds it", b, "B", false, false, false, false},
		{"A renews its own lease", a, "A", false, false, true, false},
		{"B cannot give up A's lease", b, "B", true, false, false, false},
		{"B still stands by", b, "B", false, false, false, false},
		{"A gives it up (shutting down)", a, "A", true, false, false, false},
		{"B takes over", b, "B", false, false, true, false},
		{"B sees the task end", b, "B", true, true, false, false},
		{"A finds it done", a, "A", false, false, false, true},
	}
	for _, s := range steps {
		if s.finish {
			if err := s.leases.Finish(ctx, "t1", s.holder, s.finished); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			continue
		}
		held, done, err := s.leases.Hold(ctx, "t1", s.holder, time.Minute)
		if err != nil || held != s.wantHeld || done != s.wantDn {
			t.Errorf("%s: held %v done %v err %v, want held %v done %v", s.name, held, done, err, s.wantHeld, s.wantDn)
		}
	}
}

func TestAnalysisStoreSharedBetweenInstances(t *testing.T) {
	url := startRedis(t)
	a, b := connect(t, url).AnalysisStore(), connect(t, url).AnalysisStore()
	if _, ok, err := b.Load("i1", "v1"); ok || err != nil {
		t.Fatalf("before any save: ok %v err %v", ok, err)
	}
	rec := analysisstore.Record{IndexID: "i1", VideoID: "v1", Title: "Harbour", Topics: []string{"boats"},
		Summary: "Boats.", GeneratedAt: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC), Account: "default"}
	if err := a.Save(rec); err != nil {
		t.Fatal(err)
	}
	got, ok, err := b.Load("i1", "v1")
	if err != nil || !ok || got.Title != rec.Title || got.Summary != rec.Summary || !got.GeneratedAt.Equal(rec.GeneratedAt) || got.Account != "default" {
		t.Errorf("B loads %+v ok %v err %v, want %+v", got, ok, err, rec)
	}
	if _, ok, _ := b.Load("i1", "v2"); ok {
		t.Error("another video's analysis found")
	}
}
