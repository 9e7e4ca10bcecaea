package ingest

import (
	"fmt"
	"math"
	"strings"

	"glimpse/engine/media"
	"glimpse/engine/pipeline"
)

// Limits of the live service for indexing.
const (
	MinDuration    = 4.0
	MaxDuration    = 2 * 3600.0
	MinSide        = 360
	MaxLongSide    = 3840
	MaxShortSide   = 2160
	MaxAspectRatio = 2.4
)

// Validate checks a probed upload against the live service's limits and
// returns the failure a client would get, or nil.
func Validate(info *media.Info) *pipeline.StageError {
	switch {
	case isPlaylist(info.Format):
		return &pipeline.StageError{Code: "video_file_broken", Message: "The file is a playlist that refers to other files, not a video; upload the video itself."}
	case !info.HasVideo:
		return &pipeline.StageError{Code: "video_file_broken", Message: "The file has no video stream; upload a video file."}
	case info.Width <= 0 || info.Height <= 0:
		return &pipeline.StageError{Code: "video_file_broken", Message: "The video stream has no frame size; the file may be damaged."}
	case info.Duration <= 0:
		return &pipeline.StageError{Code: "video_file_broken", Message: "The video's duration could not be read; the file may be damaged."}
	case info.Duration < MinDuration:
		return &pipeline.StageError{Code: "video_duration_too_short",
			Message: fmt.Sprintf("The video is %.1f s long; videos must be %g s to %g h.", info.Duration, MinDuration, MaxDuration/3600)}
	case info.Duration > MaxDuration:
		return &pipeline.StageError{Code: "video_duration_too_long",
			Message: fmt.Sprintf("The video is %.1f min long; videos must be %g s to %g h.", info.Duration/60, MinDuration, MaxDuration/3600)}
	}
	long, short := max(info.Width, info.Height), min(info.Width, info.Height)
	switch {
	case short < MinSide:
		return &pipeline.StageError{Code: "video_resolution_too_low",
			Message: fmt.Sprintf("The video is %dx%d; both sides must be at least %d pixels.", info.Width, info.Height, MinSide)}
	case long > MaxLongSide || short > MaxShortSide:
		return &pipeline.StageError{Code: "video_resolution_too_high",
			Message: fmt.Sprintf("The video is %dx%d; the largest size accepted is %dx%d.", info.Width, info.Height, MaxLongSide, MaxShortSide)}
	case float64(long)/float64(short) > MaxAspectRatio+1e-9:
		return &pipeline.StageError{Code: "video_resolution_invalid_aspect_ratio",
			Message: fmt.Sprintf("The video is %dx%d, an aspect ratio of %.2f:1; at most %.1f:1 is accepted.", info.Width, info.Height,
				math.Round(float64(long)/float64(short)*100)/100, MaxAspectRatio)}
	}
	return nil
}

// isPlaylist reports whether ffprobe read the file with a demuxer that
// follows references to other files or URLs: such a file would have the
// engine read whatever it names on the engine's own machine.
func isPlaylist(format string) bool {
	for name := range strings.SplitSeq(format, ",") {
		switch name {
		case "hls", "applehttp", "dash", "concat":
			return true
		}
	}
	return false
}
