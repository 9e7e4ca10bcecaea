package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/getkin/kin-openapi/openapi3"

	"glimpse/analysisstore"
	"glimpse/events"
	"glimpse/sessions"
	"glimpse/tlclient"
)

// waitLimit bounds waits for things that must happen; reaching it fails the
// test, it is not a measurement: minutes, for a loaded machine.
const waitLimit = 5 * time.Minute

// fakePegasus stands in for the TwelveLabs cloud's /gist, /summarize and
// /analyze. Every JSON body and NDJSON event it sends is checked against the
// API description first.
type fakePegasus struct {
	t      testing.TB
	spec   *openapi3.T
	srv    *httptest.Server
	gists  atomic.Int32
	sums   atomic.Int32
	asks   atomic.Int32
	failGi atomic.Bool // /gist answers 404 resource_not_exist
	// gistGate, when set, holds every /gist answer until it is closed.
	gistGate chan struct{}

	mu     sync.Mutex
	pieces []string      // text_generation events of /analyze
	finish string        // "" ends the stream without stream_end (cut off)
	hold   bool          // after the pieces, wait for the client to leave
	gap    time.Duration // between pieces
	reject string        // when set, /analyze answers 400 token_limit_exceeded with this message
	abort  bool          // after the pieces, break the connection mid-response
	// gone gets a value when an /analyze connection ends before the answer did.
	gone chan struct{}
}

func newFakePegasus(t testing.TB) *fakePegasus {
	t.Helper()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromFile(filepath.Join(repoRoot(t), "api", "twelvelabs-openapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePegasus{t: t, spec: spec, gone: make(chan struct{}, 100), finish: "stop", gap: 20 * time.Millisecond}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.3/gist", f.gist)
	mux.HandleFunc("POST /v1.3/summarize", f.summarize)
	mux.HandleFunc("POST /v1.3/analyze", f.analyze)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func (f *fakePegasus) client() *tlclient.Client {
	return tlclient.New("test-key", tlclient.WithBaseURL(f.srv.URL+"/v1.3"), tlclient.WithMaxRetries(0))
}

// conform fails the test when v is not what the description says path answers.
func (f *fakePegasus) conform(path, contentType string, v any) {
	b, _ := json.Marshal(v)
	var doc any
	_ = json.Unmarshal(b, &doc)
	op := f.spec.Paths.Find(path).Post
	schema := op.Responses.Status(200).Value.Content.Get(contentType).Schema.Value
	if err := schema.VisitJSON(doc); err != nil {
		f.t.Errorf("fake %s answer does not match the API description: %v", path, err)
	}
}

func (f *fakePegasus) gist(w http.ResponseWriter, r *http.Request) {
	f.gists.Add(1)
	if f.gistGate != nil {
		<-f.gistGate
	}
	if f.failGi.Load() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":"resource_not_exist","message":"The video does not exist."}`)
		return
	}
	out := map[string]any{"id": "g1", "title": "Train derailment in East Palestine",
		"topics": []string{"Ohio train derailment"}, "hashtags": []string{"#trainderailment", "#ohio"},
		"usage": map[string]any{"output_tokens": 12}}
	f.conform("/gist", "application/json", out)
	json.NewEncoder(w).Encode(out)
}

func (f *fakePegasus) summarize(w http.ResponseWriter, r *http.Request) {
	f.sums.Add(1)
	var req struct{ Type string }
	json.NewDecoder(r.Body).Decode(&req)
	out := map[string]any{"id": "s1", "summarize_type": req.Type, "usage": map[string]any{"output_tokens": 30}}
	switch req.Type {
	case "summary":
		out["summary"] = "A report on a **derailment**; the fire starts at 1:05.<script>alert(1)</script>"
	case "chapter":
		out["chapters"] = []map[string]any{
			{"chapter_number": 1, "start_sec": 0, "end_sec": 42.5, "chapter_title": "Anchors", "chapter_summary": "The news desk."},
			{"chapter_number": 2, "start_sec": 42.5, "end_sec": 160, "chapter_title": "Aerial view", "chapter_summary": "Smoke over the tracks."},
		}
	case "highlight":
		out["highlights"] = []map[string]any{{"start_sec": 75, "end_sec": 80, "highlight": "Cars burning", "highlight_summary": "Flames."}}
	}
	f.conform("/summarize", "application/json", out)
	json.NewEncoder(w).Encode(out)
}

func (f *fakePegasus) analyze(w http.ResponseWriter, r *http.Request) {
	f.asks.Add(1)
	f.mu.Lock()
	pieces, finish, hold, gap, reject, abort := f.pieces, f.finish, f.hold, f.gap, f.reject, f.abort
	f.mu.Unlock()
	if reject != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"code": "token_limit_exceeded", "message": reject})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	send := func(ev map[string]any) bool {
		f.conform("/analyze", "application/x-ndjson", ev)
		b, _ := json.Marshal(ev)
		if _, err := w.Write(append(b, '\n')); err != nil {
			return false
		}
		w.(http.Flusher).Flush()
		return true
	}
	send(map[string]any{"event_type": "stream_start", "metadata": map[string]any{"generation_id": "gen1"}})
	for _, p := range pieces {
		if !send(map[string]any{"event_type": "text_generation", "text": p}) {
			return
		}
		// Pieces come apart in time, as a model writes them.
		select {
		case <-time.After(gap):
		case <-r.Context().Done():
			f.gone <- struct{}{}
			return
		}
	}
	if abort {
		panic(http.ErrAbortHandler) // the connection drops without the chunked terminator
	}
	if hold {
		select {
		case <-r.Context().Done():
			f.gone <- struct{}{}
		case <-time.After(2 * waitLimit):
			// The app never let go: the test has failed; end the answer
			// so its cleanup does not wait forever.
		}
		return
	}
	if finish != "" {
		send(map[string]any{"event_type": "stream_end", "finish_reason": finish,
			"metadata": map[string]any{"generation_id": "gen1", "usage": map[string]any{"output_tokens": len(pieces)}}})
	}
}

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

