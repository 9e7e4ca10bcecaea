package understand

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"glimpse/engine/pipeline"
)

func TestStageEdgeCases(t *testing.T) {
	st, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	silentPattern := filepath.Join(dir, "pattern.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=480x360:rate=25:duration=5",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", silentPattern).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	broken := filepath.Join(dir, "broken.mp4")
	if err := os.WriteFile(broken, []byte("this is not a video at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		video    pipeline.Video
		wantCode string // "" = succeeds
	}{
		{"no audio stream", pipeline.Video{SourcePath: silentPattern, Duration: 5, Width: 480, Height: 360}, ""},
		{"audio option off", pipeline.Video{SourcePath: silentPattern, Duration: 5, Width: 480, Height: 360, HasAudio: true, ModelOptions: []string{"visual"}}, ""},
		{"broken file", pipeline.Video{SourcePath: broken, Duration: 5, Width: 480, Height: 360, HasAudio: true}, "video_file_broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.video
			v.Dir = t.TempDir()
			err := st.Run(context.Background(), &v, nil)
			if tt.wantCode != "" {
				var se *pipeline.StageError
				if !errors.As(err, &se) || se.Code != tt.wantCode || se.Message == "" {
					t.Fatalf("got %v, want a %s stage error", err, tt.wantCode)
				}
				if _, err := os.Stat(filepath.Join(v.Dir, "understanding.json")); err == nil {
					t.Error("a failed run left understanding.json behind")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := pipeline.LoadUnderstanding(v.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Clips) == 0 || len(u.Transcript) != 0 || u.Clips[len(u.Clips)-1].End != 5 {
				t.Errorf("clips %+v, transcript %+v", u.Clips, u.Transcript)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		v := pipeline.Video{SourcePath: silentPattern, Dir: t.TempDir(), Duration: 5, Width: 480, Height: 360, HasAudio: true}
		if err := st.Run(ctx, &v, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

func FuzzParseTSV(f *testing.F) {
	f.Add("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tWater\n")
	f.Add("5\t1\t1\t1\t1\t1\t0\t0\t10\t10\tx\t\"quoted\n")
	f.Fuzz(func(t *testing.T, s string) {
		lines, err := parseTSV(strings.NewReader(s), 1)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Conf < minLineConf || l.Text == "" {
				t.Errorf("kept doubtful line %+v", l)
			}
		}
	})
}
