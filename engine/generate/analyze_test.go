package generate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// streamEvent is one NDJSON line of an analyze stream.
type streamEvent struct {
	EventType    string `json:"event_type"`
	Text         string `json:"text"`
	FinishReason string `json:"finish_reason"`
	Metadata     struct {
		GenerationID string `json:"generation_id"`
		Usage        *Usage `json:"usage"`
	} `json:"metadata"`
	Error *struct{ Message string } `json:"error"`
}

// analyzeStream posts a streaming analyze request and returns its events,
// failing on any line not ended by a newline.
func analyzeStream(t *testing.T, srvURL string, body map[string]any) []streamEvent {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(srvURL+"/v1.3/analyze", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.HasSuffix(raw, []byte("\n")) {
		t.Fatalf("the last line does not end in a newline; the SDK would drop it: %q", raw[max(0, len(raw)-80):])
	}
	var evs []streamEvent
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var e streamEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q is not one JSON object: %v", line, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// joined checks the stream's framing and returns its text and last event.
func joined(t *testing.T, evs []streamEvent) (string, streamEvent) {
	t.Helper()
	if len(evs) < 3 || evs[0].EventType != "stream_start" || evs[0].Metadata.GenerationID == "" {
		t.Fatalf("stream does not open with stream_start and a generation id: %+v", evs[:min(1, len(evs))])
	}
	last := evs[len(evs)-1]
	if last.EventType != "stream_end" || last.Metadata.GenerationID != evs[0].Metadata.GenerationID || last.Metadata.Usage == nil {
		t.Fatalf("stream does not close with stream_end carrying the same id and usage: %+v", last)
	}
	var b strings.Builder
	for _, e := range evs[1 : len(evs)-1] {
		if e.EventType != "text_generation" {
			t.Fatalf("unexpected event %+v between start and end", e)
		}
		b.WriteString(e.Text)
	}
	return b.String(), last
}

func TestAnalyzeStream(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	prompt := "What did the governor tell people about water?"
	evs := analyzeStream(t, srv.URL, map[string]any{"video_id": newsID, "prompt": prompt, "temperature": 0, "stream": true})
	text, end := joined(t, evs)
	if end.FinishReason != "stop" {
		t.Errorf("finish_reason %q, want stop", end.FinishReason)
	}
	if len(evs) < 10 {
		t.Errorf("%d events: the text should arrive in small pieces", len(evs))
	}
	for _, e := range evs[1 : len(evs)-1] {
		if n := len(strings.Fields(e.Text)); n > 3 {
			t.Errorf("piece %q has %d words; pieces should be small", e.Text, n)
		}
	}
	if end.Metadata.Usage.OutputTokens != countTokens(text) {
		t.Errorf("usage.output_tokens %d, the text has %d", end.Metadata.Usage.OutputTokens, countTokens(text))
	}
	for _, want := range []string{"bottled water", "1:02", "governor"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	ev := evidenceText()
	for _, q := range quotes(text) {
		if !strings.Contains(ev, strings.ToLower(q)) && !strings.Contains(strings.ToLower(prompt), strings.ToLower(q)) {
			t.Errorf("answer quotes %q, which neither the video nor the prompt says", q)
		}
	}

	// The same request without streaming gives the same text at temperature 0.
	var whole struct {
		ID           string
		Data         string
		FinishReason string `json:"finish_reason"`
		Usage        Usage
	}
	postJSON(t, srv.URL+"/v1.3/analyze", map[string]any{"video_id": newsID, "prompt": prompt, "temperature": 0, "stream": false}, &whole)
	if whole.Data != text || whole.FinishReason != "stop" || whole.ID == "" || whole.Usage.OutputTokens != countTokens(text) {
		t.Errorf("non-stream answer %v differs from the stream %q", whole, text)
	}
}

func TestAnalyzeAnswers(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	tests := []struct {
		name     string
		video    string
		prompt   string
		window   []float64
		contains []string
		absent   []string
	}{
		{name: "question the video answers", video: newsID, prompt: "Why did the train crash?",
			contains: []string{"overheated axle", "1:5"}},
		{name: "question the video cannot answer", video: newsID, prompt: "What recipe does the chef cook?",
			contains: []string{"do not mention", "“chef”", "cannot answer"}, absent: []string{"**"}},
		{name: "half answered", video: newsID, prompt: "What did Norfolk Southern say about the weather?",
			contains: []string{"norfolk southern", "“weather”"}},
		{name: "summary request", video: newsID, prompt: "Summarize this video in a few sentences.",
			contains: []string{"2:40", "0:00", "derail"}},
		{name: "title and hashtags", video: newsID, prompt: "Give me a title and hashtags for SEO",
			contains: []string{"**Title:**", "#Ohio"}},
		{name: "chapters", video: newsID, prompt: "Make a table of contents with chapters",
			contains: []string{"1. **0:00–0:30**", "2. **0:30"}},
		{name: "window without the answer", video: newsID, prompt: "What did the governor say about water?", window: []float64{0, 30},
			contains: []string{"do not mention", "“governor”"}},
		{name: "window with the answer", video: newsID, prompt: "What did the governor say about water?", window: []float64{60, 90},
			contains: []string{"1:02", "bottled water"}, absent: []string{"0:48"}},
		{name: "silent video", video: silentID, prompt: "What is said about the budget?",
			contains: []string{"no detected speech or on-screen text"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct{ Data string }
			body := map[string]any{"video_id": tc.video, "prompt": tc.prompt, "temperature": 0, "stream": false}
			if tc.window != nil {
				body["start_time"], body["end_time"] = tc.window[0], tc.window[1]
			}
			if s := postJSON(t, srv.URL+"/v1.3/analyze", body, &got); s != 200 {
				t.Fatalf("status %d", s)
			}
			checkMentions(t, got.Data, tc.contains, tc.absent)
		})
	}
}

func TestAnalyzeNamesVideo(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"video_id (SDK 1.3.1)", map[string]any{"video_id": newsID}, 200, ""},
		{"video asset_id (SDK 1.3.4)", map[string]any{"video": map[string]any{"type": "asset_id", "asset_id": newsID}}, 200, ""},
		{"video url of this engine's media", map[string]any{"video": map[string]any{"type": "url", "url": "http://127.0.0.1:9/media/" + newsID + "/hls/index.m3u8"}}, 200, ""},
		{"video url elsewhere", map[string]any{"video": map[string]any{"type": "url", "url": "https://example.com/a.mp4"}}, 400, "parameter_invalid"},
		{"video as base64", map[string]any{"video": map[string]any{"type": "base64_string", "base64_string": "AAAA"}}, 400, "parameter_invalid"},
		{"no video", map[string]any{}, 400, "parameter_not_provided"},
		{"unknown video", map[string]any{"video_id": missingID}, 404, "resource_not_exist"},
		{"unknown asset", map[string]any{"video": map[string]any{"type": "asset_id", "asset_id": missingID}}, 404, "resource_not_exist"},
		{"video still indexing", map[string]any{"video_id": pendingID}, 400, "video_not_ready"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.body["prompt"] = "What happened to the train?"
			tc.body["stream"] = false
			var got struct{ Code, Data string }
			status := postJSON(t, srv.URL+"/v1.3/analyze", tc.body, &got)
			if status != tc.status || got.Code != tc.code {
				t.Fatalf("got %d %q, want %d %q", status, got.Code, tc.status, tc.code)
			}
			if status == 200 && !strings.Contains(got.Data, "derail") {
				t.Errorf("answer %q does not come from the news video", got.Data)
			}
		})
	}
}

