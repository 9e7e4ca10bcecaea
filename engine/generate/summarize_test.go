package generate

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// postJSON posts body to the test server and decodes the JSON answer.
func postJSON(t *testing.T, url string, body any, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode
}

var timestampRE = regexp.MustCompile(`\b\d+:\d\d\b`)

// evidenceText is every word the fixture video says or shows, for checking
// that quotes come from it.
func evidenceText() string {
	u := newsReport()
	var b strings.Builder
	for _, s := range append(u.Transcript, u.OnScreen...) {
		b.WriteString(strings.ToLower(oneLine(s.Text)) + " ")
	}
	return b.String()
}

// quotes returns the “...” quotations in s.
func quotes(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`“([^”]+)”`).FindAllStringSubmatch(s, -1) {
		out = append(out, strings.TrimSuffix(m[1], "…"))
	}
	return out
}

func TestGist(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	tests := []struct {
		name                  string
		types                 []string
		wantTitle, wantTopics bool
		wantHashtags          bool
		status                int
		code                  string
	}{
		{name: "all three", types: []string{"title", "topic", "hashtag"}, wantTitle: true, wantTopics: true, wantHashtags: true, status: 200},
		{name: "title only", types: []string{"title"}, wantTitle: true, status: 200},
		{name: "hashtags only", types: []string{"hashtag"}, wantHashtags: true, status: 200},
		{name: "unknown type", types: []string{"title", "mood"}, status: 400, code: "parameter_invalid"},
		{name: "no types", types: nil, status: 400, code: "parameter_not_provided"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Gist
				Code string `json:"code"`
			}
			status := postJSON(t, srv.URL+"/v1.3/gist", map[string]any{"video_id": newsID, "types": tc.types}, &got)
			if status != tc.status || got.Code != tc.code {
				t.Fatalf("status %d code %q, want %d %q", status, got.Code, tc.status, tc.code)
			}
			if status != 200 {
				return
			}
			if (got.Title != "") != tc.wantTitle || (len(got.Topics) > 0) != tc.wantTopics || (len(got.Hashtags) > 0) != tc.wantHashtags {
				t.Fatalf("got title %q topics %v hashtags %v for types %v", got.Title, got.Topics, got.Hashtags, tc.types)
			}
			if got.ID == "" || got.Usage.OutputTokens <= 0 {
				t.Errorf("id %q usage %+v: want an id and output tokens", got.ID, got.Usage)
			}
			if tc.wantTopics || tc.wantHashtags {
				all := strings.ToLower(strings.Join(append(got.Topics, got.Hashtags...), " "))
				for _, subject := range []string{"derailment", "ohio", "east palestine"} {
					if !strings.Contains(all, subject) && !strings.Contains(all, strings.ReplaceAll(subject, " ", "")) {
						t.Errorf("topics %v and hashtags %v do not name %q", got.Topics, got.Hashtags, subject)
					}
				}
				for _, h := range got.Hashtags {
					if !regexp.MustCompile(`^#\w+$`).MatchString(h) {
						t.Errorf("hashtag %q is not #word", h)
					}
				}
			}
			if tc.wantTitle && !strings.Contains(strings.ToLower(got.Title), "train") {
				t.Errorf("title %q does not name the train", got.Title)
			}
		})
	}
}

func TestGistOfSilentVideoInventsNothing(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	var got Gist
	if s := postJSON(t, srv.URL+"/v1.3/gist", map[string]any{"video_id": silentID, "types": []string{"title", "topic", "hashtag"}}, &got); s != 200 {
		t.Fatalf("status %d", s)
	}
	if len(got.Topics) != 0 || len(got.Hashtags) != 0 {
		t.Errorf("a video with no speech or text got topics %v hashtags %v", got.Topics, got.Hashtags)
	}
	if got.Title != silentID {
		t.Errorf("title %q, want the file's own name %q", got.Title, silentID)
	}
	// Requested lists stay in the answer when empty: clients iterate them.
	var raw map[string]any
	postJSON(t, srv.URL+"/v1.3/gist", map[string]any{"video_id": silentID, "types": []string{"topic", "hashtag"}}, &raw)
	for _, k := range []string{"topics", "hashtags"} {
		if l, ok := raw[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, raw[k])
		}
	}
	postJSON(t, srv.URL+"/v1.3/summarize", map[string]any{"video_id": silentID, "type": "highlight"}, &raw)
	if l, ok := raw["highlights"].([]any); !ok || len(l) != 0 || raw["summarize_type"] != "highlight" {
		t.Errorf("highlights of a silent video = %#v, want [] with summarize_type", raw)
	}
}