type oneBackend struct{ b Backend }

func (o oneBackend) Default() Backend       { return o.b }
func (o oneBackend) WithKey(string) Backend { return o.b }
func (f *fakePegasus) backends() Backends {
	return oneBackend{Backend{Name: "Test cloud", Client: f.client()}}
}
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

func TestAnalysisPanelIsKeptAcrossReloads(t *testing.T) {
	fake := newFakePegasus(t)
	dir := t.TempDir()
	store, _ := analysisstore.New(dir)
	app := newAnalysisApp(t, fake, store)

	// Nothing kept yet: a placeholder that asks for the analysis at once.
	resp, body := app.do(t, "GET", panelPath, "alice", nil)
	pending := parseHTML(t, body).Find(`[data-testid=analysis-pending]`)
	if resp.StatusCode != 200 || pending.AttrOr("hx-trigger", "") != "load" {
		t.Fatalf("GET panel = %d: %s", resp.StatusCode, body)
	}
	if fake.gists.Load() != 0 || fake.sums.Load() != 0 {
		t.Fatal("the placeholder asked the API")
	}
	resp, body = app.do(t, "GET", pending.AttrOr("hx-get", ""), "alice", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d: %s", pending.AttrOr("hx-get", ""), resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if got := doc.Find(`[data-testid=gist-title]`).Text(); got != "Train derailment in East Palestine" {
		t.Errorf("title = %q", got)
	}
	if got := doc.Find(`[data-testid=topics] li`).Text(); got != "Ohio train derailment" {
		t.Errorf("topics = %q", got)
	}
	if got := doc.Find(`[data-testid=hashtags] li`).Length(); got != 2 {
		t.Errorf("%d hashtags, want 2", got)
	}
	var seeks []string
	doc.Find(`[data-testid=chapter] [data-seek]`).Each(func(_ int, s *goquery.Selection) {
		seeks = append(seeks, s.AttrOr("data-seek", "")+" "+strings.Join(strings.Fields(s.Text()), " "))
	})
	if want := []string{"0 0:00–0:42 Anchors", "42.5 0:42–2:40 Aerial view"}; strings.Join(seeks, "|") != strings.Join(want, "|") {
		t.Errorf("chapters = %q, want %q", seeks, want)
	}
	if got := doc.Find(`[data-testid=highlight] [data-seek]`).AttrOr("data-seek", ""); got != "75" {
		t.Errorf("highlight data-seek = %q, want 75", got)
	}
	summary := doc.Find(`[data-testid=summary]`)
	if summary.Find("script").Length() != 0 || strings.Contains(body, "alert(1)</script>") {
		t.Errorf("model HTML reached the page: %s", body)
	}
	if summary.Find("strong").Text() != "derailment" || summary.Find(`a[data-seek="65"]`).Text() != "1:05" {
		t.Errorf("summary Markdown not rendered as expected: %s", must(summary.Html()))
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("first load made %d gist and %d summarize calls, want 1 and 3", fake.gists.Load(), fake.sums.Load())
	}

	// A reload, and a restarted app over the same data directory, ask nothing.
	_, again := app.do(t, "GET", panelPath, "bob", nil)
	store2, _ := analysisstore.New(dir)
	app2 := newAnalysisApp(t, fake, store2)
	_, restarted := app2.do(t, "GET", panelPath, "alice", nil)
	for _, b := range []string{again, restarted} {
		if parseHTML(t, b).Find(`[data-testid=gist-title]`).Text() != "Train derailment in East Palestine" {
			t.Errorf("kept panel lacks the title: %s", b)
		}
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("reloads made %d gist and %d summarize calls in all, want still 1 and 3", fake.gists.Load(), fake.sums.Load())
	}

	// "Ask afresh" asks again.
	resp, body = app.do(t, "POST", panelPath, "alice", url.Values{})
	if resp.StatusCode != 200 || parseHTML(t, body).Find(`[data-testid=chapter]`).Length() != 2 {
		t.Fatalf("regenerate = %d: %s", resp.StatusCode, body)
	}
	if fake.gists.Load() != 2 || fake.sums.Load() != 6 {
		t.Fatalf("regenerate made %d gist and %d summarize calls in all, want 2 and 6", fake.gists.Load(), fake.sums.Load())
	}
}

