package text

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	cases := []struct {
		in                    string
		surfaces, keys, stems []string
		stops                 []bool
	}{
		{"They're at Ohio’s plant", []string{"They're", "at", "Ohio’s", "plant"},
			[]string{"theyre", "at", "ohios", "plant"}, []string{"theyr", "at", "ohio", "plant"},
			[]bool{true, true, false, false}},
		{"2 trains derailed—fire!", []string{"2", "trains", "derailed", "fire"},
			[]string{"2", "trains", "derailed", "fire"}, []string{"2", "train", "derail", "fire"},
			[]bool{true, false, false, false}},
		{"the dogs' bowls, 'quoted'", []string{"the", "dogs", "bowls", "quoted"},
			[]string{"the", "dogs", "bowls", "quoted"}, []string{"the", "dog", "bowl", "quot"},
			[]bool{true, false, false, false}},
		{"rock'n'roll Café", []string{"rock'n'roll", "Café"},
			[]string{"rocknroll", "café"}, []string{"rocknrol", "café"}, []bool{false, false}},
		{"  ...  ", nil, nil, nil, nil},
	}
	for _, c := range cases {
		ws := Words(c.in)
		var surfaces, keys, stems []string
		var stops []bool
		for _, w := range ws {
			surfaces, keys, stems, stops = append(surfaces, w.Surface), append(keys, w.Key), append(stems, w.Stem), append(stops, w.Stop)
		}
		if !slices.Equal(surfaces, c.surfaces) || !slices.Equal(keys, c.keys) || !slices.Equal(stems, c.stems) || !slices.Equal(stops, c.stops) {
			t.Errorf("Words(%q) = %q %q %q %v, want %q %q %q %v", c.in, surfaces, keys, stems, stops, c.surfaces, c.keys, c.stems, c.stops)
		}
		if got := Tokenize(c.in); !slices.Equal(got, c.keys) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.keys)
		}
	}
}

func TestContentStems(t *testing.T) {
	got := ContentStems("It seemed that the trains were getting derailed in East Palestine")
	want := []string{"train", "derail", "east", "palestin"}
	if !slices.Equal(got, want) {
		t.Errorf("ContentStems = %q, want %q", got, want)
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"crashed": "crash", "crashes": "crash", "crashing": "crash", "crash": "crash",
		"derailment": "derail", "derailed": "derail", "news": "news", "children's": "children",
		"running": "run", "residents": "resid", "resident": "resid", "flames": "flame", "a": "a",
	}
	for in, want := range cases {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStop(t *testing.T) {
	cases := map[string][2]bool{ // word: {IsFunctionWord, IsStop}
		"the": {true, true}, "would": {true, true}, "first": {false, true}, "seemed": {false, true},
		"she'll": {false, true}, "shell": {false, false}, "mining": {false, false}, "wells": {false, false},
		"x": {false, true}, "train": {false, false}, "um": {false, true},
	}
	for w, want := range cases {
		if got := [2]bool{IsFunctionWord(w), IsStop(w)}; got != want {
			t.Errorf("%q: IsFunctionWord, IsStop = %v, want %v", w, got, want)
		}
	}
	for w := range functionWords {
		if !IsStop(w) {
			t.Errorf("function word %q is not a stop word", w)
		}
	}
}

func TestSynonyms(t *testing.T) {
	lx := Synonyms()
	cases := []struct {
		word string
		near []string // must be among its synonyms
		not  []string
	}{
		{"fire", []string{"blaze", "flame"}, []string{"fire", "smoke"}},
		{"derailment", []string{"crash", "wreck"}, []string{"train"}},
		{"houses", []string{"home"}, []string{"hous"}},
		{"chocolate", nil, nil},
	}
	for _, c := range cases {
		got := lx[Stem(c.word)]
		for _, w := range c.near {
			if !slices.Contains(got, Stem(w)) {
				t.Errorf("synonyms of %q = %q: want %q", c.word, got, Stem(w))
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, Stem(w)) {
				t.Errorf("synonyms of %q = %q: do not want %q", c.word, got, Stem(w))
			}
		}
		if c.near == nil && len(got) > 0 {
			t.Errorf("synonyms of %q = %q, want none", c.word, got)
		}
	}
}
