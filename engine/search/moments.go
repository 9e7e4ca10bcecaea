package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// Moment is a clip of one video that a text matched, with the words that
// matched it: the clip's speech or its on-screen text, whichever scored
// higher (speech on a tie).
type Moment struct {
	Start, End float64
	Score      float64 // 0–100, as /search reports it
	Field      string  // FieldSpeech or FieldOnScreen
	Text       string  // what the clip says or shows in that field; "" if the understanding has none
}

// Fields a Moment can have matched in.
const (
	FieldSpeech   = "speech"
	FieldOnScreen = "on-screen text"
)

// Moments finds the clips of one video that text is about, best first, at
// most limit of them (all when limit ≤ 0). It is the text search of
// /search with both audio and visual options, restricted to videoID, at
// the "low" threshold: a clip must hold most of the text's words (or their
// forms, near-synonyms and small misspellings), so text the video does not
// touch finds nothing.
func (s *Search) Moments(ctx context.Context, indexID, videoID, text string, limit int) ([]Moment, error) {
	catalog, err := s.getCatalog()
	if err != nil {
		return nil, err
	}
	meta, err := catalog.FindVideo(ctx, videoID)
	if err != nil {
		return nil, err
	}
	if meta == nil || meta.IndexID != indexID {
		return nil, wire.NotFound(fmt.Sprintf("The video %s is not in the index %s.", videoID, indexID))
	}
	terms := queryTerms(text)
	snap := s.index.snapshot(indexID)
	if len(terms) == 0 || snap == nil {
		return nil, ctx.Err()
	}
	vi := slices.IndexFunc(snap.videos, func(v *videoDoc) bool { return v.VideoID == videoID })
	if vi < 0 {
		return nil, ctx.Err() // not in the index yet: nothing to find
	}
	cands := s.index.candidates(snap, terms)
	speech := snap.textScores(terms, cands, fieldSpeech)
	screen := snap.textScores(terms, cands, fieldText)

	type found struct {
		clip  int32 // within the video
		score float32
		field string
	}
	var hits []found
	for c, ref := range snap.clips {
		if ref.video != int32(vi) {
			continue
		}
		h := found{clip: ref.clip, field: FieldSpeech}
		if speech != nil {
			h.score = speech[c]
		}
		if screen != nil && screen[c] > h.score {
			h.score, h.field = screen[c], FieldOnScreen
		}
		if float64(h.score) >= lowScore {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b found) int { return cmp.Compare(b.score, a.score) })
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	if len(hits) == 0 {
		return nil, ctx.Err()
	}

	// The index keeps stems, not sentences; quote from the understanding.
	var u *pipeline.Understanding
	if meta.Dir != "" {
		if u, err = pipeline.LoadUnderstanding(meta.Dir); err != nil {
			s.log.Warn("search: moments without quotes", "video_id", videoID, "err", err)
			u = nil
		}
	}
	clips := snap.videos[vi].Clips
	out := make([]Moment, 0, len(hits))
	for _, h := range hits {
		c := clips[h.clip]
		m := Moment{Start: c.Start, End: c.End, Score: round2(float64(h.score) * 100), Field: h.field}
		if u != nil {
			m.Text = quote(u, h.field, c.Start, c.End)
		}
		out = append(out, m)
	}
	return out, ctx.Err()
}

// quote joins the spans of field that overlap [start, end): transcript
// phrases with spaces, on-screen lines (each once) with " / ".
func quote(u *pipeline.Understanding, field string, start, end float64) string {
	spans, sep := u.Transcript, " "
	if field == FieldOnScreen {
		spans, sep = u.OnScreen, " / "
	}
	var parts []string
	for _, sp := range spans {
		t := strings.TrimSpace(sp.Text)
		if sp.Start < end && sp.End > start && t != "" && !slices.Contains(parts, t) {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, sep)
}