func must(s string, _ error) string { return s }

func TestAnalysisPanelErrorIsShownAndNotKept(t *testing.T) {
	fake := newFakePegasus(t)
	fake.failGi.Store(true)
	app := newAnalysisApp(t, fake, newTestStore(t))

	resp, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET panel = %d: %s", resp.StatusCode, body)
	}
	msg := parseHTML(t, body).Find(`[data-testid=analysis-error]`).Text()
	if !strings.Contains(msg, "The video does not exist.") {
		t.Fatalf("error = %q, want the API's message", msg)
	}
	if strings.Contains(body, "test-key") {
		t.Fatal("the API key reached the page")
	}
	fake.failGi.Store(false)
	_, body = app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if parseHTML(t, body).Find(`[data-testid=gist-title]`).Length() != 1 {
		t.Fatalf("after the API recovered the panel still fails: %s", body)
	}
	if fake.gists.Load() != 2 {
		t.Fatalf("gist asked %d times, want 2: a failure must not be kept", fake.gists.Load())
	}
}

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

func TestAnswerStreamsIntoThePage(t *testing.T) {
	tests := []struct {
		name      string
		pieces    []string
		finish    string
		reject    string
		abort     bool
		wantState string
		wantNote  string
		wantText  string
	}{
		{"finished answer", []string{"The **fire** ", "starts at 1:05 ", "<script>alert(1)</script>", "and ends."}, "stop", "", false,
			"done", "", "The fire starts at 1:05 <script>alert(1)</script>and ends."},
		{"length limit", []string{"Smoke ", "rises"}, "length", "", false,
			"done", "The answer reached its length limit.", "Smoke rises"},
		{"stream ends without stream_end", []string{"The train ", "derailed "}, "", "", false,
			"failed", "the API closed the stream before the end", "The train derailed"},
		{"connection breaks mid-stream", []string{"Toxic ", "smoke "}, "", "", true,
			"failed", "the connection to the API failed", "Toxic smoke"},
		{"API refuses the prompt", nil, "stop", "The prompt is 2301 tokens long; the limit is 2000.", false,
			"failed", "The answer stopped: The prompt is 2301 tokens long; the limit is 2000.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakePegasus(t)
			fake.pieces, fake.finish, fake.reject, fake.abort = tt.pieces, tt.finish, tt.reject, tt.abort
			app := newAnalysisApp(t, fake, newTestStore(t))
			evs := app.openSSE(t, t.Context(), app.ask(t, "alice", "What happens?"), "alice")

			var updates []string
			var done sseEvent
			for done.name == "" {
				switch ev := next(t, evs); ev.name {
				case "answer":
					updates = append(updates, ev.data)
				case "done":
					done = ev
				}
			}
			// Pieces 20 ms apart each show, bar one coalesced under load.
			if len(updates) < min(2, len(tt.pieces)) || len(updates) > len(tt.pieces) {
				t.Errorf("%d answer updates for %d pieces", len(updates), len(tt.pieces))
			}
			for i := 1; i < len(updates); i++ {
				if len(updates[i]) < len(updates[i-1]) {
					t.Errorf("update %d is shorter than the one before: %q then %q", i, updates[i-1], updates[i])
				}
			}
			doc := parseHTML(t, done.data)
			answer := doc.Find(`[data-testid=answer]`)
			if got := answer.AttrOr("data-state", ""); got != tt.wantState {
				t.Errorf("state = %q, want %q", got, tt.wantState)
			}
			if _, ok := answer.Attr("sse-connect"); ok {
				t.Error("the final answer still holds the stream")
			}
			text := strings.Join(strings.Fields(answer.Find(`[data-testid=answer-text]`).Text()), " ")
			if text != tt.wantText {
				t.Errorf("text = %q, want %q", text, tt.wantText)
			}
			if got := answer.Find(`[data-testid=answer-status]`).Text(); !strings.Contains(got, tt.wantNote) {
				t.Errorf("status = %q, want %q", got, tt.wantNote)
			}
			if answer.Find("script").Length() != 0 || strings.Contains(done.data, "alert(1)</script>") {
				t.Errorf("model HTML reached the page: %s", done.data)
			}
			if strings.Contains(tt.wantText, "1:05") {
				if got := answer.Find(`a[data-seek]`).AttrOr("data-seek", ""); got != "65" {
					t.Errorf("1:05 links to %q, want data-seek 65", got)
				}
			}
		})
	}
}

