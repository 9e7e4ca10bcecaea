package generate

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
)

// The SDK's example.mp4 understood once by the real understanding stage
// (pocketsphinx, tesseract, shot detection), shared by the tests below.
var example struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if example.dir != "" {
		os.RemoveAll(example.dir)
	}
	os.Exit(code)
}

// testdataDir is $GLIMPSE_TESTDATA, or the repository's .cache.
func testdataDir(t *testing.T) string {
	if d := os.Getenv("GLIMPSE_TESTDATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".cache")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test: set GLIMPSE_TESTDATA (make testdata)")
		}
		dir = parent
	}
}

// exampleServer serves generation over the understood example video.
func exampleServer(t *testing.T) (srvURL string, u *pipeline.Understanding) {
	t.Helper()
	src := filepath.Join(testdataDir(t), "media", "example.mp4")
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("the SDK's example.mp4 is missing (%v): run `make testdata`", err)
	}
	example.once.Do(func() {
		example.dir, example.err = os.MkdirTemp("", "glimpse-generate-example-")
		if example.err != nil {
			return
		}
		st, err := understand.New(understand.Config{})
		if err != nil {
			example.err = err
			return
		}
		example.err = st.Run(context.Background(), &pipeline.Video{
			IndexID: "65a000000000000000000001", VideoID: newsID, SourcePath: src, Dir: example.dir,
			Duration: 160.05, Width: 640, Height: 360, FPS: 25, HasAudio: true,
		}, nil)
	})
	if example.err != nil {
		t.Fatalf("understanding example.mp4: %v", example.err)
	}
	u, err := pipeline.LoadUnderstanding(example.dir)
	if err != nil {
		t.Fatal(err)
	}
	cat := &fakeCatalog{videos: map[string]*pipeline.VideoMeta{newsID: {
		IndexID: "65a000000000000000000001", VideoID: newsID, Filename: "example.mp4", Duration: 160.05, Dir: example.dir, Ready: true,
	}}}
	srv, _ := newTestServer(t, Config{Catalog: cat})
	return srv.URL, u
}

func TestExampleGist(t *testing.T) {
	url, _ := exampleServer(t)
	var got Gist
	if s := postJSON(t, url+"/v1.3/gist", map[string]any{"video_id": newsID, "types": []string{"title", "topic", "hashtag"}}, &got); s != 200 {
		t.Fatalf("status %d", s)
	}
	named := strings.ToLower(strings.Join(append(got.Topics, got.Hashtags...), " "))
	for _, subject := range []string{"derail", "ohio"} {
		if !strings.Contains(named, subject) {
			t.Errorf("topics %q and hashtags %q do not name %q", got.Topics, got.Hashtags, subject)
		}
	}
	if !strings.Contains(strings.ToLower(got.Title), "train") {
		t.Errorf("title %q does not name the train", got.Title)
	}
}

// Where the report changes, read off its frames and captions:
//   - scenes: the studio anchor hands over to the correspondent at 0:30; the
//     correspondent goes split-screen with footage at 0:45.5, full screen
//     again at 1:18 and split-screen at 1:28.5;
//   - subjects: the caption under the strap changes (residents, governor,
//     warning, the crash, the derailment, …) at these times.
var (
	exampleScenes   = []float64{30, 45.5, 78, 88.5}
	exampleSubjects = []float64{40, 52, 62, 74, 84, 96, 106, 118, 128, 140, 150}
)

func TestExampleChapters(t *testing.T) {
	url, u := exampleServer(t)
	var got Summary
	if s := postJSON(t, url+"/v1.3/summarize", map[string]any{"video_id": newsID, "type": "chapter"}, &got); s != 200 {
		t.Fatalf("status %d", s)
	}
	if len(got.Chapters) < 3 {
		t.Fatalf("%d chapters for a 160 s report of several scenes", len(got.Chapters))
	}
	end := 0.0
	for _, c := range got.Chapters {
		if c.StartSec != end {
			t.Fatalf("chapter %d starts at %.2f, the previous ended at %.2f", c.ChapterNumber, c.StartSec, end)
		}
		end = c.EndSec
	}
	if math.Abs(end-u.Duration) > 0.5 {
		t.Errorf("chapters end at %.2f, the video at %.2f", end, u.Duration)
	}
	near := func(at float64, ts []float64) bool {
		for _, x := range ts {
			if math.Abs(at-x) <= 2 {
				return true
			}
		}
		return false
	}
	if !near(got.Chapters[1].StartSec, exampleScenes[:1]) {
		t.Errorf("the first chapter ends at %.2f; the anchor hands over at 0:30", got.Chapters[1].StartSec)
	}
	atScene := 0
	for _, c := range got.Chapters[1:] {
		switch {
		case near(c.StartSec, exampleScenes):
			atScene++
		case near(c.StartSec, exampleSubjects):
		default:
			t.Errorf("chapter %d starts at %.2f, neither a change of scene %v nor of subject %v", c.ChapterNumber, c.StartSec, exampleScenes, exampleSubjects)
		}
	}
	if atScene < 2 {
		t.Errorf("only %d chapter boundaries at a change of scene %v", atScene, exampleScenes)
	}
}

func TestExampleAnalyze(t *testing.T) {
	url, _ := exampleServer(t)
	tests := []struct {
		prompt   string
		contains []string
	}{
		{"What were residents told about drinking water?", []string{"bottled water", "0:5"}},
		{"What caused the fire?", []string{"derailment", "fire"}},
		{"Who won the football match?", []string{"do not mention", "cannot answer"}},
	}
	for _, tc := range tests {
		t.Run(tc.prompt, func(t *testing.T) {
			var got struct{ Data string }
			postJSON(t, url+"/v1.3/analyze", map[string]any{"video_id": newsID, "prompt": tc.prompt, "temperature": 0, "stream": false}, &got)
			for _, c := range tc.contains {
				if !strings.Contains(strings.ToLower(got.Data), c) {
					t.Errorf("answer lacks %q:\n%s", c, got.Data)
				}
			}
		})
	}
}
