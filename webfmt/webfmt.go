// Package webfmt is how the web app writes clock times, durations and its
// own addresses: one formatter and one URL builder, used by handlers,
// webapp and templates alike, so a page, an SSE fragment and a redirect
// never disagree on "1:05" or on where a video's watch page lives.
package webfmt

import (
	"fmt"
	"math"
	"net/url"
	"time"
)

// Clock writes a position or length in seconds as m:ss, or h:mm:ss from an
// hour on. Seconds are truncated, so a link to 1:05 never seeks past the
// moment it names; negative and NaN read as 0.
func Clock(sec float64) string {
	if sec < 0 || math.IsNaN(sec) {
		sec = 0
	}
	t := int(sec)
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// Length is Clock for a length that may be unknown: 0 or less is "".
func Length(sec float64) string {
	if sec <= 0 || math.IsNaN(sec) {
		return ""
	}
	return Clock(sec)
}

// IndexURL is an index's page.
func IndexURL(indexID string) string { return "/indexes/" + url.PathEscape(indexID) }

// VideoURL is the root of a video's pages (…/watch, …/thumbnail,
// …/metadata, …/analysis, …/rename, …/delete).
func VideoURL(indexID, videoID string) string {
	return IndexURL(indexID) + "/videos/" + url.PathEscape(videoID)
}

// WatchURL is a video's watch page.
func WatchURL(indexID, videoID string) string { return VideoURL(indexID, videoID) + "/watch" }

// TaskURL is a task's details page.
func TaskURL(taskID string) string { return "/tasks/" + url.PathEscape(taskID) }

// AnalysisURL is a video's analysis panel; POST to it asks afresh.
func AnalysisURL(indexID, videoID string) string { return VideoURL(indexID, videoID) + "/analysis" }

// AnswersURL takes a question about a video (POST).
func AnswersURL(indexID, videoID string) string { return AnalysisURL(indexID, videoID) + "/answers" }

// AnswerEventsURL is the SSE stream of one answer.
func AnswerEventsURL(indexID, videoID, answerID string) string {
	return AnswersURL(indexID, videoID) + "/" + url.PathEscape(answerID) + "/events"
}

// AnswerStopURL stops one answer (POST).
func AnswerStopURL(indexID, videoID, answerID string) string {
	return AnswersURL(indexID, videoID) + "/" + url.PathEscape(answerID) + "/stop"
}

// EventsURL is the SSE stream named stream (see handlers' /events/:stream).
func EventsURL(stream string) string { return "/events/" + url.PathEscape(stream) }

// Date writes a moment for people, in the server's zone; zero is "".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2 Jan 2006 15:04")
}
