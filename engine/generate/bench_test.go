package generate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glimpse/engine/pipeline"
)

// denseReport is a 160 s understanding at least as dense as what the
// understanding stage makes of example.mp4 (about 500 words in 8 s spans,
// a caption reading every 2 s): the fixture report's sentences and
// captions, cycled.
func denseReport() *pipeline.Understanding {
	base := newsReport()
	var said []string
	for _, s := range base.Transcript {
		said = append(said, strings.Fields(s.Text)...)
	}
	u := &pipeline.Understanding{Duration: 160, Shots: base.Shots}
	w := 0
	for t := 0.0; t+8 <= 160; t += 8 {
		var span []string
		for range 26 {
			span = append(span, said[w%len(said)])
			w++
		}
		u.Transcript = append(u.Transcript, pipeline.Span{Start: t, End: t + 7.8, Text: strings.Join(span, " ")})
	}
	for i, t := 0, 0.0; t+2 <= 160; i, t = i+1, t+2 {
		c := base.OnScreen[i%len(base.OnScreen)]
		u.OnScreen = append(u.OnScreen, pipeline.Span{Start: t, End: t + 2, Text: c.Text})
	}
	return u
}

func benchServer(b *testing.B) string {
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, newsID), 0o755); err != nil {
		b.Fatal(err)
	}
	meta := &pipeline.VideoMeta{VideoID: newsID, Filename: "report.mp4", Duration: 160, Dir: filepath.Join(dir, newsID), Ready: true}
	if err := denseReport().Save(meta.Dir); err != nil {
		b.Fatal(err)
	}
	srv, _ := newTestServer(b, Config{Catalog: &fakeCatalog{videos: map[string]*pipeline.VideoMeta{newsID: meta}}})
	return srv.URL
}

func benchPost(b *testing.B, url string, body map[string]any) *http.Response {
	raw, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
	return resp
}

// BenchmarkAnalyzeFirstEvent times a streamed analyze request from sending
// it to reading its first NDJSON event (stream_start), its first piece of
// text, and the end of the stream.
func BenchmarkAnalyzeFirstEvent(b *testing.B) {
	url := benchServer(b) + "/v1.3/analyze"
	var first, text, whole time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		resp := benchPost(b, url, map[string]any{"video_id": newsID, "prompt": "What did the governor tell residents about water?", "stream": true})
		r := bufio.NewReader(resp.Body)
		if _, err := r.ReadBytes('\n'); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		line, err := r.ReadBytes('\n')
		if err != nil || !bytes.Contains(line, []byte(`"text_generation"`)) {
			b.Fatalf("second event %q: %v", line, err)
		}
		text += time.Since(start)
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		whole += time.Since(start)
		n++
	}
	b.ReportMetric(float64(first.Microseconds())/float64(n)/1000, "ms/first-event")
	b.ReportMetric(float64(text.Microseconds())/float64(n)/1000, "ms/first-text")
	b.ReportMetric(float64(whole.Microseconds())/float64(n)/1000, "ms/stream")
}

// BenchmarkSummarize times gist and each summarize type of the 160 s video
// over HTTP, understanding loaded from disk each time as in service.
func BenchmarkSummarize(b *testing.B) {
	url := benchServer(b)
	cases := []struct {
		name, path string
		body       map[string]any
	}{
		{"gist", "/v1.3/gist", map[string]any{"video_id": newsID, "types": []string{"title", "topic", "hashtag"}}},
		{"summary", "/v1.3/summarize", map[string]any{"video_id": newsID, "type": "summary"}},
		{"chapter", "/v1.3/summarize", map[string]any{"video_id": newsID, "type": "chapter"}},
		{"highlight", "/v1.3/summarize", map[string]any{"video_id": newsID, "type": "highlight"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp := benchPost(b, url+c.path, c.body)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
