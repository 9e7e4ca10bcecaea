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