func TestStoppingReachesTheUpstream(t *testing.T) {
	tests := []struct {
		name string
		end  func(t *testing.T, app *analysisApp, stream string, leave context.CancelFunc)
	}{
		{"stop button", func(t *testing.T, app *analysisApp, stream string, _ context.CancelFunc) {
			stop := strings.TrimSuffix(stream, "/events") + "/stop"
			if resp, body := app.do(t, "POST", stop, "alice", url.Values{}); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("stop = %d: %s", resp.StatusCode, body)
			}
		}},
		{"leaving the page", func(t *testing.T, _ *analysisApp, _ string, leave context.CancelFunc) { leave() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakePegasus(t)
			fake.pieces, fake.hold = []string{"So far "}, true
			app := newAnalysisApp(t, fake, newTestStore(t))
			stream := app.ask(t, "alice", "Describe the video.")
			ctx, leave := context.WithCancel(t.Context())
			defer leave()
			evs := app.openSSE(t, ctx, stream, "alice")
			if ev := next(t, evs); ev.name != "answer" || !strings.Contains(ev.data, "So far") {
				t.Fatalf("first event = %+v", ev)
			}

			tt.end(t, app, stream, leave)
			select {
			case <-fake.gone:
			case <-time.After(waitLimit):
				t.Fatal("the upstream /analyze connection stayed open")
			}
			if tt.name == "stop button" {
				ev := next(t, evs)
				answer := parseHTML(t, ev.data).Find(`[data-testid=answer]`)
				if ev.name != "done" || answer.AttrOr("data-state", "") != "stopped" ||
					!strings.Contains(answer.Text(), "So far") || !strings.Contains(answer.Text(), "Stopped.") {
					t.Fatalf("after stop: %+v", ev)
				}
			}
		})
	}
}

