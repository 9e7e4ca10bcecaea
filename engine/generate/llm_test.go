package generate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

// chatServer is a loopback OpenAI-compatible chat-completions server that
// streams the given deltas as server-sent events, and records what it got.
type chatServer struct {
	*httptest.Server
	deltas []string
	status int
	hold   bool // after the first delta, wait for the client to leave

	mu     sync.Mutex
	got    chatRequest
	auth   string
	closed chan struct{} // closed when a held request's connection ends
}

func newChatServer(t *testing.T, deltas []string) *chatServer {
	cs := &chatServer{deltas: deltas, status: 200, closed: make(chan struct{})}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		cs.mu.Lock()
		_ = json.NewDecoder(r.Body).Decode(&cs.got)
		cs.auth = r.Header.Get("Authorization")
		cs.mu.Unlock()
		if cs.status != 200 {
			http.Error(w, `{"error":{"message":"model not loaded"}}`, cs.status)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, d := range cs.deltas {
			chunk := map[string]any{"id": "c1", "object": "chat.completion.chunk", "choices": []any{
				map[string]any{"index": 0, "delta": map[string]any{"content": d}, "finish_reason": nil}}}
			b, _ := json.Marshal(chunk)
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
			if cs.hold && i == 0 {
				select {
				case <-r.Context().Done():
					close(cs.closed)
				case <-time.After(testwait.Bound(t)):
				}
				return
			}
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(cs.Close)
	return cs
}

func TestLLMRelaysDeltas(t *testing.T) {
	deltas := []string{"The governor", " urged residents", " to drink bottled water", " (1:02)."}
	cs := newChatServer(t, deltas)
	srv, _ := newTestServer(t, Config{LLM: &LLMConfig{URL: cs.URL + "/v1", Model: "qwen2.5:0.5b", APIKey: "sk-test-secret"}})
	prompt := "What did the governor say about water?"
	evs := analyzeStream(t, srv.URL, map[string]any{"video_id": newsID, "prompt": prompt, "temperature": 0.3, "max_tokens": 500})
	text, end := joined(t, evs)
	var got []string
	for _, e := range evs[1 : len(evs)-1] {
		got = append(got, e.Text)
	}
	if strings.Join(got, "|") != strings.Join(deltas, "|") || end.FinishReason != "stop" {
		t.Fatalf("relayed %q finish %q, want each delta %q as one event and stop", got, end.FinishReason, deltas)
	}
	if end.Metadata.Usage.OutputTokens != countTokens(text) {
		t.Errorf("usage %d, text has %d tokens", end.Metadata.Usage.OutputTokens, countTokens(text))
	}
	cs.mu.Lock()
	req, auth := cs.got, cs.auth
	cs.mu.Unlock()
	if req.Model != "qwen2.5:0.5b" || !req.Stream || req.Temperature != 0.3 || req.MaxTokens != 500 || auth != "Bearer sk-test-secret" {
		t.Errorf("upstream got model %q stream %v temperature %v max_tokens %d auth %q", req.Model, req.Stream, req.Temperature, req.MaxTokens, auth)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" {
		t.Fatalf("upstream got messages %+v", req.Messages)
	}
	user := req.Messages[1].Content
	for _, want := range []string{prompt, "[1:02–1:12] (speech) the governor of ohio mike dewine urged residents", "(on-screen text) Toxic train fallout", "Video length: 2:40", "1:01"} {
		if !strings.Contains(user, want) {
			t.Errorf("the evidence sent upstream lacks %q:\n%s", want, user)
		}
	}
}

func TestLLMMaxTokens(t *testing.T) {
	cs := newChatServer(t, strings.Fields(strings.Repeat("word ", 40)))
	srv, _ := newTestServer(t, Config{LLM: &LLMConfig{URL: cs.URL + "/v1/chat/completions", Model: "m"}})
	var got struct {
		Data         string
		FinishReason string `json:"finish_reason"`
		Usage        Usage
	}
	postJSON(t, srv.URL+"/v1.3/analyze", map[string]any{"video_id": newsID, "prompt": "Say words", "stream": false, "max_tokens": 10}, &got)
	if got.FinishReason != "length" || got.Usage.OutputTokens != 10 || got.Data != strings.Repeat("word", 10) {
		t.Errorf("got %+v, want ten words and finish_reason length", got)
	}
}

// logBuffer collects log lines safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLLMFallsBackToBuiltIn(t *testing.T) {
	down := newChatServer(t, nil)
	down.status = http.StatusInternalServerError
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://user:pw@" + ln.Addr().String() + "/v1"
	ln.Close() // nothing listens there now
	echoing := func(pad int) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, strings.Repeat("x", pad)+" Incorrect API key provided: "+r.Header.Get("Authorization"), http.StatusUnauthorized)
		}))
		t.Cleanup(s.Close)
		return s
	}
	echo, echoAtCut := echoing(0), echoing(250)
	tests := []struct{ name, url string }{
		{"connection refused", closedURL},
		{"server error", down.URL + "/v1"},
		{"refusal echoing the key", echo.URL + "/v1"},
		{"refusal echoing the key where the log cuts it", echoAtCut.URL + "/v1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuffer
			srv, _ := newTestServer(t, Config{
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				LLM:    &LLMConfig{URL: tc.url, Model: "m", APIKey: "sk-never-logged"},
			})
			text, end := joined(t, analyzeStream(t, srv.URL, map[string]any{"video_id": newsID, "prompt": "What did the governor say about water?", "temperature": 0}))
			if end.FinishReason != "stop" || !strings.Contains(text, "bottled water") {
				t.Errorf("fallback answer %q (finish %q) is not the built-in one", text, end.FinishReason)
			}
			l := logs.String()
			if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "unreachable") || !strings.Contains(l, "built-in") {
				t.Errorf("the log does not say the model was unreachable:\n%s", l)
			}
			if strings.Contains(l, "sk-never") || strings.Contains(l, "pw@") {
				t.Errorf("the log leaks a credential:\n%s", l)
			}
		})
	}
}

func TestLLMStopReachesUpstream(t *testing.T) {
	cs := newChatServer(t, []string{"First words", " and more"})
	cs.hold = true
	srv, _ := newTestServer(t, Config{LLM: &LLMConfig{URL: cs.URL + "/v1", Model: "m"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := strings.NewReader(`{"video_id":"` + newsID + `","prompt":"Tell me about the fire","stream":true}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1.3/analyze", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"First words"`) {
			break
		}
	}
	cancel() // the person stops, or leaves the page
	select {
	case <-cs.closed:
	case <-time.After(testwait.Bound(t)):
		t.Fatal("the upstream model server never saw its connection closed")
	}
}

func TestLLMConfigRejected(t *testing.T) {
	for _, c := range []LLMConfig{{URL: "ftp://x/v1", Model: "m"}, {URL: "http://127.0.0.1:1/v1"}, {URL: "::", Model: "m"}} {
		if _, err := New(Config{Catalog: &fakeCatalog{}, LLM: &c}); err == nil {
			t.Errorf("LLM config %+v accepted", c)
		}
	}
}
