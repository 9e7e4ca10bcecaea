package understand

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/internal/testmedia"
)

// TestPictureFailureStopsSpeech: once the picture pass has failed the video
// is refused whatever the speech says, so speech recognition must stop
// rather than decode the rest of the audio first.
func TestPictureFailureStopsSpeech(t *testing.T) {
	st, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The picture pass cannot make its clips directory: it fails at once.
	v := pipeline.Video{SourcePath: testmedia.Path(t, "example.mp4"), Dir: notADir, Duration: 160, Width: 640, Height: 360, HasAudio: true}
	var mu sync.Mutex
	var seen []float64
	err = st.Run(context.Background(), &v, func(f float64) {
		mu.Lock()
		seen = append(seen, f)
		mu.Unlock()
	})
	var se *pipeline.StageError
	if !errors.As(err, &se) || se.Code != "video_file_broken" {
		t.Fatalf("got %v, want a video_file_broken stage error", err)
	}
	// Progress is half pictures (none here) and half speech, of which
	// recognition itself reports up to 95%: 0.475 means it decoded everything.
	for _, f := range seen {
		if f >= 0.5*0.95-1e-9 && f < 0.5-1e-9 {
			t.Fatalf("speech was decoded to the end (progress %.3f) after the picture pass failed", f)
		}
	}
}
