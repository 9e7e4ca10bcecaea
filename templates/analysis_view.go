package templates

import (
	"time"

	"glimpse/webfmt"
)

// AnalysisPanel is the view model of the watch page's analysis panel.
type AnalysisPanel struct {
	IndexID, VideoID string
	// Ready is false when nothing could be generated; Error then says why.
	Ready       bool
	Error       string
	Title       string
	Topics      []string
	Hashtags    []string
	Summary     string // model-written Markdown, rendered with SafeMarkdown
	Chapters    []AnalysisMoment
	Highlights  []AnalysisMoment
	GeneratedAt time.Time
}

// AnalysisMoment is a chapter or a highlight: a stretch of the video the
// player seeks to when it is clicked.
type AnalysisMoment struct {
	Start, End float64
	Title      string
	Text       string
}

// Answer states.
const (
	AnswerStreaming = "streaming"
	AnswerDone      = "done"
	AnswerStopped   = "stopped"
	AnswerFailed    = "failed"
)

// AnswerView is one answer to a question about the video.
type AnswerView struct {
	IndexID, VideoID, ID string
	Prompt               string
	Text                 string // Markdown written so far
	State                string
	// Note says how the answer ended when it did not simply finish.
	Note string
}

// AnalysisURL is the panel's URL; POST to it asks afresh.
func AnalysisURL(indexID, videoID string) string { return webfmt.AnalysisURL(indexID, videoID) }

// AnswersURL takes a question (POST).
func AnswersURL(indexID, videoID string) string { return webfmt.AnswersURL(indexID, videoID) }

// AnswerEventsURL is the SSE stream of one answer.
func AnswerEventsURL(indexID, videoID, id string) string {
	return webfmt.AnswerEventsURL(indexID, videoID, id)
}

// AnswerStopURL stops one answer (POST).
func AnswerStopURL(indexID, videoID, id string) string {
	return webfmt.AnswerStopURL(indexID, videoID, id)
}

// AnswerBodyHTML is the answer's text as safe HTML on one line, the data of
// an SSE event.
func AnswerBodyHTML(markdown string) string { return oneLine(SafeMarkdown(markdown)) }

// OneLine fits rendered HTML into one SSE data field.
func OneLine(html string) string { return oneLine(html) }