func TestAskRejectsBadInput(t *testing.T) {
	fake := newFakePegasus(t)
	app := newAnalysisApp(t, fake, newTestStore(t))
	tests := []struct {
		name, prompt, temperature, want string
	}{
		{"empty question", "   ", "0.2", "Type a question"},
		{"temperature out of range", "Why?", "2", "Temperature is a number from 0 to 1."},
		{"temperature not a number", "Why?", "warm", "Temperature is a number from 0 to 1."},
		{"question too long", strings.Repeat("why ", 2001), "", "keep it under 8000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := app.do(t, "POST", panelPath+"/answers", "alice", url.Values{"prompt": {tt.prompt}, "temperature": {tt.temperature}})
			if got := parseHTML(t, body).Find(`[data-testid=error-message]`).Text(); !strings.Contains(got, tt.want) {
				t.Fatalf("error = %q, want %q (body %s)", got, tt.want, body)
			}
		})
	}
	if fake.asks.Load() != 0 {
		t.Fatalf("bad input reached the API %d times", fake.asks.Load())
	}
}

func TestAnswerBelongsToItsSession(t *testing.T) {
	fake := newFakePegasus(t)
	fake.pieces, fake.hold = []string{"Private "}, true
	app := newAnalysisApp(t, fake, newTestStore(t))
	stream := app.ask(t, "alice", "What happens?")

	// Another session neither reads nor stops it, and starts nothing upstream.
	evs := app.openSSE(t, t.Context(), stream, "mallory")
	ev := next(t, evs)
	if ev.name != "done" || strings.Contains(ev.data, "Private") || !strings.Contains(ev.data, "no longer streaming") {
		t.Fatalf("another session's stream gave %+v", ev)
	}
	stop := strings.TrimSuffix(stream, "/events") + "/stop"
	if _, body := app.do(t, "POST", stop, "mallory", url.Values{}); !strings.Contains(body, "There is no such answer.") {
		t.Fatalf("another session's stop answered %s", body)
	}
	if fake.asks.Load() != 0 {
		t.Fatalf("the API was asked %d times before the owner connected", fake.asks.Load())
	}
	// The owner still gets the answer.
	if ev := next(t, app.openSSE(t, t.Context(), stream, "alice")); !strings.Contains(ev.data, "Private") {
		t.Fatalf("owner's first event = %+v", ev)
	}
}

func TestReconnectGetsTheFinalAnswer(t *testing.T) {
	fake := newFakePegasus(t)
	fake.pieces = []string{"Smoke ", "over ", "the yard."}
	app := newAnalysisApp(t, fake, newTestStore(t))
	stream := app.ask(t, "alice", "What happens?")

	ctx, leave := context.WithCancel(t.Context())
	evs := app.openSSE(t, ctx, stream, "alice")
	for ev := next(t, evs); ev.name != "done"; ev = next(t, evs) {
	}
	leave()

	// A page that missed "done" (its connection broke, or the hub dropped
	// the event) reconnects and is handed the final form; nothing is asked again.
	ev := next(t, app.openSSE(t, t.Context(), stream, "alice"))
	answer := parseHTML(t, ev.data).Find(`[data-testid=answer]`)
	if ev.name != "done" || answer.AttrOr("data-state", "") != "done" ||
		strings.TrimSpace(answer.Find(`[data-testid=answer-text]`).Text()) != "Smoke over the yard." {
		t.Fatalf("reconnect got %+v", ev)
	}
	if fake.asks.Load() != 1 {
		t.Fatalf("the API was asked %d times, want 1", fake.asks.Load())
	}
}

