package search

import (
	"context"
	"errors"
	"strings"
	"testing"

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
		wantQuote string  // in the best moment's text
		wantField string  // of the best moment
		wantFrom  float64 // the best moment starts in [wantFrom, wantFrom+10)
	}{
		{name: "caption about drinking water", text: "residents told drinking water", limit: 12, wantAny: true,
			wantQuote: "bottled water", wantField: FieldOnScreen, wantFrom: 50},
		{name: "misspelt word still finds it", text: "derailmnet", limit: 3, wantAny: true, wantQuote: "derailment", wantField: FieldOnScreen},
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
			best := got[0]
			if !strings.Contains(strings.ToLower(best.Text), tt.wantQuote) || best.Field != tt.wantField {
				t.Errorf("best moment %s %q; want %s quoting %q", best.Field, best.Text, tt.wantField, tt.wantQuote)
			}
			if tt.wantFrom > 0 && (best.Start < tt.wantFrom || best.Start >= tt.wantFrom+10) {
				t.Errorf("best moment starts at %.1f; want %.0f..%.0f", best.Start, tt.wantFrom, tt.wantFrom+10)
			}
		})
	}
}

func TestMomentsRefusesAVideoOutsideTheIndex(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ name, index, video string }{
		{"unknown video", exampleIndex, "0123456789abcdef01234567"},
		{"video of another index", "0123456789abcdef0123aaaa", exampleVideo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.search.Moments(context.Background(), tc.index, tc.video, "train", 5)
			var we *wire.Error
			if !errors.As(err, &we) || we.Code != "resource_not_exist" {
				t.Fatalf("want resource_not_exist, got %v", err)
			}
		})
	}
}
