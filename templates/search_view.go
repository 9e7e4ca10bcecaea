package templates

import (
	"fmt"
	"strconv"
)

// SearchView is the search page: the form and, once a query ran, its results.
type SearchView struct {
	Form    SearchForm
	Indexes []IndexOption
	// IndexesError says why the index list couldn't be loaded.
	IndexesError string
	// AllWithVideos is set when the query named no index, so every index
	// with videos is searched.
	AllWithVideos bool
	// Results is nil before anything was searched.
	Results *SearchResultsView
}

// IndexOption is one index the person can search.
type IndexOption struct {
	ID, Name   string
	VideoCount int
	Selected   bool
}

// SearchForm is what the form shows filled in.
type SearchForm struct {
	Text, ImageURL string
	Visual, Audio  bool
	And            bool
	ByVideo        bool
	Threshold      string
	Filters        []FilterRowView
	// HadImage is set when the shown results came from an uploaded image,
	// which the form (like the URL) can't hold again.
	HadImage bool
}

// FilterRowView is one metadata filter row of the form.
type FilterRowView struct {
	Key, Op, Value string
}

// SearchResultsView is what a search found, per searched index.
type SearchResultsView struct {
	// Error is set when the query itself was refused (nothing was searched).
	Error string
	// Query says what was searched, in words.
	Query         string
	ImageNotInURL bool
	GroupByVideo  bool
	Sections      []ResultSection
}

// ResultSection is one index's results.
type ResultSection struct {
	IndexID, IndexName string
	// Heading is set when several indexes were searched.
	Heading bool
	Total   int
	Items   []ResultCard
	More    *MoreView
	// Error says why this index's search failed; RetryURL runs it again.
	Error    string
	RetryURL string
}

// ResultCard is one clip, or one video with its clips when grouped by video.
type ResultCard struct {
	Position int
	VideoID  string
	Title    string
	// Clip is the clip the card plays (the best one of a video group).
	Clip ClipView
	// Clips are all of a video group's matching clips.
	Clips []ClipView
}

// ClipView is one matching moment.
type ClipView struct {
	Start, End   float64
	Range        string // m:ss–m:ss
	ThumbnailURL string
	// RefreshURL redirects to a fresh thumbnail of the video when the
	// signed ThumbnailURL expired.
	RefreshURL string
	WatchURL   string
	// Match strength: Confidence and Score from older models, Rank from newer ones.
	Confidence string
	Score      string
	Rank       int
	// Why says why the moment matched, when the engine says (the local
	// engine does; the cloud API does not).
	Why []WhyView
}

// WhyView is one reason a moment matched: the quoted words and where
// they were found ("heard", "on screen", "in the picture").
type WhyView struct {
	Source string
	Quote  string
	// Unsure: heard, but the speech recogniser was not sure of the words.
	Unsure bool
}

// Strength is the match strength as the card shows it.
func (c ClipView) Strength() string {
	switch {
	case c.Rank > 0:
		return "#" + strconv.Itoa(c.Rank)
	case c.Confidence != "" && c.Score != "":
		return c.Confidence + " · " + c.Score
	case c.Confidence != "":
		return c.Confidence
	case c.Score != "":
		return c.Score
	}
	return ""
}

// StrengthLabel is Strength in words, for screen readers.
func (c ClipView) StrengthLabel() string {
	switch {
	case c.Rank > 0:
		return fmt.Sprintf("Match rank %d", c.Rank)
	case c.Confidence != "" && c.Score != "":
		return fmt.Sprintf("%s confidence, score %s", c.Confidence, c.Score)
	case c.Confidence != "":
		return c.Confidence + " confidence"
	case c.Score != "":
		return "score " + c.Score
	}
	return "match strength not given"
}

// StrengthClass colours the badge by confidence (rank has no colour).
func (c ClipView) StrengthClass() string {
	switch c.Confidence {
	case "high", "medium", "low":
		return "strength strength-" + c.Confidence
	}
	return "strength"
}

// Searched are the names of the indexes searched.
func (v SearchView) Searched() []string {
	var names []string
	for _, ix := range v.Indexes {
		if ix.Selected {
			names = append(names, ix.Name)
		}
	}
	return names
}

// strengthKinds says which kinds of match strength clips show: coloured
// confidence dots, ranks; the legend explains those.
func strengthKinds(clips []ClipView) (confidence, rank bool) {
	for _, c := range clips {
		confidence = confidence || c.StrengthClass() != "strength"
		rank = rank || c.Rank > 0
	}
	return confidence, rank
}

// clips are every clip the results show.
func (r *SearchResultsView) clips() []ClipView {
	var out []ClipView
	for _, sec := range r.Sections {
		for _, it := range sec.Items {
			out = append(out, it.Clip)
			out = append(out, it.Clips...)
		}
	}
	return out
}

// MoreView is the sentinel that loads the next page as it scrolls into view.
type MoreView struct {
	URL string
}

// optionsOpen keeps the options open when the search uses any of them, so
// the person sees what narrowed the results.
func optionsOpen(v SearchView) bool {
	return optionsSummary(v) != ""
}

// optionsSummary lists the options that differ from the defaults, after
// the word "Options".
func optionsSummary(v SearchView) string {
	var parts []string
	f := v.Form
	if f.Visual != f.Audio {
		if f.Visual {
			parts = append(parts, "seen only")
		} else {
			parts = append(parts, "heard only")
		}
	}
	if f.And {
		parts = append(parts, "both must match")
	}
	if f.ByVideo {
		parts = append(parts, "by video")
	}
	if f.Threshold != "" {
		parts = append(parts, f.Threshold+" confidence")
	}
	if f.ImageURL != "" {
		parts = append(parts, "image URL")
	}
	if n := len(f.Filters); n == 1 {
		parts = append(parts, "1 condition")
	} else if n > 1 {
		parts = append(parts, strconv.Itoa(n)+" conditions")
	}
	selected := 0
	for _, ix := range v.Indexes {
		if ix.Selected {
			selected++
		}
	}
	if selected > 1 {
		parts = append(parts, strconv.Itoa(selected)+" indexes")
	}
	if len(parts) == 0 {
		return ""
	}
	s := ""
	for _, p := range parts {
		s += " · " + p
	}
	return s
}

// filterRowsToShow is the form's filter rows plus an empty one to fill in.
func filterRowsToShow(rows []FilterRowView) []FilterRowView {
	return append(append([]FilterRowView(nil), rows...), FilterRowView{})
}
