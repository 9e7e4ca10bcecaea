package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

func TestMomentsOfOneVideo(t *testing.T) {
	h := newHarness(t)
	// Another video of the same index that says exactly what the queries
	// ask: Moments must never return its clips.
	other := &videoDoc{IndexID: exampleIndex, VideoID: "6650cc0000000000000000cc", Duration: 600}
	c := clipDoc{Start: 500, End: 506}
	c.setField(fieldText, []string{"residents told to drink bottled water after the train derailment"})
	c.setField(fieldSpeech, []string{"residents told to drink bottled water after the train derailment"})
	other.Clips = append(other.Clips, c)
	h.search.index.add(other)

	tests := []struct {
		name      string
		text      string
		limit     int
		wantAny   bool
		wantQuote string  // the best moment's text, exactly, or "" to skip
		wantWord  string  // in the best moment's text
		wantField string  // of the best moment
		wantFrom  float64 // the best moment starts in [wantFrom, wantFrom+10)
		wantUntil float64 // and lasts at least until then
	}{
		// The caption is up over two clips (0:52–1:04) and again at 1:47:
		// one moment, quoting that caption alone, not the title beside it.
		{name: "caption about drinking water", text: "residents told drinking water", limit: 12, wantAny: true,
			wantQuote: "The governor of Ohio has warned residents to only drink bottled water",
			wantWord:  "bottled water", wantField: FieldOnScreen, wantFrom: 50, wantUntil: 62},
		{name: "misspelt word still finds it", text: "derailmnet", limit: 3, wantAny: true, wantWord: "derailment", wantField: FieldOnScreen},
		{name: "off-topic finds nothing", text: "won football match", limit: 12},
		{name: "one topic word among off-topic ones finds nothing", text: "football match train", limit: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.search.Moments(context.Background(), exampleIndex, exampleVideo, tt.text, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantAny {
				if len(got) != 0 {
					t.Fatalf("want no moments, got %+v", got)
				}
				return
			}
			if len(got) == 0 || len(got) > tt.limit {
				t.Fatalf("want 1..%d moments, got %d", tt.limit, len(got))
			}
			for i, m := range got {
				if m.Start >= 160.7 || m.End <= m.Start {
					t.Errorf("moment %d %.1f–%.1f is not a clip of the example video", i, m.Start, m.End)
				}
				if m.Score < 30 || m.Score > 100 || (i > 0 && m.Score > got[i-1].Score) {
					t.Errorf("moment %d score %.2f: want 30..100, best first", i, m.Score)
				}
			}
			quoted := map[string]bool{}
			for _, m := range got {
				if quoted[m.Field+m.Text] {
					t.Errorf("%s %q is quoted twice: %+v", m.Field, m.Text, got)
				}
				quoted[m.Field+m.Text] = true
			}
			best := got[0]
			if !strings.Contains(strings.ToLower(best.Text), tt.wantWord) || best.Field != tt.wantField ||
				(tt.wantQuote != "" && best.Text != tt.wantQuote) {
				t.Errorf("best moment %s %q; want %s quoting %q", best.Field, best.Text, tt.wantField, tt.wantWord)
			}
			if tt.wantFrom > 0 && (best.Start < tt.wantFrom || best.Start >= tt.wantFrom+10) {
				t.Errorf("best moment starts at %.1f; want %.0f..%.0f", best.Start, tt.wantFrom, tt.wantFrom+10)
			}
			if best.End < tt.wantUntil {
				t.Errorf("best moment ends at %.1f; want it to last until %.0f", best.End, tt.wantUntil)
			}
		})
	}
}

func TestMomentsRefusesAVideoOutsideTheIndex(t *testing.T) {
	h := newHarness(t)
	// Catalogued but never indexed, as when search could not read its understanding.
	const unindexed = "6650dd0000000000000000dd"
	h.catalog.mu.Lock()
	h.catalog.videos[unindexed] = &pipeline.VideoMeta{IndexID: exampleIndex, VideoID: unindexed, Ready: true}
	h.catalog.mu.Unlock()
	notFound := func(err error) bool {
		var we *wire.Error
		return errors.As(err, &we) && we.Code == "resource_not_exist"
	}
	for _, tc := range []struct {
		name, index, video string
		want               func(error) bool
	}{
		{"unknown video", exampleIndex, "0123456789abcdef01234567", notFound},
		{"video of another index", "0123456789abcdef0123aaaa", exampleVideo, notFound},
		{"video not in the search index", exampleIndex, unindexed, func(err error) bool { return errors.Is(err, ErrNotIndexed) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.search.Moments(context.Background(), tc.index, tc.video, "train", 5)
			if !tc.want(err) || got != nil {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
}

// BenchmarkMoments100k finds one video's moments in an index of 100,000
// clips: the text path scores the whole index, so this is the cost an
// answer pays on a large index.
func BenchmarkMoments100k(b *testing.B) {
	s, queries := syntheticIndex(b, 100_000)
	video := fmt.Sprintf("%024x", 500)
	cat := &memCatalog{indexes: map[string][]string{"bench": {"marengo3.0"}},
		videos: map[string]*pipeline.VideoMeta{video: {IndexID: "bench", VideoID: video, Ready: true}}}
	s.cfg.Catalog = cat
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Moments(ctx, "bench", video, queries[i%len(queries)], 12); err != nil {
			b.Fatal(err)
		}
	}
}
