package understand

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/internal/testmedia"
)

// probe fills a pipeline.Video from ffprobe, as the core's validation does.
func probe(t testing.TB, src, dir string) *pipeline.Video {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", src).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", src, err)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	v := &pipeline.Video{IndexID: "idx", VideoID: "vid", SourcePath: src, Dir: dir}
	v.Duration, _ = strconv.ParseFloat(p.Format.Duration, 64)
	for _, s := range p.Streams {
		switch s.CodecType {
		case "video":
			v.Width, v.Height = s.Width, s.Height
		case "audio":
			v.HasAudio = true
		}
	}
	return v
}

var (
	exampleOnce sync.Once
	exampleDir  string
	exampleTime Timing
	exampleErr  error
)

// understoodExample runs the stage over example.mp4 once per test binary.
func understoodExample(t testing.TB) string {
	t.Helper()
	src := testmedia.Path(t, "example.mp4")
	exampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "understand-example-")
		if err != nil {
			exampleErr = err
			return
		}
		exampleDir = dir
		st, err := New(Config{})
		if err != nil {
			exampleErr = err
			return
		}
		exampleTime, exampleErr = st.RunTimed(context.Background(), probe(t, src, dir), nil)
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

func TestExampleUnderstanding(t *testing.T) {
	dir := understoodExample(t)
	t.Logf("timing: %+v", exampleTime)
	u, err := pipeline.LoadUnderstanding(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Clips) < 20 {
		t.Fatalf("only %d clips for a 160 s video", len(u.Clips))
	}
	prevEnd := 0.0
	for i, c := range u.Clips {
		if c.Start != prevEnd {
			t.Errorf("clip %d starts at %.2f, previous ended at %.2f", i, c.Start, prevEnd)
		}
		if l := c.End - c.Start; l < 0.99 || l > maxClip+1 {
			t.Errorf("clip %d is %.2f s long", i, l)
		}
		if _, err := os.Stat(filepath.Join(dir, c.Thumbnail)); err != nil {
			t.Errorf("clip %d thumbnail: %v", i, err)
		}
		prevEnd = c.End
	}
	if prevEnd < u.Duration-0.01 {
		t.Errorf("clips end at %.2f of %.2f", prevEnd, u.Duration)
	}
	// The report cuts from the studio to aerial footage at about 10 s.
	found := false
	for _, s := range u.Shots {
		if s > 8 && s < 13 {
			found = true
		}
	}
	if !found {
		t.Errorf("no shot change near the cut to aerial footage: %v", u.Shots)
	}

	var text []string
	for _, s := range u.OnScreen {
		text = append(text, strings.ToLower(s.Text))
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"bottled water", "toxic chemicals", "toxic train fallout"} {
		if !strings.Contains(all, want) {
			t.Errorf("on-screen text lacks %q", want)
		}
	}
	var speech []string
	for _, s := range u.Transcript {
		speech = append(speech, s.Text)
	}
	said := strings.Join(speech, " ")
	for _, want := range []string{"train", "toxic", "authorities investigating"} {
		if !strings.Contains(said, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if testing.Verbose() {
		for _, s := range u.OnScreen {
			t.Logf("text %6.1f-%6.1f %s", s.Start, s.End, s.Text)
		}
		for _, s := range u.Transcript {
			t.Logf("said %6.1f-%6.1f %s", s.Start, s.End, s.Text)
		}
		for _, c := range u.Clips {
			t.Logf("clip %6.1f-%6.1f", c.Start, c.End)
		}
	}
}
