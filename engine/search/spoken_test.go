package search

import (
	"fmt"
	"testing"
)

// TestMisheardWordsMatchBelowExact: a query word matches the transcript's
// word as said, joined or split differently, or misheard by a letter, and
// the clip where the recogniser got it right ranks first.
func TestMisheardWordsMatchBelowExact(t *testing.T) {
	speech := []string{
		"the derailment closed the line for a week", // 0: as said
		"the derailmant closed the line for a week", // 1: one letter misheard
		"she keeps plants on the windowsill",        // 2: joined
		"the workers fixed the window sill",         // 3: split
		"the cat sat on the windowsell",             // 4: joined and misheard
		"the ferry left the harbour at dawn",        // 5: none of it
	}
	d := &videoDoc{IndexID: "i", VideoID: "v", Duration: 60}
	for c, said := range speech {
		cd := clipDoc{Start: float64(c * 10), End: float64(c*10 + 10)}
		cd.setField(fieldSpeech, []string{said})
		d.Clips = append(d.Clips, cd)
	}
	x := NewIndex(nil, nil)
	x.add(d)
	cases := []struct {
		query string
		order []string // clips in falling score, every one matched
	}{
		{"derailment", []string{"v/0", "v/1"}},
		{"windowsill", []string{"v/2", "v/3", "v/4"}},
		{"window sill", []string{"v/3", "v/2", "v/4"}},
	}
	for _, c := range cases {
		got := scoresByClip(x, query{Text: c.query, Audio: true, Operator: "or"})
		if len(got) != len(c.order) {
			t.Errorf("%q matches %v, want exactly %v", c.query, got, c.order)
		}
		for i, clip := range c.order {
			if got[clip] < LowScore {
				t.Errorf("%q: %s scores %.2f, below low (%.2f); all: %s", c.query, clip, got[clip], LowScore, fmt.Sprint(got))
			}
			if i > 0 && got[clip] >= got[c.order[i-1]] {
				t.Errorf("%q: %s (%.2f) does not rank below %s (%.2f)", c.query, clip, got[clip], c.order[i-1], got[c.order[i-1]])
			}
		}
		if first := got[c.order[0]]; first < HighScore {
			t.Errorf("%q: the clip saying it as typed scores %.2f, below high (%.2f)", c.query, first, HighScore)
		}
	}
}
