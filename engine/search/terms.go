package search

import "glimpse/engine/text"

// queryTerms keeps the words of a query that can match: no function words
// (unless the query is nothing but function words).
func queryTerms(q string) []text.Word {
	words := text.Words(q)
	var out []text.Word
	for _, w := range words {
		if !text.IsFunctionWord(w.Key) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return words
	}
	return out
}

// How much each kind of match is worth, as the share of a word matched.
const (
	exactMatch    = 1.0  // same stem: "crashed" for "crash"
	compoundMatch = 0.95 // joined or split differently: "window sill" for "windowsill"
	synonymMatch  = 0.8  // near-synonym: "blaze" for "fire"
	fuzzyMatch1   = 0.8  // one slip: OCR or recognition
	fuzzyMatch2   = 0.65 // two slips, long words only
)

// fuzzyWeight is how well vocabulary word v stands for query term t when
// it may be t misread or misheard; 0 when it may not.
func fuzzyWeight(t, v text.Word) float64 {
	switch text.NearSpelling(t, v) {
	case 1:
		return fuzzyMatch1
	case 2:
		return fuzzyMatch2
	}
	return 0
}
