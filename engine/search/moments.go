package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
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

// ErrNotIndexed says a video exists but is not in the search index (yet,
// or its understanding could not be read): finding nothing in it would
// not mean it has nothing to find.
var ErrNotIndexed = errors.New("search: the video is not in the search index")

// Moments finds the clips of one video that text is about, best first, at
// most limit of them (all when limit ≤ 0). It is the text search of
// /search with both audio and visual options, restricted to videoID, at
// the "low" threshold: a clip must hold most of the text's words (or their
// forms, near-synonyms and small misspellings), so text the video does not
// touch finds nothing.
func (s *Search) Moments(ctx context.Context, indexID, videoID, text string, limit int) ([]Moment, error) {
	meta, err := s.cfg.Catalog.FindVideo(ctx, videoID)
	if err != nil {
		return nil, err
	}
	if meta == nil || meta.IndexID != indexID {
		return nil, wire.NotFound(fmt.Sprintf("The video %s is not in the index %s.", videoID, indexID))
	}
	terms := queryTerms(text)
	if len(terms) == 0 {
		return nil, ctx.Err()
	}
	snap := s.index.snapshot(indexID)
	if snap == nil {
		return nil, ErrNotIndexed
	}
	vi := slices.IndexFunc(snap.videos, func(v *videoDoc) bool { return v.VideoID == videoID })
	if vi < 0 {
		return nil, ErrNotIndexed
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
		if float64(h.score) >= LowScore {
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
			m.Text = quote(u, h.field, c.Start, c.End, cands)
		}
		out = mergeMoment(out, m)
	}
	return out, ctx.Err()
}

// mergeMoment adds m to the moments so far, unless it quotes the same words
// as one of them: a caption stays up across several clips and comes back
// later, and an answer should cite it once. Next to the earlier moment it
// widens that one; elsewhere it is left out, as /search would rank it below.
func mergeMoment(out []Moment, m Moment) []Moment {
	for i := range out {
		o := &out[i]
		if m.Text == "" || o.Text != m.Text || o.Field != m.Field {
			continue
		}
		if m.Start <= o.End+0.01 && m.End >= o.Start-0.01 {
			o.Start, o.End = min(o.Start, m.Start), max(o.End, m.End)
		}
		return out
	}
	return append(out, m)
}

// quote joins the spans of field that overlap [start, end) and match the
// most of the query's terms (cands, one map of standing-in stems per term):
// transcript phrases with spaces, on-screen lines with " / ". A line OCR
// read twice, or cut short, is quoted once, in its longest reading.
func quote(u *pipeline.Understanding, field string, start, end float64, cands []map[string]float32) string {
	spans, sep := u.Transcript, " "
	if field == FieldOnScreen {
		spans, sep = u.OnScreen, " / "
	}
	type line struct {
		text, norm string
		terms      int
	}
	var lines []line
	best := 0
	for _, sp := range spans {
		t := strings.TrimSpace(sp.Text)
		if sp.Start >= end || sp.End <= start || t == "" {
			continue
		}
		words := text.Words(t)
		l := line{text: t, norm: strings.Join(text.Tokenize(t), " ")}
		for _, m := range cands {
			for _, w := range words {
				if !text.IsFunctionWord(w.Key) && m[w.Stem] > 0 {
					l.terms++
					break
				}
			}
		}
		best = max(best, l.terms)
		lines = append(lines, l)
	}
	var out []string
	for i, l := range lines {
		if l.terms < best || l.norm == "" {
			continue
		}
		// Left out when another line reads the same and is longer, or as
		// long and comes first.
		dup := slices.ContainsFunc(lines[:i], func(o line) bool { return o.terms == best && strings.HasPrefix(o.norm, l.norm) }) ||
			slices.ContainsFunc(lines[i+1:], func(o line) bool {
				return o.terms == best && len(o.norm) > len(l.norm) && strings.HasPrefix(o.norm, l.norm)
			})
		if !dup {
			out = append(out, l.text)
		}
	}
	return strings.Join(out, sep)
}
