package search

import (
	"fmt"
	"testing"
)

// An index grown one video at a time answers exactly as one built whole,
// and a search started before a change keeps its own snapshot.
func TestIncrementalIndexMatchesRebuild(t *testing.T) {
	docs := make([]*videoDoc, 5)
	for i := range docs {
		d := &videoDoc{IndexID: "i", VideoID: fmt.Sprintf("v%d", i), Duration: 20}
		for c := 0; c < 4; c++ {
			cd := clipDoc{Start: float64(c * 5), End: float64(c*5 + 5)}
			cd.setField(fieldText, []string{fmt.Sprintf("caption %d about trains number%d", c, i)})
			cd.setField(fieldSpeech, []string{fmt.Sprintf("the reporter said fire %d", i*c)})
			d.Clips = append(d.Clips, cd)
		}
		docs[i] = d
	}
	grown := NewIndex(nil, nil)
	var before *snapshot
	for i, d := range docs {
		if err := grown.addDoc(d); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			before = grown.snapshot("i")
		}
	}
	whole := NewIndex(nil, nil)
	whole.add(docs...)
	for _, q := range []string{"trains", "number3 caption", "reporter fire", "numbr4"} {
		qq := query{Text: q, Visual: true, Audio: true, Operator: "or"}
		a := scoresByClip(grown, qq)
		b := scoresByClip(whole, qq)
		if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
			t.Errorf("%q: grown %v, whole %v", q, a, b)
		}
	}
	if n := len(before.clips); n != 12 {
		t.Errorf("earlier snapshot changed: %d clips, want 12", n)
	}
	grown.VideoDeleted("i", "v4")
	if n := len(grown.snapshot("i").clips); n != 16 {
		t.Errorf("after delete: %d clips, want 16", n)
	}
	grown.IndexDeleted("i")
	if grown.snapshot("i") != nil {
		t.Error("index still searchable after IndexDeleted")
	}
}

func scoresByClip(x *Index, q query) map[string]float64 {
	s := x.snapshot("i")
	out := map[string]float64{}
	for _, h := range x.match(s, q) {
		ref := s.clips[h.clip]
		out[fmt.Sprintf("%s/%d", s.videos[ref.video].VideoID, ref.clip)] = h.score
	}
	return out
}

// Searches run while videos come and go (run with -race).
func TestSearchWhileIndexChanges(t *testing.T) {
	x := NewIndex(nil, nil)
	mk := func(i int) *videoDoc {
		d := &videoDoc{IndexID: "i", VideoID: fmt.Sprintf("v%03d", i), Duration: 10}
		cd := clipDoc{Start: 0, End: 10}
		cd.setField(fieldText, []string{fmt.Sprintf("train crash report %d", i)})
		d.Clips = append(d.Clips, cd)
		return d
	}
	if err := x.addDoc(mk(0)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i < 60; i++ {
			x.addDoc(mk(i))
			if i%10 == 0 {
				x.VideoDeleted("i", fmt.Sprintf("v%03d", i-5))
			}
		}
	}()
	for {
		select {
		case <-done:
			if n := len(x.match(x.snapshot("i"), query{Text: "train crash", Visual: true, Operator: "or"})); n != 55 {
				t.Errorf("%d clips match at the end, want 55", n)
			}
			return
		default:
			s := x.snapshot("i")
			for _, h := range x.match(s, query{Text: "train crash", Visual: true, Operator: "or"}) {
				if h.score < 0.99 {
					t.Fatalf("score %v", h.score)
				}
			}
		}
	}
}