func TestChapters(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	var got Summary
	if s := postJSON(t, srv.URL+"/v1.3/summarize", map[string]any{"video_id": newsID, "type": "chapter"}, &got); s != 200 {
		t.Fatalf("status %d", s)
	}
	if got.SummarizeType != "chapter" || len(got.Chapters) < 3 {
		t.Fatalf("summarize_type %q with %d chapters, want chapter with at least 3", got.SummarizeType, len(got.Chapters))
	}
	// In order, from 0 to the end, each starting where the last ended.
	prevEnd := 0.0
	for i, c := range got.Chapters {
		if c.ChapterNumber != i+1 || c.StartSec != prevEnd || c.EndSec <= c.StartSec || c.Start != int(math.Floor(c.StartSec)) || c.End != int(math.Floor(c.EndSec)) {
			t.Fatalf("chapter %d = %+v does not follow the previous end %.2f", i+1, c, prevEnd)
		}
		if c.ChapterTitle == "" || !timestampRE.MatchString(c.ChapterSummary) {
			t.Errorf("chapter %d has title %q and summary %q: want a title and a timestamped summary", i+1, c.ChapterTitle, c.ChapterSummary)
		}
		prevEnd = c.EndSec
	}
	if prevEnd != 160 {
		t.Errorf("chapters end at %.2f, want the video's end 160", prevEnd)
	}
	// The report moves from the crash (0:00) to the residents (0:30), the
	// governor's advice (1:01), the railroad company (1:34) and the cleanup
	// (2:08); every boundary is one of those cuts.
	subjectCuts := []float64{30.08, 61.4, 94.56, 128.32}
	for _, c := range got.Chapters[1:] {
		near := false
		for _, s := range subjectCuts {
			near = near || math.Abs(c.StartSec-s) <= 1.5
		}
		if !near {
			t.Errorf("chapter %d starts at %.2f, not at a change of subject %v", c.ChapterNumber, c.StartSec, subjectCuts)
		}
	}
	ev := evidenceText()
	for _, c := range got.Chapters {
		for _, q := range quotes(c.ChapterSummary) {
			if !strings.Contains(ev, strings.ToLower(q)) {
				t.Errorf("chapter %d quotes %q, which the video does not say or show", c.ChapterNumber, q)
			}
		}
	}
}

func TestHighlights(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	var got Summary
	if s := postJSON(t, srv.URL+"/v1.3/summarize", map[string]any{"video_id": newsID, "type": "highlight"}, &got); s != 200 {
		t.Fatalf("status %d", s)
	}
	if got.SummarizeType != "highlight" || len(got.Highlights) < 2 {
		t.Fatalf("summarize_type %q with %d highlights", got.SummarizeType, len(got.Highlights))
	}
	ev := evidenceText()
	prev := -1.0
	for _, h := range got.Highlights {
		if h.StartSec < prev || h.EndSec <= h.StartSec || h.EndSec > 160 || h.Start != int(math.Floor(h.StartSec)) || h.End != int(math.Floor(h.EndSec)) {
			t.Errorf("highlight %+v overlaps the previous one (ending %.2f) or leaves the video", h, prev)
		}
		prev = h.EndSec
		qs := quotes(h.HighlightSummary)
		if h.Highlight == "" || len(qs) == 0 {
			t.Errorf("highlight %+v: want a name and a quote", h)
		}
		for _, q := range qs {
			if !strings.Contains(ev, strings.ToLower(q)) {
				t.Errorf("highlight quotes %q, which the video does not say or show", q)
			}
		}
	}
}

func TestSummary(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	tests := []struct {
		name     string
		prompt   string
		contains []string
		absent   []string
	}{
		{name: "plain", contains: []string{"0:00", "derail", "ohio"}},
		{name: "steered to water", prompt: "Focus on what residents were told about drinking water",
			contains: []string{"bottled water", "1:0"}, absent: []string{"do not mention"}},
		{name: "steered off the video", prompt: "Focus on the football results",
			contains: []string{"“football”", "do not mention"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Summary
			body := map[string]any{"video_id": newsID, "type": "summary"}
			if tc.prompt != "" {
				body["prompt"] = tc.prompt
			}
			if s := postJSON(t, srv.URL+"/v1.3/summarize", body, &got); s != 200 {
				t.Fatalf("status %d", s)
			}
			if got.SummarizeType != "summary" {
				t.Fatalf("summarize_type %q", got.SummarizeType)
			}
			lower := strings.ToLower(got.Summary)
			for _, c := range tc.contains {
				if !strings.Contains(lower, strings.ToLower(c)) {
					t.Errorf("summary lacks %q:\n%s", c, got.Summary)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(lower, a) {
					t.Errorf("summary has %q:\n%s", a, got.Summary)
				}
			}
			ev := evidenceText()
			for _, q := range quotes(got.Summary) {
				if !strings.Contains(ev, strings.ToLower(q)) && !strings.Contains(strings.ToLower(tc.prompt), strings.ToLower(q)) {
					t.Errorf("summary quotes %q, which neither the video nor the prompt says", q)
				}
			}
		})
	}
}

func TestSummarizeErrors(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"unknown video", map[string]any{"video_id": missingID, "type": "summary"}, 404, "resource_not_exist"},
		{"video not ready", map[string]any{"video_id": pendingID, "type": "chapter"}, 400, "video_not_ready"},
		{"unknown type", map[string]any{"video_id": newsID, "type": "poem"}, 400, "parameter_invalid"},
		{"no type", map[string]any{"video_id": newsID}, 400, "parameter_not_provided"},
		{"no video", map[string]any{"type": "summary"}, 400, "parameter_not_provided"},
		{"prompt too long", map[string]any{"video_id": newsID, "type": "summary", "prompt": strings.Repeat("derailment ", 2100)}, 400, "token_limit_exceeded"},
		{"temperature out of range", map[string]any{"video_id": newsID, "type": "summary", "temperature": 1.5}, 400, "parameter_invalid"},
		{"wrong type of field", map[string]any{"video_id": 12, "type": "summary"}, 400, "parameter_invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct{ Code, Message string }
			status := postJSON(t, srv.URL+"/v1.3/summarize", tc.body, &got)
			if status != tc.status || got.Code != tc.code || got.Message == "" {
				t.Errorf("got %d %q %q, want %d %q with a message", status, got.Code, got.Message, tc.status, tc.code)
			}
		})
	}
}
