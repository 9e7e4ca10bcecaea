package understand

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
)

// EmbedVideo cuts a video file into clips and describes them, as ingest
// does, for /embed/tasks: the visual descriptors and, with an image–text
// model, its vector of each clip's middle frame (the space its text and
// image vectors share). Speech and on-screen text are not needed there.
func (s *Stage) EmbedVideo(ctx context.Context, path string) ([]ClipFeatures, error) {
	v, err := s.probe(ctx, path)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(s.workDir, "glimpse-embed-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	v.Dir = tmp
	clips, _, _, err := s.pictures(ctx, v, func(float64, rgb) error { return nil }, func(float64) {})
	if err != nil {
		return nil, err
	}
	out := make([]ClipFeatures, len(clips))
	for i, c := range clips {
		out[i] = ClipFeatures{Start: c.Start, End: c.End, Visual: c.visual, Semantic: c.semantic}
	}
	return out, nil
}

// probe reads a file's duration and picture size with ffprobe.
func (s *Stage) probe(ctx context.Context, path string) (*pipeline.Video, error) {
	ffprobe := filepath.Join(filepath.Dir(s.ffmpeg), "ffprobe")
	out, err := media.Command(ctx, ffprobe, "-v", "error", "-print_format", "json",
		"-show_format", "-show_streams", path).Output()
	if err != nil {
		return nil, fmt.Errorf("the file is not a readable video")
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
		return nil, fmt.Errorf("the file is not a readable video")
	}
	v := &pipeline.Video{SourcePath: path}
	v.Duration, _ = strconv.ParseFloat(p.Format.Duration, 64)
	for _, st := range p.Streams {
		if st.CodecType == "video" && v.Width == 0 {
			v.Width, v.Height = st.Width, st.Height
		}
	}
	if v.Width == 0 {
		return nil, fmt.Errorf("the file has no video stream")
	}
	return v, nil
}
