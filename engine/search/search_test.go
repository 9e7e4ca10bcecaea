package search

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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
	"glimpse/internal/testmedia"
)

// memCatalog is an in-memory pipeline.Catalog: the engine core's SQLite
// catalog is not part of this package.
type memCatalog struct {
	mu      sync.Mutex
	indexes map[string][]string // models by index id
	videos  map[string]*pipeline.VideoMeta
}

func (c *memCatalog) ReadyVideos(context.Context) ([]pipeline.VideoMeta, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []pipeline.VideoMeta
	for _, v := range c.videos {
		out = append(out, *v)
	}
	return out, nil
}

func (c *memCatalog) FindVideo(_ context.Context, id string) (*pipeline.VideoMeta, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.videos[id]
	if v == nil {
		return nil, wire.NotFound("no video " + id)
	}
	cp := *v
	return &cp, nil
}

func (c *memCatalog) IndexModels(_ context.Context, id string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	models, ok := c.indexes[id]
	if !ok {
		return nil, wire.NotFound("no index " + id)
	}
	return models, nil
}

const (
	exampleIndex = "6650aa0000000000000000aa"
	exampleVideo = "6650bb0000000000000000bb"
	// pegasusIndex has a generation model only, so no search.
	pegasusIndex = "6650cc0000000000000000cc"
)

var (
	exampleOnce sync.Once
	exampleDir  string
	exampleErr  error
)

// exampleVideoDir runs the real understanding stage over example.mp4 once.
func exampleVideoDir(t testing.TB) string {
	t.Helper()
	src := testmedia.Path(t, "example.mp4")
	exampleOnce.Do(func() {
		exampleDir, exampleErr = os.MkdirTemp("", "search-example-")
		if exampleErr != nil {
			return
		}
		st, err := understand.New(understand.Config{})
		if err != nil {
			exampleErr = err
			return
		}
		exampleErr = st.Run(context.Background(), &pipeline.Video{IndexID: exampleIndex, VideoID: exampleVideo,
			SourcePath: src, Dir: exampleDir, Duration: 160.61, Width: 640, Height: 360, HasAudio: true}, nil)
	})
	if exampleErr != nil {
		t.Fatalf("understand example.mp4: %v", exampleErr)
	}
	return exampleDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if exampleDir != "" {
		os.RemoveAll(exampleDir)
	}
	os.Exit(code)
}

// harness is a search over the example video, served over HTTP by engine/api.
type harness struct {
	srv     *httptest.Server
	media   *wire.MediaLinks
	search  *Search
	catalog *memCatalog
	now     time.Time
	mu      sync.Mutex
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := exampleVideoDir(t)
	h := &harness{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	h.catalog = &memCatalog{indexes: map[string][]string{exampleIndex: {"marengo3.0"}, pegasusIndex: {"pegasus1.2"}}, videos: map[string]*pipeline.VideoMeta{
		exampleVideo: {IndexID: exampleIndex, VideoID: exampleVideo, Filename: "example.mp4", Duration: 160.61,
			Width: 640, Height: 360, Dir: dir, Ready: true, UserMetadata: map[string]any{"channel": "news", "year": float64(2023)}},
	}}
	st, err := understand.New(understand.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h.search = New(Config{Catalog: h.catalog, PageTTL: 10 * time.Minute, Embedder: st,
		Now: func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now }})
	if err := h.search.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.media = wire.NewMediaLinks("/engine", nil, 0)
	h.srv = httptest.NewServer(ServeAPI(h.search, h.media))
	t.Cleanup(func() { h.srv.Close(); h.search.Close() })
	return h
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// form is a multipart form: repeated keys allowed, files by path.
type form struct {
	fields [][2]string
	files  [][2]string
}

func (f form) encode(t testing.TB) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, kv := range f.fields {
		w.WriteField(kv[0], kv[1])
	}
	for _, kv := range f.files {
		fw, err := w.CreateFormFile(kv[0], filepath.Base(kv[1]))
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(kv[1])
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func (h *harness) post(t testing.TB, path string, f form) (int, []byte) {
	t.Helper()
	body, ct := f.encode(t)
	resp, err := http.Post(h.srv.URL+"/v1.3"+path, ct, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (h *harness) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(h.srv.URL + "/v1.3" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func decodePage(t testing.TB, b []byte) pageJSON {
	t.Helper()
	var p pageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("decode page: %v: %s", err, b)
	}
	return p
}

func textQuery(q string, extra ...[2]string) form {
	f := form{fields: [][2]string{{"index_id", exampleIndex}, {"query_text", q},
		{"search_options", "visual"}, {"search_options", "audio"}}}
	f.fields = append(f.fields, extra...)
	return f
}

// frameText OCRs the video's frame at t with tesseract, independently of
// the engine's own OCR, to check what a result really shows.
func frameText(t testing.TB, at float64) string {
	t.Helper()
	png := filepath.Join(t.TempDir(), "frame.png")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-ss", strconv.FormatFloat(at, 'f', 2, 64),
		"-i", testmedia.Path(t, "example.mp4"), "-frames:v", "1", "-vf", "scale=1280:-2", png).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	out, err := exec.Command("tesseract", png, "stdout").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return strings.ToLower(strings.Join(strings.Fields(string(out)), " "))
}

func TestCaptionQueriesRankCaptionClipsInTopThree(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ query, onScreen string }{
		{"bottled water", "bottled water"},
		{"East Palestine", "east pal"}, // the caption misspells it "Palesteen"
		{"toxic chemicals", "toxic chemicals"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, b := h.post(t, "/search", textQuery(tt.query, [2]string{"page_limit", "3"}))
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, b)
			}
			p := decodePage(t, b)
			if len(p.Data) == 0 {
				t.Fatal("no results")
			}
			var seen []string
			for _, r := range p.Data {
				text := frameText(t, (r.Start+r.End)/2)
				if strings.Contains(text, tt.onScreen) {
					return
				}
				seen = append(seen, fmt.Sprintf("%.1f-%.1f score %.1f: %q", r.Start, r.End, r.Score, text))
			}
			t.Errorf("no top-3 clip shows %q:\n%s", tt.onScreen, strings.Join(seen, "\n"))
		})
	}
}

