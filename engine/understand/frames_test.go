package understand

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
