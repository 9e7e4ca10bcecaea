package generate

import (
	"context"
	"testing"

	"glimpse/engine/pipeline"
)

// wholeVideoFinder finds moments as the engine's search stage does: over the
// whole indexed video, whatever part of it the request asked about.
type wholeVideoFinder struct{}

func (wholeVideoFinder) FindMoments(ctx context.Context, q MomentQuery) ([]Moment, error) {
	u, err := pipeline.LoadUnderstanding(q.Video.Dir)
	if err != nil {
		return nil, err
	}
	q.Understanding = u
	return LexicalFinder{}.FindMoments(ctx, q)
}

// TestAnalyzeWindowHoldsWithAnyFinder: start_time/end_time bound the answer
// even when the moment finder searches the whole video.
func TestAnalyzeWindowHoldsWithAnyFinder(t *testing.T) {
	srv, _ := newTestServer(t, Config{Finder: wholeVideoFinder{}})
	tests := []struct {
		name     string
		window   []float64
		contains []string
		absent   []string
	}{
		{"window without the answer", []float64{0, 30}, []string{"do not mention"}, []string{"1:02", "bottled water"}},
		{"window with the answer", []float64{60, 90}, []string{"1:02", "bottled water"}, []string{"0:48"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct{ Data string }
			body := map[string]any{"video_id": newsID, "prompt": "What did the governor say about water?", "temperature": 0,
				"stream": false, "start_time": tc.window[0], "end_time": tc.window[1]}
			if s := postJSON(t, srv.URL+"/v1.3/analyze", body, &got); s != 200 {
				t.Fatalf("status %d", s)
			}
			checkMentions(t, got.Data, tc.contains, tc.absent)
		})
	}
}
