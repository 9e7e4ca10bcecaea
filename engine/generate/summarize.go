package generate

import (
	"context"
	"fmt"
	"math"

	"glimpse/engine/wire"
)

// Chapter is one chapter of /summarize type=chapter. start and end repeat
// start_sec and end_sec in whole seconds for older clients, which read
// those (the description's deprecated integers).
type Chapter struct {
	ChapterNumber  int     `json:"chapter_number"`
	StartSec       float64 `json:"start_sec"`
	EndSec         float64 `json:"end_sec"`
	Start          int     `json:"start"`
	End            int     `json:"end"`
	ChapterTitle   string  `json:"chapter_title"`
	ChapterSummary string  `json:"chapter_summary"`
	// captioned: the title is a caption's own words, fit to quote.
	captioned bool
}

// Highlight is one highlight of /summarize type=highlight.
type Highlight struct {
	StartSec         float64 `json:"start_sec"`
	EndSec           float64 `json:"end_sec"`
	Start            int     `json:"start"` // whole seconds, as Chapter's
	End              int     `json:"end"`
	Highlight        string  `json:"highlight"`
	HighlightSummary string  `json:"highlight_summary"`
}

// Summary is the /summarize response; summarize_type is always present
// because the SDK picks the result shape by it.
type Summary struct {
	ID            string      `json:"id"`
	SummarizeType string      `json:"summarize_type"`
	Summary       string      `json:"summary,omitempty"`
	Chapters      []Chapter   `json:"chapters,omitzero"`
	Highlights    []Highlight `json:"highlights,omitzero"`
	Usage         Usage       `json:"usage"`
}

// wholeSeconds is a time as the deprecated integer start and end give it:
// truncated, so that chapters that meet still meet and none ends past the
// video.
func wholeSeconds(sec float64) int { return int(math.Floor(sec)) }

// SummarizeRequest asks for a video's summary, chapters or highlights
// (Type "summary", "chapter" or "highlight"); Prompt steers a summary and
// highlights.
type SummarizeRequest struct {
	VideoID, Type, Prompt string
}

// Summarize writes a video's summary, chapters or highlights.
func (g *Generator) Summarize(ctx context.Context, req SummarizeRequest) (*Summary, error) {
	ev, err := g.loadEvidence(ctx, req.VideoID)
	if err != nil {
		return nil, err
	}
	out := &Summary{ID: wire.NewID(), SummarizeType: req.Type}
	var text string
	switch req.Type {
	case "summary":
		out.Summary = ev.summary(req.Prompt)
		text = out.Summary
	case "chapter":
		out.Chapters = ev.chapters()
		if out.Chapters == nil {
			out.Chapters = []Chapter{}
		}
		for _, c := range out.Chapters {
			text += c.ChapterTitle + " " + c.ChapterSummary + " "
		}
	case "highlight":
		boost := map[string]float64{}
		for _, q := range queryStems(req.Prompt) {
			boost[q] = 2
		}
		out.Highlights = ev.highlights(boost, min(5, max(2, int(ev.Duration/30))))
		if out.Highlights == nil {
			out.Highlights = []Highlight{}
		}
		for _, h := range out.Highlights {
			text += h.Highlight + " " + h.HighlightSummary + " "
		}
	default:
		return nil, fmt.Errorf("generate: no summary of type %q", req.Type)
	}
	out.Usage.OutputTokens = countTokens(text)
	return out, nil
}
