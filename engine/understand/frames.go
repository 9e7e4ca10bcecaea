package understand

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"glimpse/engine/media"
)

// frame is one decoded picture, packed RGB, row after row.
type frame struct {
	Time float64
	W, H int
	Pix  []byte // len W*H*3
}

// decodeSize picks the decoding size: the source's own up to 640 wide, so
// captions stay legible for OCR while decoding and features stay cheap.
func decodeSize(w, h int) (int, int) {
	if w <= 0 || h <= 0 {
		return 640, 360
	}
	if w > 640 {
		h = h * 640 / w
		w = 640
	}
	// Even sizes for the scaler, and never 0: a zero-sized frame reads no
	// bytes, so the decoding loop would never end.
	return max(w&^1, 2), max(h&^1, 2)
}

// decodeFrames runs ffmpeg once over src and hands fn one frame every
// 1/fps seconds. fn must not keep f.Pix: its buffer is reused.
func decodeFrames(ctx context.Context, ffmpeg, src string, srcW, srcH int, fps float64, fn func(f *frame) error) error {
	w, h := decodeSize(srcW, srcH)
	cmd := media.Command(ctx, ffmpeg, "-nostdin", "-v", "error", "-i", src,
		"-an", "-sn", "-vf", fmt.Sprintf("fps=%g,scale=%d:%d:flags=area", fps, w, h),
		"-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start ffmpeg: %w", err)
	}
	r := bufio.NewReaderSize(out, 1<<20)
	f := &frame{W: w, H: h, Pix: make([]byte, w*h*3)}
	var fnErr error
	for i := 0; ; i++ {
		if _, err := io.ReadFull(r, f.Pix); err != nil {
			break
		}
		f.Time = float64(i) / fps
		if fnErr = fn(f); fnErr != nil {
			// The rest of the video is not wanted: stop ffmpeg rather than
			// decode it all into the drain below.
			_ = cmd.Process.Kill()
			break
		}
	}
	_, _ = io.Copy(io.Discard, r)
	waitErr := cmd.Wait()
	if fnErr != nil {
		return fnErr
	}
	if waitErr != nil {
		return fmt.Errorf("ffmpeg decode: %v: %s", waitErr, lastLine(stderr.String()))
	}
	return nil
}

func lastLine(s string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if i := bytes.LastIndexByte([]byte(s), '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
