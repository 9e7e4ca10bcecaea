package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/pipeline"
	"glimpse/internal/testwait"
)

// makeVideo renders a synthetic clip with ffmpeg's lavfi sources.
func makeVideo(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", name, err, b)
	}
	return out
}

// lavfi returns ffmpeg arguments for a test pattern with a tone.
func lavfi(seconds float64, w, h int, extra ...string) []string {
	d := fmt.Sprint(seconds)
	return append([]string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=25:duration=%s", w, h, d),
		"-f", "lavfi", "-i", "sine=frequency=440:duration=" + d,
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-shortest",
	}, extra...)
}

type testEngine struct {
	*engine.Engine
	srv     *httptest.Server
	dataDir string
	key     string
}

func startEngine(t *testing.T, cfg engine.Config) *testEngine {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.APIKey == "" {
		cfg.APIKey = "test-key"
	}
	cfg.AllowPrivateURLs = true
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(eng)
	t.Cleanup(func() {
		srv.Close()
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
	})
	return &testEngine{Engine: eng, srv: srv, dataDir: cfg.DataDir, key: cfg.APIKey}
}

func newServer(eng *engine.Engine) *httptest.Server { return httptest.NewServer(eng.Handler()) }

// call does a request and decodes a JSON answer into out (if non-nil).
func (e *testEngine) call(t *testing.T, method, path string, body any, out any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/v1.3"+path, rd)
	req.Header.Set("x-api-key", e.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode, b
}

func (e *testEngine) createIndex(t *testing.T, name string, addons ...string) string {
	t.Helper()
	var out struct {
		ID string `json:"_id"`
	}
	code, b := e.call(t, "POST", "/indexes", map[string]any{"index_name": name,
		"models": []map[string]any{{"model_name": "marengo2.7", "model_options": []string{"visual", "audio"}}}, "addons": addons}, &out)
	if code != http.StatusCreated {
		t.Fatalf("create index: %d %s", code, b)
	}
	return out.ID
}

// upload posts a multipart task; file may be "" to send only fields.
func (e *testEngine) upload(t *testing.T, fields map[string]string, file string) (int, map[string]any) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if file != "" {
			fw, _ := mw.CreateFormFile("video_file", filepath.Base(file))
			f, err := os.Open(file)
			if err == nil {
				io.Copy(fw, f)
				f.Close()
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1.3/tasks", pr)
	req.Header.Set("x-api-key", e.key)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

type task struct {
	ID             string  `json:"_id"`
	IndexID        string  `json:"index_id"`
	VideoID        string  `json:"video_id"`
	Status         string  `json:"status"`
	Progress       float64 `json:"progress"`
	CreatedAt      string  `json:"created_at"`
	SystemMetadata struct {
		Filename string  `json:"filename"`
		Duration float64 `json:"duration"`
		Width    int     `json:"width"`
		Height   int     `json:"height"`
	} `json:"system_metadata"`
	HLS *struct {
		VideoURL      string   `json:"video_url"`
		ThumbnailURLs []string `json:"thumbnail_urls"`
		Status        string   `json:"status"`
	} `json:"hls"`
	Failure *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"failure"`
}

// waitTask polls a task until it is ready or failed.
func (e *testEngine) waitTask(t *testing.T, id string) task {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Bound(t))
	defer cancel()
	for {
		var tk task
		if code, b := e.call(t, "GET", "/tasks/"+id, nil, &tk); code != 200 {
			t.Fatalf("get task: %d %s", code, b)
		}
		if tk.Status == "ready" || tk.Status == "failed" {
			return tk
		}
		select {
		case <-ctx.Done():
			t.Fatalf("task %s still %s", id, tk.Status)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var (
	hexID   = regexp.MustCompile(`^[0-9a-f]{24}$`)
	rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}

// fixedParts builds the same parts whatever the catalog.
func fixedParts(p engine.Parts) func(pipeline.Catalog) (engine.Parts, error) {
	return func(pipeline.Catalog) (engine.Parts, error) { return p, nil }
}