func TestAnalyzeRefusesBadInput(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	long := strings.Repeat("Describe the derailment and the fire in detail. ", 190) // about 2,090 tokens
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"prompt over 2,000 tokens", `{"video_id":"` + newsID + `","prompt":"` + long + `"}`, 400, "token_limit_exceeded"},
		{"prompt over 2,000 tokens, streaming", `{"video_id":"` + newsID + `","stream":true,"prompt":"` + long + `"}`, 400, "token_limit_exceeded"},
		{"prompt over the 1 MB body limit", `{"video_id":"` + newsID + `","prompt":"` + strings.Repeat("derailment ", 100_000) + `"}`, 400, "token_limit_exceeded"},
		{"no prompt", `{"video_id":"` + newsID + `"}`, 400, "parameter_not_provided"},
		{"temperature above 1", `{"video_id":"` + newsID + `","prompt":"x","temperature":1.2}`, 400, "parameter_invalid"},
		{"negative temperature", `{"video_id":"` + newsID + `","prompt":"x","temperature":-0.1}`, 400, "parameter_invalid"},
		{"max_tokens 0", `{"video_id":"` + newsID + `","prompt":"x","max_tokens":0}`, 400, "parameter_invalid"},
		{"max_tokens above 4096", `{"video_id":"` + newsID + `","prompt":"x","max_tokens":5000}`, 400, "parameter_invalid"},
		{"window backwards", `{"video_id":"` + newsID + `","prompt":"x","start_time":50,"end_time":20}`, 400, "parameter_invalid"},
		{"window past the end", `{"video_id":"` + newsID + `","prompt":"x","start_time":170}`, 400, "parameter_invalid"},
		{"response_format", `{"video_id":"` + newsID + `","prompt":"x","response_format":{"type":"json_schema"}}`, 400, "parameter_invalid"},
		{"not JSON", `{"video_id":`, 400, "parameter_invalid"},
		{"prompt not a string", `{"video_id":"` + newsID + `","prompt":7}`, 400, "parameter_invalid"},
	}
	if n := countTokens(long); n <= 2000 || n > 2600 {
		t.Fatalf("the long prompt is %d tokens; the test needs just over 2,000", n)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/v1.3/analyze", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct{ Code, Message string }
			_ = json.NewDecoder(resp.Body).Decode(&got)
			if resp.StatusCode != tc.status || got.Code != tc.code || got.Message == "" {
				t.Errorf("got %d %q %q, want %d %q with a message", resp.StatusCode, got.Code, got.Message, tc.status, tc.code)
			}
		})
	}
}

