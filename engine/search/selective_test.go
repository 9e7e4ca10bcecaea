package search

import (
	"fmt"
	"testing"
)

// selectiveIndex is one video of ten clips: a channel label on screen in
// every one, a caption per clip, and speech where compounds are heard
// joined in one clip and split in another.
func selectiveIndex() *Index {
	d := &videoDoc{IndexID: "i", VideoID: "v", Duration: 100}
	captions := []string{"PORT REOPENS", "FERRY STRIKE", "HARBOUR MASTER", "STORM WARNING", "FISH MARKET",
		"NEW BRIDGE", "TRAM DELAYS", "CRUISE SEASON", "LIGHTHOUSE TOURS", "DOCK REPAIRS"}
	speech := map[int]string{
		2: "she keeps plants on the windowsill of the office",
		5: "the workers fixed the window sill before the storm",
		7: "a seaside town welcomes the ships",
	}
	for c, cap := range captions {
		cd := clipDoc{Start: float64(c * 10), End: float64(c*10 + 10)}
		cd.setField(fieldText, []string{"HARBOUR CITY NEWS", cap})
		cd.setField(fieldSpeech, []string{speech[c]})
		d.Clips = append(d.Clips, cd)
	}
	x := NewIndex(nil, nil)
	x.add(d)
	return x
}

func TestLabelWordDoesNotMatchEveryClipStrongly(t *testing.T) {
	x := selectiveIndex()
	got := scoresByClip(x, query{Text: "harbour master", Visual: true, Audio: true, Operator: "or"})
	if got["v/2"] < MediumScore {
		t.Errorf("the clip showing HARBOUR MASTER scores %.2f, want at least medium (%.2f)", got["v/2"], MediumScore)
	}
	for clip, sc := range got {
		if clip != "v/2" && sc >= LowScore {
			t.Errorf("%s, which only carries the channel label, scores %.2f: at or above low (%.2f)", clip, sc, LowScore)
		}
	}
}

func TestCompoundsMatchJoinedOrSplit(t *testing.T) {
	x := selectiveIndex()
	for _, q := range []string{"windowsill", "window sill"} {
		got := scoresByClip(x, query{Text: q, Visual: true, Audio: true, Operator: "or"})
		for _, clip := range []string{"v/2", "v/5"} {
			if got[clip] < MediumScore {
				t.Errorf("%q: %s scores %.2f, want at least medium; all: %v", q, clip, got[clip], fmt.Sprint(got))
			}
		}
	}
	// A split that is not in the video finds nothing ("sea side" is not
	// "seaside" unless the video joins it).
	if got := scoresByClip(x, query{Text: "seaside", Visual: true, Audio: true, Operator: "or"}); got["v/7"] < HighScore {
		t.Errorf("seaside: %v", got)
	}
}
