package search

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
	"glimpse/engine/understand"
)

// whyIndex loads, as the engine does from disk, one video of two clips: a
// caption in the first, and speech in both with the recogniser's word
// confidences (in the second, "rain" was heard unsurely).
func whyIndex(t *testing.T) *Index {
	t.Helper()
	dir := t.TempDir()
	u := &pipeline.Understanding{Duration: 20,
		Clips:    []pipeline.Clip{{Start: 0, End: 10}, {Start: 10, End: 20}},
		OnScreen: []pipeline.Span{{Start: 0, End: 9, Text: "STORM WARNING FOR THE COAST"}},
	}
	if err := u.Save(dir); err != nil {
		t.Fatal(err)
	}
	said := func(start float64, s string, confs ...float64) []understand.Word {
		var out []understand.Word
		for i, w := range strings.Fields(s) {
			at := start + float64(i)*0.4
			out = append(out, understand.Word{Start: at, End: at + 0.3, Word: w, Conf: confs[i]})
		}
		return out
	}
	words := append(said(1, "forecasters expect strong winds and heavy rain along the shore", 0.9, 0.8, 0.2, 0.9, 0.9, 0.95, 0.9, 0.7, 0.8, 0.9),
		said(12, "more heavy rain is due on friday", 0.9, 0.9, 0.1, 0.9, 0.8, 0.9, 0.9)...)
	b, _ := json.Marshal(understand.Features{Model: understand.ModelName, Words: words})
	if err := os.WriteFile(filepath.Join(dir, understand.FeaturesFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := loadVideo("i", "v", dir, 20)
	if err != nil {
		t.Fatal(err)
	}
	x := NewIndex(nil, nil)
	x.add(doc)
	return x
}

// whyOf is what /search says of each matching clip.
func whyOf(x *Index, q query) map[int32][]Why {
	s := x.snapshot("i")
	terms := queryTerms(q.Text)
	cands := x.candidates(s, terms)
	out := map[int32][]Why{}
	for _, h := range x.match(s, q) {
		ref := s.clips[h.clip]
		out[ref.clip] = explain(&s.videos[ref.video].Clips[ref.clip], q, terms, cands)
	}
	return out
}

func TestWhyNamesTheMatchedWordsAndSource(t *testing.T) {
	x := whyIndex(t)
	tests := []struct {
		name string
		q    query
		want map[int32][]Why
	}{
		{"caption", query{Text: "storm warning", Visual: true, Audio: true, Operator: "or"}, map[int32][]Why{
			0: {{Source: WhyOnScreen, Words: []string{"STORM", "WARNING"}, Quote: "STORM WARNING FOR THE COAST"}},
		}},
		{"speech, with unsure context words left out", query{Text: "heavy rain", Visual: true, Audio: true, Operator: "or"}, map[int32][]Why{
			0: {{Source: WhySpeech, Words: []string{"heavy", "rain"}, Quote: "… winds and heavy rain along the shore"}},
			1: {{Source: WhySpeech, Words: []string{"heavy", "rain"}, Quote: "more heavy rain is due on …", Unsure: true}},
		}},
		{"speech only when only speech is searched", query{Text: "storm", Audio: true, Operator: "or"}, map[int32][]Why{}},
		{"both, the source with more of the query first", query{Text: "coast winds", Visual: true, Audio: true, Operator: "or"}, map[int32][]Why{
			0: {{Source: WhyOnScreen, Words: []string{"COAST"}, Quote: "STORM WARNING FOR THE COAST"},
				{Source: WhySpeech, Words: []string{"winds"}, Quote: "forecasters expect … winds and heavy rain …"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := whyOf(x, tt.q); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// A word heard unsurely still finds its clip, below one heard surely.
func TestUnsureWordsMatchLower(t *testing.T) {
	x := whyIndex(t)
	got := scoresByClip(x, query{Text: "rain", Audio: true, Operator: "or"})
	if got["v/1"] <= 0 || got["v/1"] >= got["v/0"] {
		t.Errorf("rain heard unsurely in clip 1 scores %.2f, surely in clip 0 %.2f: want 0 < unsure < sure", got["v/1"], got["v/0"])
	}
}

// On the wire every result of a text search says why it matched, in the
// extension field x_glimpse_match, and so does every clip of a video group.
func TestSearchResultsCarryWhyTheyMatched(t *testing.T) {
	h := newHarness(t)
	type item struct {
		Start, End float64
		Match      []Why  `json:"x_glimpse_match"`
		Clips      []item `json:"clips"`
	}
	for _, group := range []string{"clip", "video"} {
		code, b := h.post(t, "/search", textQuery("bottled water", [2]string{"page_limit", "10"}, [2]string{"group_by", group}))
		if code != 200 {
			t.Fatalf("status %d: %s", code, b)
		}
		var p struct{ Data []item }
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		var items []item
		for _, it := range p.Data {
			items = append(items, it)
			items = append(items, it.Clips...)
		}
		if len(items) == 0 {
			t.Fatalf("group_by %s: no results", group)
		}
		for _, it := range items {
			if len(it.Match) == 0 {
				t.Errorf("group_by %s: %.1f-%.1f carries no x_glimpse_match", group, it.Start, it.End)
				continue
			}
			m := it.Match[0]
			named := false
			for _, w := range m.Words {
				st := text.Stem(strings.ToLower(w))
				named = named || st == text.Stem("water") || st == text.Stem("bottled")
			}
			if (m.Source != WhySpeech && m.Source != WhyOnScreen) || !named || m.Quote == "" {
				t.Errorf("group_by %s: %.1f-%.1f matched because %+v", group, it.Start, it.End, m)
			}
		}
	}
}