func TestAnalyzeMaxTokens(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	for _, stream := range []bool{true, false} {
		body := map[string]any{"video_id": newsID, "prompt": "Summarize the video", "temperature": 0, "max_tokens": 25, "stream": stream}
		var text, finish string
		var used int
		if stream {
			var end streamEvent
			text, end = joined(t, analyzeStream(t, srv.URL, body))
			finish, used = end.FinishReason, end.Metadata.Usage.OutputTokens
		} else {
			var got struct {
				Data         string
				FinishReason string `json:"finish_reason"`
				Usage        Usage
			}
			postJSON(t, srv.URL+"/v1.3/analyze", body, &got)
			text, finish, used = got.Data, got.FinishReason, got.Usage.OutputTokens
		}
		if finish != "length" || used > 25 || used < 15 || countTokens(text) != used {
			t.Errorf("stream=%v: finish %q, %d tokens used, text %d tokens: want length and at most 25", stream, finish, used, countTokens(text))
		}
	}
}

func TestAnalyzeTemperature(t *testing.T) {
	prompt := "What did residents and officials say about the derailment and the water?"
	answer := func(cfg Config, temp float64) string {
		srv, _ := newTestServer(t, cfg)
		var got struct{ Data string }
		postJSON(t, srv.URL+"/v1.3/analyze", map[string]any{"video_id": newsID, "prompt": prompt, "temperature": temp, "stream": false}, &got)
		return got.Data
	}
	// Temperature 0 is deterministic whatever the seed.
	if a, b := answer(Config{}, 0), answer(Config{Seed: 99}, 0); a != b || a == "" {
		t.Fatalf("temperature 0 gave two answers:\n%s\n---\n%s", a, b)
	}
	// Above 0 a fixed seed repeats, and different seeds vary the answer.
	if a, b := answer(Config{Seed: 7}, 1), answer(Config{Seed: 7}, 1); a != b {
		t.Errorf("the same seed gave two answers at temperature 1")
	}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 8; seed++ {
		seen[answer(Config{Seed: seed}, 1)] = true
	}
	if len(seen) < 2 {
		t.Errorf("eight seeds at temperature 1 gave one answer; sampling has no effect")
	}
}

// cancelAfterFirstPiece is a ResponseWriter that cancels the request once
// the first piece of text is written, as a client that stops would.
type cancelAfterFirstPiece struct {
	*httptest.ResponseRecorder
	cancel func()
	pieces int
}

func (w *cancelAfterFirstPiece) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte(`"text_generation"`)) {
		w.pieces++
		w.cancel()
	}
	return w.ResponseRecorder.Write(b)
}

func TestAnalyzeStopsWhenCancelled(t *testing.T) {
	_, g := newTestServer(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := `{"video_id":"` + newsID + `","prompt":"Summarize the video","stream":true}`
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1.3/analyze", strings.NewReader(body))
	w := &cancelAfterFirstPiece{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
	ServeAPI(g).ServeHTTP(w, r)
	if w.pieces != 1 {
		t.Errorf("%d pieces written after the client left; generation must stop at once", w.pieces-1)
	}
	if strings.Contains(w.Body.String(), "stream_end") {
		t.Errorf("a stream_end was written to a client that left")
	}
	// Uncancelled, the same answer runs to well over one piece.
	full := httptest.NewRecorder()
	ServeAPI(g).ServeHTTP(full, httptest.NewRequest(http.MethodPost, "/v1.3/analyze", strings.NewReader(body)))
	if n := strings.Count(full.Body.String(), "text_generation"); n < 20 {
		t.Fatalf("the full answer has %d pieces; the test needs a long one", n)
	}
	sc := bufio.NewScanner(strings.NewReader(full.Body.String()))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %q is not JSON", sc.Text())
		}
	}
}

// checkMentions fails t when answer lacks any of contains or has any of
// absent, case-insensitively.
func checkMentions(t *testing.T, answer string, contains, absent []string) {
	t.Helper()
	lower := strings.ToLower(answer)
	for _, c := range contains {
		if !strings.Contains(lower, strings.ToLower(c)) {
			t.Errorf("answer lacks %q:\n%s", c, answer)
		}
	}
	for _, a := range absent {
		if strings.Contains(lower, strings.ToLower(a)) {
			t.Errorf("answer has %q:\n%s", a, answer)
		}
	}
}
