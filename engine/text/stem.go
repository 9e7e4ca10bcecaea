package text

import (
	"strings"

	"github.com/kljensen/snowball/english"
)

// Stem is the Snowball (Porter2) English stem of a lower-case word, so that
// "crashed", "crashes" and "crashing" all meet at "crash". A possessive
// "'s" goes first; other apostrophes are dropped ("they're" = "theyre").
func Stem(w string) string {
	w = strings.ReplaceAll(w, "’", "'")
	w = strings.TrimSuffix(w, "'s")
	return english.Stem(dropApostrophes(w), true)
}
