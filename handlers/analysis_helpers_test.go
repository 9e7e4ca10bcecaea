package handlers

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"glimpse/analysisstore"
	"glimpse/events"
	"glimpse/sessions"
)

// waitLimit bounds waits for things that must happen; reaching it fails the
// test, it is not a measurement: minutes, for a loaded machine.
const waitLimit = 5 * time.Minute

// testSessions is a session store keyed by a cookie the test sets, so two
// "browsers" can be told apart.
type testSessions struct {
	mu     sync.Mutex
	states map[string]*sessions.State
}

func (s *testSessions) Get(r *http.Request) *sessions.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := ""
	if c, err := r.Cookie("sid"); err == nil {
		id = c.Value
	}
	if s.states == nil {
		s.states = map[string]*sessions.State{}
	}
	st, ok := s.states[id]
	if !ok {
		st = &sessions.State{ID: id, CSRFToken: "csrf-" + id}
		s.states[id] = st
	}
	return st
}

func (s *testSessions) Save(http.ResponseWriter, *http.Request) error { return nil }

func newTestStore(t testing.TB) *analysisstore.Store {
	st, err := analysisstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// analysisApp is the web app's real router over the fake cloud and the real
// events hub, served on a loopback port so SSE streams for real.
type analysisApp struct {
	srv  *Server
	http *httptest.Server
}

func newAnalysisApp(t testing.TB, fake *fakePegasus, store AnalysisStore) *analysisApp {
	t.Helper()
	sess := &testSessions{}
	hub := events.New(events.Options{Owner: func(r *http.Request) string { return sess.Get(r).ID }})
	t.Cleanup(hub.Shutdown)
	s := &Server{
		Log:      slog.New(slog.DiscardHandler),
		Backends: fake.backends(),
		Sessions: sess,
		Events:   hub,
		Analyses: store,
	}
	ts := httptest.NewServer(s.Routes())
	t.Cleanup(ts.Close)
	return &analysisApp{srv: s, http: ts}
}

func (a *analysisApp) do(t testing.TB, method, path, session string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, a.http.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", "csrf-"+session)
	req.AddCookie(&http.Cookie{Name: "sid", Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func parseHTML(t testing.TB, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

const panelPath = "/indexes/idx1/videos/vid1/analysis"

func must(s string, _ error) string { return s }

// sseEvent is one event read from a stream.
type sseEvent struct{ name, data string }

// openSSE connects to an answer's stream and delivers its events.
func (a *analysisApp) openSSE(t testing.TB, ctx context.Context, path, session string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", a.http.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: session})
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || len(data) > 0 {
					ev.data = strings.Join(data, "\n")
					out <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
			}
		}
	}()
	return out
}

func next(t testing.TB, evs <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-evs:
		if !ok {
			t.Fatal("the stream ended early")
		}
		return ev
	case <-time.After(waitLimit):
		t.Fatal("no event")
	}
	return sseEvent{}
}

// ask posts a question and returns the answer's stream path.
func (a *analysisApp) ask(t testing.TB, session, prompt string) string {
	t.Helper()
	resp, body := a.do(t, "POST", panelPath+"/answers", session, url.Values{"prompt": {prompt}, "temperature": {"0"}})
	if resp.StatusCode != 200 {
		t.Fatalf("ask = %d: %s", resp.StatusCode, body)
	}
	path := parseHTML(t, body).Find(`[data-testid=answer]`).AttrOr("sse-connect", "")
	if path == "" {
		t.Fatalf("answer fragment has no stream: %s", body)
	}
	return path
}

// keyedBackends answers a session with a pasted key with one fake cloud and
// every other session with another, as two TwelveLabs accounts would.
type keyedBackends struct{ own, shared Backend }

func (k keyedBackends) Default() Backend       { return k.shared }
func (k keyedBackends) WithKey(string) Backend { return k.own }
