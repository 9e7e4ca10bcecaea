package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// imageWidth caps posters and thumbnails; they are previews.
const imageWidth = 640

// Frame writes one JPEG of the frame at second `at` to out (atomically),
// scaled down to at most imageWidth wide.
func (t Tools) Frame(ctx context.Context, src string, at float64, out string) error {
	tmp := out + ".tmp.jpg"
	args := []string{"-nostdin", "-v", "error", "-y", "-ss", strconv.FormatFloat(max(0, at), 'f', 3, 64), "-i", src,
		"-frames:v", "1", "-an", "-vf", fmt.Sprintf("scale='min(%d,iw)':-2", imageWidth), "-q:v", "4", tmp}
	cmd := Command(ctx, t.ffmpeg(), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &FFmpegError{Detail: firstLine(stderr.String(), err.Error())}
	}
	if st, err := os.Stat(tmp); err != nil || st.Size() == 0 {
		os.Remove(tmp)
		return &FFmpegError{Detail: fmt.Sprintf("no frame at %.2f s", at)}
	}
	return os.Rename(tmp, out)
}

// Thumbnails writes count JPEGs spread evenly over the video into dir as
// thumb_01.jpg... and returns their names.
func (t Tools) Thumbnails(ctx context.Context, src, dir string, duration float64, count int, progress func(float64)) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	names := make([]string, 0, count)
	for i := range count {
		name := fmt.Sprintf("thumb_%02d.jpg", i+1)
		at := duration * (float64(i) + 0.5) / float64(count)
		if err := t.Frame(ctx, src, at, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		names = append(names, name)
		if progress != nil {
			progress(float64(i+1) / float64(count))
		}
	}
	return names, nil
}
