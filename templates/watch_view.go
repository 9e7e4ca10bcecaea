package templates

import (
	"fmt"
	"strconv"
)

// WatchView is the watch page: one video, played from a matching moment.
type WatchView struct {
	IndexID, VideoID string
	Title, Filename  string
	Duration         float64
	Size             int64
	Width, Height    int
	// Start is where playback begins; End, when above Start, closes the
	// matched clip marked on the timeline.
	Start, End float64
	// StreamURL is the HLS playlist; empty when the video can't be played,
	// and StreamMessage says why.
	StreamURL     string
	StreamMessage string
	PosterURL     string
	// Thumbnail redirects to a fresh poster when PosterURL expired.
	Thumbnail string
	Metadata  MetadataView

	// Query says what was searched; SearchURL goes back to its results.
	Query     string
	SearchURL string
	// MatchPosition is this moment's place among MatchCount matches (0: not among them).
	MatchPosition, MatchCount int
	Prev, Next                *MatchLink
	// Marks are this video's matching moments, on the timeline and in the list.
	Marks       []MatchMark
	OtherVideos []ResultCard
	// MatchesError says why the other matches couldn't be loaded.
	MatchesError string
}

// MatchLink leads to the previous or next matching moment.
type MatchLink struct {
	URL, Range, VideoID, Title string
}

// MatchMark is one matching moment of the watched video.
type MatchMark struct {
	Clip    ClipView
	Current bool
}

// MetadataView is the video's user metadata and the form that edits it.
type MetadataView struct {
	URL  string
	Rows []MetadataRow
	// Notice and Error report the last save.
	Notice, Error string
	// NewKey and NewValue refill the empty row when a save was refused.
	NewKey, NewValue string
}

// MetadataRow is one user metadata entry; nested values are not editable here.
type MetadataRow struct {
	Key, Value string
	Editable   bool
	// Remove keeps "remove" ticked when a save was refused.
	Remove bool
}

// HasClip reports whether a matched range is marked.
func (v WatchView) HasClip() bool { return v.End > v.Start }

// TimelineSpan is where a range sits on the timeline, in percent of its
// width. watch.js applies it: the page's policy allows no style attribute.
type TimelineSpan struct{ Left, Width string }

// ClipSpan places the matched range on the timeline.
func (v WatchView) ClipSpan() TimelineSpan { return timelineSpan(v.Start, v.End, v.Duration) }

// MarkSpan places a match on the timeline.
func (v WatchView) MarkSpan(m MatchMark) TimelineSpan {
	return timelineSpan(m.Clip.Start, m.Clip.End, v.Duration)
}

func timelineSpan(start, end, duration float64) TimelineSpan {
	if duration <= 0 {
		return TimelineSpan{"0", "0"}
	}
	left := 100 * start / duration
	width := 100 * (end - start) / duration
	left = min(max(left, 0), 100)
	width = min(max(width, 0.6), 100-left)
	return TimelineSpan{fmt.Sprintf("%.3f", left), fmt.Sprintf("%.3f", width)}
}

// SizeText is the file size in words.
func (v WatchView) SizeText() string { return HumanBytes(v.Size) }

// Resolution is width×height, when known.
func (v WatchView) Resolution() string {
	if v.Width == 0 || v.Height == 0 {
		return ""
	}
	return strconv.Itoa(v.Width) + "×" + strconv.Itoa(v.Height)
}

// MatchCounter says which match this is, e.g. "Match 3 of 24".
func (v WatchView) MatchCounter() string {
	if v.MatchPosition == 0 || v.MatchCount == 0 {
		return ""
	}
	return fmt.Sprintf("Match %d of %d", v.MatchPosition, v.MatchCount)
}

// markClips are the clips of the marks, for the strength legend.
func markClips(marks []MatchMark) []ClipView {
	out := make([]ClipView, len(marks))
	for i, m := range marks {
		out[i] = m.Clip
	}
	return out
}
