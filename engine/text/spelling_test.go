package text

import (
	"slices"
	"testing"

	"github.com/agnivade/levenshtein"
)

func word(s string) Word { return Words(s)[0] }

func TestNearSpelling(t *testing.T) {
	cases := []struct {
		query, text string
		want        int
	}{
		{"derailment", "derailmant", 1}, // one letter misheard in a long word
		{"derailment", "derailmint", 1},
		{"derailment", "deraiment", 1},  // one dropped
		{"locomotive", "lokomotiv", 2},  // two slips, long word
		{"palestine", "palestein", 1},   // transposed letters: their stems are one edit apart
		{"harbour", "harbor", 1},        // spelling variant
		{"harbour", "harpor", 2 * 0},    // two slips in a seven-letter word: too far
		{"train", "trail", 1},           // five letters allow one
		{"rain", "pain", 0},             // four letters allow none
		{"crashed", "crashes", 0},       // the same stem is the same word, not a slip
		{"derailment", "derailment", 0}, // the same word
		{"shipping", "sip", 0},          // a short text word is never a slip
		{"quarterly", "quartz", 0},
	}
	for _, c := range cases {
		if got := NearSpelling(word(c.query), word(c.text)); got != c.want {
			t.Errorf("NearSpelling(%q, %q) = %d, want %d", c.query, c.text, got, c.want)
		}
	}
}

func TestSlips(t *testing.T) {
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"abc", "abcdef", 2, 3}, // too far by length alone
		{"same", "same", 0, 0},
		{"café", "cafe", 1, 1}, // letters, not bytes
	}
	for _, c := range cases {
		if got := Slips(c.a, c.b, c.limit); got != c.want {
			t.Errorf("Slips(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestCompounds(t *testing.T) {
	joined := []struct{ a, b, want string }{
		{"window", "sill", "windowsill"},
		{"fork", "lift", "forklift"},
		{"a", "cross", ""},
		{"to", "day", ""},
	}
	for _, c := range joined {
		if got := Joined(c.a, c.b); got != c.want {
			t.Errorf("Joined(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
	vocab := map[string]bool{"window": true, "sill": true, "win": true, "dow": true, "lights": true, "house": true, "light": true, "houses": true}
	known := func(w string) bool { return vocab[w] }
	splits := []struct {
		w    string
		want [][2]string
	}{
		{"windowsill", [][2]string{{"window", "sill"}}},
		{"lighthouses", [][2]string{{"light", "houses"}}},
		{"window", [][2]string{{"win", "dow"}}},
		{"sill", nil},
		{"harbour", nil},
	}
	for _, c := range splits {
		if got := Splits(c.w, known); !slices.Equal(got, c.want) {
			t.Errorf("Splits(%q) = %q, want %q", c.w, got, c.want)
		}
	}
}

// The letter-count bound never exceeds the edit distance, so Slips gives
// what the full distance gives.
func TestLettersApartIsALowerBound(t *testing.T) {
	words := []string{"window", "windowsill", "windowsell", "sill", "quarterly", "quartet", "quartz",
		"derailment", "derailed", "train", "rain", "fallout", "lawsuit", "lawsuits", "héllo", "hello", "r2d2", "abc", ""}
	for _, a := range words {
		for _, b := range words {
			d := levenshtein.ComputeDistance(a, b)
			if lb := lettersApart(a, b); lb > d {
				t.Errorf("lettersApart(%q, %q) = %d, above the edit distance %d", a, b, lb, d)
			}
			for limit := 0; limit <= 2; limit++ {
				want := min(d, limit+1)
				if got := Slips(a, b, limit); got != want {
					t.Errorf("Slips(%q, %q, %d) = %d, want %d", a, b, limit, got, want)
				}
			}
		}
	}
}
