package understand

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"glimpse/internal/testwait"
)

// TestDecodeFramesStopsFFmpegWhenTheCallbackFails feeds real ffmpeg an endless
// Y4M stream through a FIFO: a callback error must stop ffmpeg at once, not
// wait for the rest of the video (here: forever, until the context ends).
func TestDecodeFramesStopsFFmpegWhenTheCallbackFails(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("ffmpeg not installed (run make test, which installs it): %v", err)
	}
	fifo := filepath.Join(t.TempDir(), "endless.y4m")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() { // writes frames until ffmpeg stops reading
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		if _, err := f.WriteString("YUV4MPEG2 W64 H64 F2:1 Ip A1:1 C420jpeg\n"); err != nil {
			return
		}
		pic := make([]byte, 64*64*3/2)
		for {
			if _, err := f.WriteString("FRAME\n"); err != nil {
				return
			}
			if _, err := f.Write(pic); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Bound(t))
	defer cancel()
	stop := errors.New("callback failed")
	err = decodeFrames(ctx, ffmpeg, fifo, 64, 64, 2, func(*frame) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the callback's error", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("decodeFrames returned only when the context ended (%v): ffmpeg kept decoding after the callback failed", ctx.Err())
	}
}

// TestDecodeFramesOfTinyPictures: sizes that round to zero (1 pixel wide,
// or a sliver after scaling to 640 wide) must still decode to real frames,
// a bounded number of them; a zero-sized frame would loop forever.
func TestDecodeFramesOfTinyPictures(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("ffmpeg not installed (run make test, which installs it): %v", err)
	}
	tests := []struct {
		name string
		w, h int
	}{
		{"one pixel", 1, 1},
		{"one pixel high", 8, 1},
		{"a sliver once scaled", 1920, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w, h := decodeSize(tt.w, tt.h); w < 2 || h < 2 {
				t.Errorf("decodeSize(%d, %d) = %d x %d", tt.w, tt.h, w, h)
			}
			src := filepath.Join(t.TempDir(), "tiny.mkv")
			if out, err := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i",
				"color=c=red:size=16x16:rate=5:duration=3,format=rgb24,scale="+strconv.Itoa(tt.w)+":"+strconv.Itoa(tt.h), "-c:v", "ffv1", src).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v %s", err, out)
			}
			calls := 0
			err := decodeFrames(context.Background(), ffmpeg, src, tt.w, tt.h, 2, func(f *frame) error {
				calls++
				if len(f.Pix) == 0 {
					return errors.New("empty frame")
				}
				return nil
			})
			if err != nil || calls < 1 || calls > 10 {
				t.Errorf("err %v after %d frames; want about 6 frames of 3 s at 2 fps", err, calls)
			}
		})
	}
}
