package webapp

import (
	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// TaskView turns an API task into its card's view.
func TaskView(t tlclient.Task) templates.TaskView {
	v := templates.TaskView{
		ID: t.ID, IndexID: t.IndexID, VideoID: t.VideoID, Status: t.Status,
		Filename: t.SystemMetadata.Filename,
		Duration: webfmt.Length(t.SystemMetadata.Duration),
		Created:  webfmt.Date(t.CreatedAt), Updated: webfmt.Date(t.UpdatedAt),
	}
	if t.Progress != nil {
		v.Progress, v.HasProgress = min(max(*t.Progress, 0), 100), true
	}
	if t.HLS != nil && len(t.HLS.ThumbnailURLs) > 0 {
		v.Thumbnail = t.HLS.ThumbnailURLs[0]
	}
	if t.Status == tlclient.TaskReady && t.VideoID != "" {
		v.WatchURL = webfmt.WatchURL(t.IndexID, t.VideoID)
	}
	if t.Status == tlclient.TaskFailed {
		v.Failure = failureReason(t.Failure)
	}
	return v
}

// failureReason is why a task failed, in plain words: the API's message
// when it gave one, else a sentence for the code, else a general one.
func failureReason(f *tlclient.TaskFailure) string {
	if f == nil {
		return "The API could not index this video and did not say why. Check that it is a playable video of 4 s to 2 h, at least 360p."
	}
	if f.Message != "" {
		return f.Message
	}
	switch f.Code {
	case "video_duration_too_short":
		return "The video is too short: videos must be at least 4 seconds long."
	case "video_duration_too_long":
		return "The video is too long: videos may be at most 2 hours long."
	case "video_resolution_too_low":
		return "The video's resolution is too low: it must be at least 360p."
	case "video_resolution_too_high":
		return "The video's resolution is too high."
	case "video_file_broken":
		return "The file is not a video the API can read; it may be broken or in an unsupported format."
	}
	return "The API could not index this video (" + f.Code + ")."
}
