package understand

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCTM(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Word
	}{
		{"confidences kept", "u100 1 0.57 0.45 together 0.349\nu100 1 1.03 0.15 the 0.996\n",
			[]Word{{Start: 1.57, End: 2.02, Word: "together", Conf: 0.349}, {Start: 2.03, End: 2.18, Word: "the", Conf: 0.996}}},
		{"no confidence column counts as sure", "u0 1 0.10 0.20 rain\n",
			[]Word{{Start: 0.1, End: 0.3, Word: "rain", Conf: 1}}},
		{"zero kept above zero, which means unknown", "u0 1 0.10 0.20 rain 0.000\n",
			[]Word{{Start: 0.1, End: 0.3, Word: "rain", Conf: 0.001}}},
		{"fillers and pronunciation markers", "u0 1 0.00 0.10 <sil> 0.9\nu0 1 0.10 0.20 read(2) 0.8\nu0 1 0.30 0.10 [noise] 0.9\n",
			[]Word{{Start: 0.1, End: 0.3, Word: "read", Conf: 0.8}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCTM(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTranscriptSpansCarryConfidences(t *testing.T) {
	words := []Word{
		{Start: 0, End: 0.4, Word: "heavy", Conf: 0.9},
		{Start: 0.45, End: 0.8, Word: "rain", Conf: 0.2},
		{Start: 2, End: 2.3, Word: "tonight", Conf: 0.7},
	}
	spans := transcriptSpans(words)
	if len(spans) != 2 {
		t.Fatalf("spans %+v, want 2", spans)
	}
	for i, want := range [][]float64{{0.9, 0.2}, {0.7}} {
		ws, cs := spans[i].WordConfs()
		if !reflect.DeepEqual(cs, want) || len(ws) != len(want) {
			t.Errorf("span %d: words %v confidences %v, want %v", i, ws, cs, want)
		}
	}
}
