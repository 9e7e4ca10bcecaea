package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"glimpse/engine/pipeline"
)

// Files the core stages leave in a video's directory.
const (
	HLSDir        = "hls"
	ThumbnailsDir = "thumbnails"
	PosterName    = "poster.jpg"
	// ThumbnailCount is how many thumbnails an index with the thumbnail addon gets.
	ThumbnailCount = 5
)

// CoreStages are the media stages every video goes through, in order.
func (t Tools) CoreStages() []pipeline.Stage {
	return []pipeline.Stage{hlsStage{t}, posterStage{t}, thumbnailStage{t}}
}

// asStageError turns ffmpeg refusing the file into video_file_broken.
func asStageError(err error, what string) error {
	var fe *FFmpegError
	if errors.As(err, &fe) {
		return &pipeline.StageError{Code: "video_file_broken", Message: "The video could not be " + what + ": " + fe.Detail}
	}
	return err
}

type hlsStage struct{ tools Tools }

func (hlsStage) Name() string    { return "hls" }
func (hlsStage) Weight() float64 { return 6 }

// Run packages the stream, unless the video keeps none.
func (s hlsStage) Run(ctx context.Context, v *pipeline.Video, progress func(float64)) error {
	if !v.EnableStream {
		return nil
	}
	info, err := s.tools.Probe(ctx, v.SourcePath)
	if err != nil {
		return asStageError(err, "read")
	}
	plan, err := s.tools.PlanHLS(ctx, v.SourcePath, info)
	if err != nil {
		return asStageError(err, "read")
	}
	return asStageError(s.tools.PackageHLS(ctx, v.SourcePath, filepath.Join(v.Dir, HLSDir), info, plan, progress), "packaged for streaming")
}

type posterStage struct{ tools Tools }

func (posterStage) Name() string    { return "poster" }
func (posterStage) Weight() float64 { return 1 }

// Run writes thumbnails/poster.jpg from a frame a fifth into the video,
// past most fade-ins and title cards.
func (s posterStage) Run(ctx context.Context, v *pipeline.Video, _ func(float64)) error {
	dir := filepath.Join(v.Dir, ThumbnailsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return asStageError(s.tools.Frame(ctx, v.SourcePath, v.Duration*0.2, filepath.Join(dir, PosterName)), "decoded")
}

type thumbnailStage struct{ tools Tools }

func (thumbnailStage) Name() string    { return "thumbnails" }
func (thumbnailStage) Weight() float64 { return 2 }

// Run makes thumbnails only for indexes with the thumbnail addon.
func (s thumbnailStage) Run(ctx context.Context, v *pipeline.Video, progress func(float64)) error {
	if !slices.Contains(v.Addons, "thumbnail") {
		return nil
	}
	_, err := s.tools.Thumbnails(ctx, v.SourcePath, filepath.Join(v.Dir, ThumbnailsDir), v.Duration, ThumbnailCount, progress)
	return asStageError(err, "decoded")
}

// ListImages returns the poster and thumbnails present in a video's
// directory, relative to it, poster first.
func ListImages(dir string) []string {
	var out []string
	if _, err := os.Stat(filepath.Join(dir, ThumbnailsDir, PosterName)); err == nil {
		out = append(out, ThumbnailsDir+"/"+PosterName)
	}
	thumbs, _ := filepath.Glob(filepath.Join(dir, ThumbnailsDir, "thumb_*.jpg"))
	slices.Sort(thumbs)
	for _, p := range thumbs {
		out = append(out, ThumbnailsDir+"/"+filepath.Base(p))
	}
	return out
}

// HasStream reports whether a complete HLS playlist exists in dir.
func HasStream(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, HLSDir, PlaylistName))
	return err == nil
}
