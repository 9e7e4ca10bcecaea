package text

import (
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// MaxSlips is how many letters a word of n letters may be misread (OCR) or
// misheard (the recogniser) by and still stand for itself: none under five
// letters, where too many real words lie one letter apart, one up to seven,
// two from eight.
func MaxSlips(n int) int {
	switch {
	case n < 5:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// Slips is the edit (Levenshtein) distance of a and b, or limit+1 when it
// is more than limit.
func Slips(a, b string, limit int) int {
	if a == b {
		return 0
	}
	if d := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); d > limit || -d > limit {
		return limit + 1
	}
	if lettersApart(a, b) > limit {
		return limit + 1
	}
	if d := levenshtein.ComputeDistance(a, b); d <= limit {
		return d
	}
	return limit + 1
}

// NearSpelling is how many slips (1 or 2) apart query word q and text word
// w are when w may be q misread or misheard, comparing their keys and their
// stems (each allowed the slips of its own length); 0 when they are the
// same word or too far apart. Text words under four letters are never
// taken for a slip.
func NearSpelling(q, w Word) int {
	if q.Stem == w.Stem || utf8.RuneCountInString(w.Key) < 4 {
		return 0
	}
	best := 0
	for _, p := range [][2]string{{q.Key, w.Key}, {q.Stem, w.Stem}} {
		limit := MaxSlips(utf8.RuneCountInString(p[0]))
		if d := Slips(p[0], p[1], limit); d <= limit && (best == 0 || d < best) {
			best = d
		}
	}
	return best
}

// lettersApart is a lower bound of the edit distance of two ASCII
// lower-case words, from how many of each letter they hold (an edit
// changes the counts by two at most): it rules out most words of a
// vocabulary before the full distance is computed. Other words get 0.
func lettersApart(a, b string) int {
	var counts [26]int
	for i := 0; i < len(a); i++ {
		c := a[i] - 'a'
		if c >= 26 {
			return 0
		}
		counts[c]++
	}
	for i := 0; i < len(b); i++ {
		c := b[i] - 'a'
		if c >= 26 {
			return 0
		}
		counts[c]--
	}
	diff := 0
	for _, n := range counts {
		diff += max(n, -n)
	}
	return (diff + 1) / 2
}
