package search

import (
	"strings"
	"testing"

	"glimpse/engine/pipeline"
)

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`{"duration":{"gte":1,"lte":9}}`, `{"id":["a"]}`, `{"filename":"x.mp4","k":true}`, `[]`, `{"width":"x"}`, `null`} {
		f.Add(s)
	}
	meta := &pipeline.VideoMeta{VideoID: "a", Filename: "x.mp4", Duration: 5, Width: 640, Height: 360,
		UserMetadata: map[string]any{"k": true, "n": float64(3)}}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			if !strings.Contains(err.Error(), "search_filter_invalid") {
				t.Errorf("error %v lacks the live code", err)
			}
			return
		}
		flt.match(meta) // must not panic, whatever was accepted
	})
}

func FuzzQueryText(f *testing.F) {
	for _, s := range []string{"East Palestine", "bottled-water's", "ÉCOLE ünïcode 42", "", "the of and"} {
		f.Add(s)
	}
	x := NewIndex(nil, nil)
	doc := &videoDoc{IndexID: "i", VideoID: "v", Duration: 10, Clips: []clipDoc{{Start: 0, End: 10}}}
	doc.Clips[0].setField(fieldText, []string{"A cargo train crashed in East Palesteen"})
	x.add(doc)
	f.Fuzz(func(t *testing.T, q string) {
		for _, term := range queryTerms(q) {
			if term.Stem == "" && term.Key != "" {
				t.Errorf("empty stem for %q", term.Key)
			}
		}
		for _, h := range x.match(x.snapshot("i"), query{Text: q, Visual: true, Audio: true, Operator: "or"}) {
			if h.score < 0 || h.score > 1 {
				t.Errorf("score %v out of [0,1] for %q", h.score, q)
			}
		}
	})
}
