package full

import (
	"context"
	"errors"

	"glimpse/engine/generate"
	"glimpse/engine/search"
)

// searchMoments lets the generator find a prompt's moments with the search
// stage (word forms, near-synonyms, misspellings, calibrated threshold)
// instead of its own lexical ranking. A video the index does not hold
// (its understanding unreadable to search) falls back to that ranking.
type searchMoments struct{ search *search.Search }

func (f searchMoments) FindMoments(ctx context.Context, q generate.MomentQuery) ([]generate.Moment, error) {
	if q.Video == nil {
		return nil, nil
	}
	text := q.Subject
	if text == "" {
		text = q.Text
	}
	found, err := f.search.Moments(ctx, q.Video.IndexID, q.Video.VideoID, text, q.Limit)
	if errors.Is(err, search.ErrNotIndexed) {
		return generate.LexicalFinder{}.FindMoments(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	out := make([]generate.Moment, 0, len(found))
	for _, m := range found {
		src := generate.FromSpeech
		if m.Field == search.FieldOnScreen {
			src = generate.FromOnScreen
		}
		out = append(out, generate.Moment{Start: m.Start, End: m.End, Score: m.Score, Text: m.Text, Source: src})
	}
	return out, nil
}
