package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"glimpse/tlclient"
)

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

type oneBackend struct{ b Backend }

func (o oneBackend) Default() Backend       { return o.b }
func (o oneBackend) WithKey(string) Backend { return o.b }

func (f *fakePegasus) backends() Backends {
	return oneBackend{Backend{Name: "Test cloud", Client: f.client()}}
}
