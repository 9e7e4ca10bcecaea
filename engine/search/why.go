package search

import (
	"slices"
	"strings"

	"glimpse/engine/text"
)

// Why is one reason a clip matched a query: the words of the clip that
// stand for the query's, quoted in context, and where they were found.
// /search gives a result's reasons in the extension field x_glimpse_match,
// which the official SDK ignores (unknown response fields are dropped).
type Why struct {
	Source string   `json:"source"`          // WhySpeech, WhyOnScreen or WhyVisual
	Words  []string `json:"words,omitempty"` // as said or shown, each once
	Quote  string   `json:"quote,omitempty"` // the words in context; "…" where cut
	// Unsure: some of the words were heard, but the speech recogniser was
	// unsure of them.
	Unsure bool `json:"unsure,omitempty"`
}

// Sources of a Why.
const (
	WhySpeech   = "speech"
	WhyOnScreen = "on_screen_text"
	WhyVisual   = "visual"
)

// whyContext is how many words either side of the matched ones a speech
// quote keeps, and whyMaxWords how long it may be in all.
const (
	whyContext  = 3
	whyMaxWords = 16
)

// explain says why clip c matched q, the source with the most query words
// first; a clip matched by its picture alone (an image query, or the
// image–text model) has the one reason WhyVisual.
func explain(c *clipDoc, q query, terms []text.Word, cands []map[string]float32) []Why {
	var out []Why
	if len(terms) > 0 {
		var screen, speech Why
		var nScreen, nSpeech int
		if q.Visual {
			screen, nScreen = explainShown(c.Shown, terms, cands)
		}
		if q.Audio {
			speech, nSpeech = explainSaid(c.Said, terms, cands)
		}
		switch {
		case nScreen > 0 && nScreen >= nSpeech:
			out = append(out, screen)
			if nSpeech > 0 {
				out = append(out, speech)
			}
		case nSpeech > 0:
			out = append(out, speech)
			if nScreen > 0 {
				out = append(out, screen)
			}
		}
	}
	if len(out) == 0 && q.Visual && (q.Image != nil || q.TextVec != nil) {
		out = append(out, Why{Source: WhyVisual})
	}
	return out
}

// termsOf says which query terms the words stand for: a word whose stem
// is a candidate of the term, or two words that joined are.
func termsOf(ws []text.Word, cands []map[string]float32) (hit []bool, terms map[int]bool) {
	hit = make([]bool, len(ws))
	terms = map[int]bool{}
	for i, w := range ws {
		if text.IsFunctionWord(w.Key) {
			continue
		}
		joined := ""
		if i+1 < len(ws) {
			if j := text.Joined(w.Key, ws[i+1].Key); j != "" {
				joined = text.Stem(j)
			}
		}
		for k, m := range cands {
			if m[w.Stem] > 0 {
				hit[i], terms[k] = true, true
			}
			if joined != "" && m[joined] > 0 {
				hit[i], hit[i+1], terms[k] = true, true, true
			}
		}
	}
	return hit, terms
}

// explainShown quotes the caption lines holding the most query terms.
func explainShown(lines []string, terms []text.Word, cands []map[string]float32) (Why, int) {
	w := Why{Source: WhyOnScreen}
	best := 0
	type line struct {
		text  string
		words []string
		n     int
	}
	var ls []line
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		words := text.Words(l)
		hit, ts := termsOf(words, cands)
		if len(ts) == 0 {
			continue
		}
		var ws []string
		for i, w := range words {
			if hit[i] {
				ws = append(ws, w.Surface)
			}
		}
		ls = append(ls, line{l, ws, len(ts)})
		best = max(best, len(ts))
	}
	var quotes []string
	for _, l := range ls {
		if l.n < best || slices.Contains(quotes, l.text) {
			continue
		}
		quotes = append(quotes, l.text)
		for _, x := range l.words {
			if !slices.Contains(w.Words, x) {
				w.Words = append(w.Words, x)
			}
		}
	}
	w.Quote = strings.Join(quotes, " / ")
	return w, best
}

// explainSaid quotes the stretch of speech from the first matched word to
// the last, with a few words either side.
func explainSaid(said []saidWord, terms []text.Word, cands []map[string]float32) (Why, int) {
	w := Why{Source: WhySpeech}
	var tokens []text.Word
	var owner []int // word -> index in said
	for i, s := range said {
		for _, w := range text.Words(s.Word) {
			tokens = append(tokens, w)
			owner = append(owner, i)
		}
	}
	hit, ts := termsOf(tokens, cands)
	if len(ts) == 0 {
		return w, 0
	}
	first, last := -1, -1
	for i := range tokens {
		if !hit[i] {
			continue
		}
		o := owner[i]
		if first < 0 {
			first = o
		}
		last = o
		if !slices.Contains(w.Words, said[o].Word) {
			w.Words = append(w.Words, said[o].Word)
		}
		w.Unsure = w.Unsure || said[o].Doubt
	}
	lo, hi := max(0, first-whyContext), min(len(said), last+1+whyContext)
	if hi-lo > whyMaxWords {
		hi = max(lo+whyMaxWords, last+1)
		lo = max(0, hi-whyMaxWords)
	}
	matched := map[int]bool{}
	for i := range tokens {
		if hit[i] {
			matched[owner[i]] = true
		}
	}
	// Words around the match that the recogniser was unsure of are left
	// out ("…"): the quote says what was heard, not what may have been.
	// Function words stay: a misheard "to" states no wrong fact.
	var q []string
	gap := func() {
		if len(q) == 0 || q[len(q)-1] != "…" {
			q = append(q, "…")
		}
	}
	if lo > 0 {
		gap()
	}
	for i := lo; i < hi; i++ {
		if said[i].Doubt && !matched[i] && isContent(said[i].Word) {
			gap()
			continue
		}
		q = append(q, said[i].Word)
	}
	if hi < len(said) {
		gap()
	}
	w.Quote = strings.Join(q, " ")
	return w, len(ts)
}

// isContent says whether a recognised word is more than a function word.
func isContent(w string) bool {
	for _, t := range text.Words(w) {
		if !text.IsFunctionWord(t.Key) {
			return true
		}
	}
	return false
}
