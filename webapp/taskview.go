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
		v.Failure, v.FailureDetail, v.FileAtFault = failureReason(t.Failure)
	}
	return v
}

// failureReason is why a task failed, for a person: a sentence for the
// failure's code (the API's own text can be a decoder's, so it is only the
// detail behind a disclosure), whether the file itself is at fault (then
// sending the same bytes again cannot help), and the API's message.
func failureReason(f *tlclient.TaskFailure) (reason, detail string, fileAtFault bool) {
	if f == nil {
		return "The API could not index this video and did not say why. Check that it is a playable video of 4 s to 2 h, at least 360p.", "", false
	}
	detail = f.Message
	fileAtFault = true
	switch f.Code {
	case "video_file_broken":
		reason = "This file is not a video we can read (it may be damaged, or in a format we do not support)."
	case "video_duration_too_short":
		reason = "The video is too short: videos must be at least 4 seconds long."
	case "video_duration_too_long":
		reason = "The video is too long: videos may be at most 2 hours long."
	case "video_resolution_too_low":
		reason = "The video's picture is too small: it must be at least 360p."
	case "video_resolution_too_high":
		reason = "The video's picture is larger than the API accepts."
	case "video_resolution_invalid_aspect_ratio":
		reason = "The video's picture is too long and thin for the API."
	case "video_filesize_too_large":
		reason = "The file is larger than the API accepts."
	default:
		reason, fileAtFault = "The API could not index this video. Trying again may help.", false
	}
	if detail == "" && f.Code != "" {
		detail = "Code " + f.Code
	}
	return reason, detail, fileAtFault
}