func TestImageQueryRanksAerialShotsFirst(t *testing.T) {
	h := newHarness(t)
	code, b := h.post(t, "/search", form{
		fields: [][2]string{{"index_id", exampleIndex}, {"search_options", "visual"}, {"query_media_type", "image"}, {"threshold", "none"}},
		files:  [][2]string{{"query_media_file", testmedia.Path(t, "search_sample.png")}},
	})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, b)
	}
	p := decodePage(t, b)
	if len(p.Data) == 0 {
		t.Fatal("no results")
	}
	// Aerial footage of the derailment, seen in the frames: full screen
	// from 10 s to 24 s, and in the right half of a split screen from 43 s to 78 s.
	aerial := [][2]float64{{10, 24}, {43, 78}}
	top := p.Data[0]
	ok := false
	for _, a := range aerial {
		if top.Start < a[1] && top.End > a[0] {
			ok = true
		}
	}
	if !ok {
		t.Errorf("top clip %.1f-%.1f (score %.1f) is not aerial footage", top.Start, top.End, top.Score)
	}
	// An absolute, signed media URL: /engine/media/{video}/{token}/clips/...
	rest, ok := strings.CutPrefix(top.ThumbnailURL, h.srv.URL+"/engine/media/"+exampleVideo+"/")
	if _, file, _ := strings.Cut(rest, "/"); !ok || !strings.HasPrefix(file, "clips/") || !h.media.Valid(exampleVideo, rest[:strings.Index(rest, "/")]) {
		t.Errorf("thumbnail_url %q is not a signed, absolute media URL", top.ThumbnailURL)
	}
}

func TestSpeechPhraseInTopFive(t *testing.T) {
	h := newHarness(t)
	f, err := understand.LoadFeatures(exampleVideoDir(t))
	if err != nil {
		t.Fatal(err)
	}
	// When the words were said, by the recogniser's own timing.
	var said float64 = -1
	for i := 0; i+2 < len(f.Words); i++ {
		// The recogniser hears "lawsuits" or "lawsuit" depending on its settings.
		if f.Words[i].Word == "class" && f.Words[i+1].Word == "action" && strings.HasPrefix(f.Words[i+2].Word, "lawsuit") {
			said = f.Words[i].Start
		}
	}
	if said < 0 {
		t.Fatal(`the transcript lacks "class action lawsuit(s)", which the correspondent says at about 1:44`)
	}
	code, b := h.post(t, "/search", form{fields: [][2]string{{"index_id", exampleIndex},
		{"query_text", "class action lawsuit"}, {"search_options", "audio"}, {"page_limit", "5"}}})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, b)
	}
	for _, r := range decodePage(t, b).Data {
		if r.Start <= said+1 && r.End >= said-1 {
			return
		}
	}
	t.Errorf("no top-5 clip covers %.1f s: %s", said, b)
}

func TestAbsentThingsFindNothingAtMedium(t *testing.T) {
	h := newHarness(t)
	for _, q := range []string{"purple elephant ballet", "chocolate cake recipe", "snowboarding in the alps", "astronaut"} {
		t.Run(q, func(t *testing.T) {
			code, b := h.post(t, "/search", textQuery(q, [2]string{"threshold", "medium"}))
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, b)
			}
			if p := decodePage(t, b); len(p.Data) != 0 {
				t.Errorf("found %d results, first %.1f-%.1f score %.1f", len(p.Data), p.Data[0].Start, p.Data[0].End, p.Data[0].Score)
			}
		})
	}
}

func TestWordFormsAndSynonyms(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ query, onScreen string }{
		{"derailed trains", "derailment of a train"},  // word forms
		{"railroad collision", "cargo train crashed"}, // near-synonyms
		{"residents gathering", "residents in ohio gathered"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, b := h.post(t, "/search", form{fields: [][2]string{{"index_id", exampleIndex},
				{"query_text", tt.query}, {"search_options", "visual"}, {"page_limit", "3"}, {"threshold", "medium"}}})
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, b)
			}
			for _, r := range decodePage(t, b).Data {
				if strings.Contains(frameText(t, (r.Start+r.End)/2), tt.onScreen) {
					return
				}
			}
			t.Errorf("no top-3 clip shows %q: %s", tt.onScreen, b)
		})
	}
}
