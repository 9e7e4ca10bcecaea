package search

import (
	"strings"
	"testing"

	"glimpse/engine/pipeline"
)

// TestParseFilterLiveSyntax checks the filter parser against the live syntax:
// numeric ranges work on user metadata too, and null is no number, string or id list.
func TestParseFilterLiveSyntax(t *testing.T) {
	meta := &pipeline.VideoMeta{VideoID: "a", Filename: "x.mp4", Duration: 5, Width: 640, Height: 360,
		UserMetadata: map[string]any{"rating": float64(9.3), "channel": "news"}}
	tests := []struct {
		filter  string
		invalid bool
		match   bool
	}{
		{`{"rating":{"gte":9}}`, false, true},
		{`{"rating":{"gte":8,"lte":9}}`, false, false},
		{`{"channel":{"gte":1}}`, false, false}, // a range never matches a string
		{`{"missing":{"lte":1}}`, false, false},
		{`{"rating":{"gt":1}}`, true, false},
		{`{"duration":null}`, true, false},
		{`{"duration":{"gte":null}}`, true, false},
		{`{"filename":null}`, true, false},
		{`{"id":null}`, true, false},
		{`{"duration":{"gte":1,"lte":9}}`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := parseFilter(tt.filter)
			if tt.invalid {
				if err == nil || !strings.Contains(err.Error(), "search_filter_invalid") {
					t.Fatalf("want search_filter_invalid, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("valid live filter rejected: %v", err)
			}
			if got := f.match(meta); got != tt.match {
				t.Errorf("match = %v, want %v", got, tt.match)
			}
		})
	}
}
