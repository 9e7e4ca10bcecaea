package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

// stageTimes is a slog handler that keeps the ingest's "stage done" records.
type stageTimes struct {
	mu    sync.Mutex
	took  map[string]time.Duration
	attrs []slog.Attr
}

func (s *stageTimes) Enabled(context.Context, slog.Level) bool { return true }
func (s *stageTimes) WithAttrs(a []slog.Attr) slog.Handler     { return s }
func (s *stageTimes) WithGroup(string) slog.Handler            { return s }
func (s *stageTimes) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "understood video" {
		// the understanding stage's own split: its parts run side by side
		r.Attrs(func(a slog.Attr) bool {
			if a.Value.Kind() == slog.KindDuration && a.Key != "took" {
				s.mu.Lock()
				s.took["understand."+a.Key] = a.Value.Duration()
				s.mu.Unlock()
			}
			return true
		})
		return nil
	}
	if r.Message != "stage done" {
		return nil
	}
	var stage string
	var took time.Duration
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "stage":
			stage = a.Value.String()
		case "took":
			took = a.Value.Duration()
		}
		return true
	})
	s.mu.Lock()
	s.took[stage] += took
	s.mu.Unlock()
	return nil
}

type localEngine struct {
	srv *httptest.Server
}

func startLocal(t testing.TB, log *slog.Logger) *localEngine {
	t.Helper()
	eng, err := full.New(full.Config{Config: engine.Config{DataDir: t.TempDir(), Logger: log, AllowPrivateURLs: true}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(eng.Handler())
	t.Cleanup(func() {
		srv.Close()
		eng.Close()
	})
	return &localEngine{srv: srv}
}

func (e *localEngine) do(t testing.TB, method, path, ct string, body io.Reader) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, body)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("x-api-key", "any")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *localEngine) multipart(t testing.TB, path string, fields [][2]string, fileField, file string) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != "" {
		fw, _ := w.CreateFormFile(fileField, filepath.Base(file))
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return e.do(t, "POST", path, w.FormDataContentType(), &b)
}

// ingest creates an index, uploads file and waits until the task is ready.
func (e *localEngine) ingest(t testing.TB, file string) (indexID, videoID string) {
	t.Helper()
	code, b := e.do(t, "POST", "/v1.3/indexes", "application/json", strings.NewReader(
		`{"index_name":"search-`+fmt.Sprint(time.Now().UnixNano())+`","models":[{"model_name":"marengo2.7","model_options":["visual","audio"]}]}`))
	var idx struct {
		ID string `json:"_id"`
	}
	if json.Unmarshal(b, &idx); code != 201 || idx.ID == "" {
		t.Fatalf("create index: %d %s", code, b)
	}
	code, b = e.multipart(t, "/v1.3/tasks", [][2]string{{"index_id", idx.ID}}, "video_file", file)
	var task struct {
		ID      string `json:"_id"`
		VideoID string `json:"video_id"`
		Status  string `json:"status"`
		Failure any    `json:"failure"`
	}
	if json.Unmarshal(b, &task); code >= 300 || task.ID == "" {
		t.Fatalf("upload: %d %s", code, b)
	}
	deadline := time.Now().Add(testwait.Bound(t))
	for time.Now().Before(deadline) {
		_, b = e.do(t, "GET", "/v1.3/tasks/"+task.ID, "", nil)
		json.Unmarshal(b, &task)
		if task.Status == "ready" {
			return idx.ID, task.VideoID
		}
		if task.Status == "failed" {
			t.Fatalf("task failed: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("task not ready: %s", b)
	return "", ""
}

type result struct {
	VideoID      string  `json:"video_id"`
	Start        float64 `json:"start"`
	End          float64 `json:"end"`
	Score        float64 `json:"score"`
	ThumbnailURL string  `json:"thumbnail_url"`
}

func (e *localEngine) search(t testing.TB, indexID, q string, options ...string) []result {
	t.Helper()
	fields := [][2]string{{"index_id", indexID}, {"query_text", q}}
	for _, o := range options {
		fields = append(fields, [2]string{"search_options", o})
	}
	code, b := e.multipart(t, "/v1.3/search", fields, "", "")
	var page struct{ Data []result }
	if json.Unmarshal(b, &page); code != 200 {
		t.Fatalf("search %q: %d %s", q, code, b)
	}
	return page.Data
}

// TestLocalEngineEndToEnd ingests a made-up news clip (a caption drawn by
// ffmpeg over a LibriVox reading) through the whole local engine and finds
// it by its caption and by its speech, then loses it when it is deleted.
func TestLocalEngineEndToEnd(t *testing.T) {
	wav := "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav"
	if _, err := os.Stat(wav); err != nil {
		t.Fatalf("pocketsphinx-testdata missing (scripts/deps.sh test): %v", err)
	}
	video := filepath.Join(t.TempDir(), "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x203050:s=640x360:r=25:d=10",
		"-i", wav, "-vf", "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='Residents told to drink bottled water':fontsize=28:fontcolor=white:x=30:y=290",
		"-af", "apad", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", video).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	e := startLocal(t, slog.New(slog.DiscardHandler))
	indexID, videoID := e.ingest(t, video)

	byCaption := e.search(t, indexID, "bottled water", "visual")
	if len(byCaption) == 0 || byCaption[0].VideoID != videoID {
		t.Fatalf("caption search found %+v", byCaption)
	}
	resp, err := http.Get(byCaption[0].ThumbnailURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail %s: %d %s", byCaption[0].ThumbnailURL, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := e.search(t, indexID, "cold hearted and selfish", "audio"); len(got) == 0 {
		t.Errorf("speech search found nothing")
	}
	_, b := e.do(t, "GET", "/v1.3/indexes/"+indexID+"/videos/"+videoID+"?transcription=true", "", nil)
	if !strings.Contains(string(b), "selfish") {
		t.Errorf("transcription lacks what was said: %.400s", b)
	}
	if code, b := e.do(t, "DELETE", "/v1.3/indexes/"+indexID+"/videos/"+videoID, "", nil); code >= 300 {
		t.Fatalf("delete: %d %s", code, b)
	}
	if got := e.search(t, indexID, "bottled water", "visual"); len(got) != 0 {
		t.Errorf("deleted video still found: %+v", got)
	}
}

// BenchmarkExampleIngest times example.mp4 from upload to ready through the
// whole local engine (core media stages and understanding), and where the
// time went:
//
//	go test ./engine/search/ -run XXX -bench ExampleIngest -benchtime 1x
func BenchmarkExampleIngest(b *testing.B) {
	src := testmedia.Path(b, "example.mp4")
	for b.Loop() {
		times := &stageTimes{took: map[string]time.Duration{}}
		e := startLocal(b, slog.New(times))
		t0, c0 := time.Now(), cpuSeconds()
		e.ingest(b, src)
		total := time.Since(t0)
		b.ReportMetric(total.Seconds(), "s-upload-to-ready")
		// CPU time of the engine and the tools it ran (ffmpeg, tesseract,
		// pocketsphinx): what the work costs whatever else the machine runs.
		b.ReportMetric(cpuSeconds()-c0, "cpu-s")
		var names []string
		for n := range times.took {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			b.ReportMetric(times.took[n].Seconds(), "s-"+n)
		}
	}
}

func cpuSeconds() float64 {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	ns := self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano()
	return float64(ns) / 1e9
}