func TestConcurrentViewsGenerateOnce(t *testing.T) {
	fake := newFakePegasus(t)
	fake.gistGate = make(chan struct{})
	app := newAnalysisApp(t, fake, newTestStore(t))

	// Two tabs open the watch page while the first generation runs.
	bodies := make(chan string, 2)
	for _, who := range []string{"alice", "bob"} {
		go func() {
			_, body := app.do(t, "GET", panelPath+"?generate=1", who, nil)
			bodies <- body
		}()
	}
	deadline := time.Now().Add(waitLimit)
	for fake.gists.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Give the second request the time to ask too, were it going to.
	time.Sleep(200 * time.Millisecond)
	close(fake.gistGate)
	for range 2 {
		body := <-bodies
		if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() != "Train derailment in East Palestine" {
			t.Fatalf("a view got %s", body)
		}
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("two views made %d gist and %d summarize calls, want 1 and 3", fake.gists.Load(), fake.sums.Load())
	}
}

// keyedBackends answers a session with a pasted key with one fake cloud and
// every other session with another, as two TwelveLabs accounts would.
type keyedBackends struct{ own, shared Backend }

func (k keyedBackends) Default() Backend       { return k.shared }
func (k keyedBackends) WithKey(string) Backend { return k.own }

func TestAnalysisGenerationStaysWithItsAccount(t *testing.T) {
	ownCloud, sharedCloud := newFakePegasus(t), newFakePegasus(t)
	ownCloud.gistGate = make(chan struct{})
	app := newAnalysisApp(t, ownCloud, newTestStore(t))
	app.srv.Backends = keyedBackends{
		own:    Backend{Name: "TwelveLabs cloud", Client: ownCloud.client()},
		shared: Backend{Name: "Local engine", Client: sharedCloud.client()},
	}
	alice := &http.Request{Header: http.Header{"Cookie": {"sid=alice"}}}
	app.srv.Sessions.Get(alice).APIKey = "tlk_alice_own_key"

	// Alice, on her own key, starts generating; it waits on her cloud.
	aliceBody := make(chan string, 1)
	go func() {
		_, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
		aliceBody <- body
	}()
	deadline := time.Now().Add(waitLimit)
	for ownCloud.gists.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Bob has no key: his panel must come from his backend, not join
	// Alice's generation on her account.
	bobBody := make(chan string, 1)
	go func() {
		_, body := app.do(t, "GET", panelPath+"?generate=1", "bob", nil)
		bobBody <- body
	}()
	select {
	case body := <-bobBody:
		if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() == "" {
			t.Errorf("bob's panel has no gist title: %s", body)
		}
	case <-time.After(waitLimit):
		t.Error("bob's panel waited for alice's generation on her account")
	}
	close(ownCloud.gistGate)
	<-aliceBody
	if got := sharedCloud.gists.Load(); got != 1 {
		t.Errorf("bob's backend got %d gist calls, want 1", got)
	}
	if got := ownCloud.gists.Load(); got != 1 {
		t.Errorf("alice's backend got %d gist calls, want 1", got)
	}
}

func TestKeptAnalysisStaysWithItsAccount(t *testing.T) {
	ownCloud, sharedCloud := newFakePegasus(t), newFakePegasus(t)
	app := newAnalysisApp(t, ownCloud, newTestStore(t))
	app.srv.Backends = keyedBackends{
		own:    Backend{Name: "TwelveLabs cloud", Client: ownCloud.client()},
		shared: Backend{Name: "Local engine", Client: sharedCloud.client()},
	}
	alice := &http.Request{Header: http.Header{"Cookie": {"sid=alice"}}}
	app.srv.Sessions.Get(alice).APIKey = "tlk_alice_own_key"

	_, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() == "" {
		t.Fatalf("alice's panel has no gist title: %s", body)
	}
	tests := []struct {
		session     string
		wantPending bool
	}{
		{"alice", false}, // her own, kept
		{"bob", true},    // another account: never handed alice's analysis
	}
	for _, tt := range tests {
		_, body := app.do(t, "GET", panelPath, tt.session, nil)
		doc := parseHTML(t, body)
		if pending := doc.Find(`[data-testid=analysis-pending]`).Length() > 0; pending != tt.wantPending {
			t.Errorf("%s: pending = %v, want %v: %s", tt.session, pending, tt.wantPending, body)
		}
	}
	if sharedCloud.gists.Load() != 0 || ownCloud.gists.Load() != 1 {
		t.Errorf("gist calls: own %d, shared %d; want 1 and 0", ownCloud.gists.Load(), sharedCloud.gists.Load())
	}
}
