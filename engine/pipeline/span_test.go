package pipeline

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Understanding stored before word confidences were kept still loads, and
// its words count as sure.
func TestOldTranscriptLoadsAsSure(t *testing.T) {
	dir := t.TempDir()
	old := `{"duration":10,"clips":[],"shots":[],"transcript":[{"start":1,"end":2,"value":"heavy rain"}],"on_screen_text":[]}`
	if err := os.WriteFile(filepath.Join(dir, understandingFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := LoadUnderstanding(dir)
	if err != nil {
		t.Fatal(err)
	}
	ws, cs := u.Transcript[0].WordConfs()
	if !reflect.DeepEqual(ws, []string{"heavy", "rain"}) {
		t.Fatalf("words %v", ws)
	}
	for i, c := range cs {
		if !Sure(c) {
			t.Errorf("word %q of old data not sure (conf %v)", ws[i], c)
		}
	}
}

func TestSure(t *testing.T) {
	tests := []struct {
		conf float64
		want bool
	}{{0, true}, {SureConf, true}, {1, true}, {SureConf / 2, false}, {0.001, false}}
	for _, tt := range tests {
		if got := Sure(tt.conf); got != tt.want {
			t.Errorf("Sure(%v) = %v, want %v", tt.conf, got, tt.want)
		}
	}
}

func TestSpanConfRoundTrip(t *testing.T) {
	dir := t.TempDir()
	u := &Understanding{Transcript: []Span{{Start: 0, End: 1, Text: "way now sell", Conf: []float64{0.3, 0.9, 0.05}}}}
	if err := u.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadUnderstanding(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, cs := got.Transcript[0].WordConfs(); !reflect.DeepEqual(cs, []float64{0.3, 0.9, 0.05}) {
		t.Errorf("confidences %v after a save and load", cs)
	}
}
