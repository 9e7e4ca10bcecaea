package search

import (
	"strings"
	"unicode"
)

// tokenize lower-cases s and splits it into words of letters and digits;
// apostrophes inside words are dropped ("they're" -> "theyre").
func tokenize(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
		default:
			flush()
		}
	}
	flush()
	return out
}

// stopWords carry no meaning a search could match on.
var stopWords = setOf(`a an and are as at be been but by for from had has have he her his i if in into is it its
of on or our she so than that the their them then there these they this to was we were what when where which
who will with you your do does did not no yes can could would should may might about over also just very`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// synonymGroups are near-synonyms a person searching news and everyday
// footage uses interchangeably. Words are stemmed when the table is built.
var synonymGroups = []string{
	"train railway railroad rail locomotive",
	"crash collision wreck derailment accident",
	"fire blaze flame flames burning",
	"smoke fumes plume",
	"toxic poisonous hazardous",
	"chemical chemicals substance",
	"water drinking",
	"town village city community",
	"resident residents locals townspeople inhabitants",
	"people crowd public",
	"angry furious upset outraged",
	"meeting gathering assembly",
	"governor official officials authorities",
	"doctor physician",
	"car automobile vehicle",
	"child kid children kids",
	"lawsuit lawsuits litigation suit",
	"cancer carcinogen tumor",
	"fish fishes",
	"dead killed died death",
	"reporter correspondent journalist",
	"news report broadcast",
	"big large huge",
	"small little tiny",
	"happy glad joyful",
	"photo picture image",
	"film movie video",
	"ocean sea",
	"road street highway",
	"home house houses homes",
}

// lexicon maps a stem to the stems of its near-synonyms.
type lexicon map[string][]string

func newLexicon() lexicon {
	lx := lexicon{}
	for _, g := range synonymGroups {
		var stems []string
		seen := map[string]bool{}
		for _, w := range strings.Fields(g) {
			s := stem(w)
			if !seen[s] {
				seen[s] = true
				stems = append(stems, s)
			}
		}
		for _, s := range stems {
			for _, o := range stems {
				if o != s && !contains(lx[s], o) {
					lx[s] = append(lx[s], o)
				}
			}
		}
	}
	return lx
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// queryTerm is one meaningful word of a query.
type queryTerm struct {
	word string // as typed, lower case
	stem string
}

// queryTerms keeps the words of a query that can match: no stop words
// (unless the query is nothing but stop words).
func queryTerms(q string) []queryTerm {
	words := tokenize(q)
	var out []queryTerm
	for _, w := range words {
		if !stopWords[w] {
			out = append(out, queryTerm{w, stem(w)})
		}
	}
	if len(out) == 0 {
		for _, w := range words {
			out = append(out, queryTerm{w, stem(w)})
		}
	}
	return out
}

// How much each kind of match is worth, as the share of a word matched.
const (
	exactMatch   = 1.0  // same stem: "crashed" for "crash"
	synonymMatch = 0.8  // near-synonym: "blaze" for "fire"
	fuzzyMatch1  = 0.8  // one edit: OCR or recognition slip
	fuzzyMatch2  = 0.65 // two edits, long words only
)

// fuzzyWeight is how well vocabulary word v (and its stem vs) stands for
// query term t when they differ by small edits; 0 when they do not.
func fuzzyWeight(t queryTerm, v, vs string) float64 {
	if len(t.word) < 5 || len(v) < 4 {
		return 0
	}
	limit := 1
	if len(t.word) >= 8 {
		limit = 2
	}
	d := min(editDistance(t.word, v, limit), editDistance(t.stem, vs, limit))
	switch {
	case d == 1:
		return fuzzyMatch1
	case d == 2 && limit == 2:
		return fuzzyMatch2
	}
	return 0
}

// editDistance is the Levenshtein distance of a and b, or limit+1 as soon
// as it must exceed limit.
func editDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var bufA, bufB [40]int // words are short: no allocation on the hot path
	prev, cur := bufA[:0], bufB[:0]
	if len(b)+1 > len(bufA) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(prev[j-1], prev[j], cur[j-1])
			}
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
