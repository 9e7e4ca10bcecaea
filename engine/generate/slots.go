package generate

import (
	"regexp"
	"strings"
	"unicode"

	"glimpse/engine/text"
)

// Slot extractors: the part of a piece of evidence that answers a typed
// question — a number and what it counts, a time, a place, a colour. They
// work on the evidence's own words and return them as written, so an
// answer never says more than the video does.

var numberWords = set(strings.Fields(`zero one two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
eighty ninety hundred thousand million billion dozen half`)...)

var timeUnits = set(strings.Fields(`second seconds minute minutes hour hours day days week weeks month months
year years decade decades night nights`)...)

func isNumber(w string) bool {
	lw := strings.ToLower(w)
	if _, ok := numberWords[lw]; ok {
		return true
	}
	digits := 0
	for _, r := range lw {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '.' || r == ',' || r == '%':
		default:
			return false
		}
	}
	return digits > 0
}

// tokens splits text into words with the punctuation around them dropped.
func tokens(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		if t := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '%' }); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// numberPhrase finds a number in text and the word it counts ("nine
// days", "12 PERCENT", "four hundred"). With durations set only a number
// of time units counts. near, if given, prefers the number closest to one
// of those stems.
func numberPhrase(line string, near []string, durations bool) (string, bool) {
	ts := tokens(line)
	best, bestDist := "", 1<<30
	for i := 0; i < len(ts); i++ {
		if !isNumber(ts[i]) {
			continue
		}
		j := i + 1
		for j < len(ts) && (isNumber(ts[j]) || (strings.EqualFold(ts[j], "and") && j+1 < len(ts) && isNumber(ts[j+1]))) {
			j++
		}
		phrase := ts[i:j]
		if j < len(ts) && !text.IsStop(strings.ToLower(ts[j])) {
			phrase = ts[i : j+1]
		}
		_, unitOK := timeUnits[strings.ToLower(phrase[len(phrase)-1])]
		if durations && !unitOK {
			i = j - 1
			continue
		}
		dist := 0
		if len(near) > 0 {
			dist = 1 << 20
			for k, t := range ts {
				for _, st := range near {
					if text.Stem(strings.ToLower(t)) == st {
						dist = min(dist, abs(k-i))
					}
				}
			}
		}
		if dist < bestDist {
			best, bestDist = strings.Join(phrase, " "), dist
		}
		i = j - 1
	}
	return best, best != ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

var timeRE = regexp.MustCompile(`(?i)\b(?:(?:every|on|this|next|last|by|from|until|since)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?(?:\s+(?:morning|afternoon|evening|night))?\b` +
	`|\b(?:in\s+|on\s+|since\s+|from\s+)?(?:january|february|april|june|july|august|september|october|november|december)(?:\s+\d{1,2})?\b` +
	`|\b(?:today|tonight|tomorrow|yesterday)\b` +
	`|\b(?:this|next|last)\s+(?:week|month|year|weekend|summer|winter|spring|autumn|morning|evening)\b` +
	`|\b\d+\s+(?:days|weeks|months|years)\s+ago\b` +
	`|\b(?:in\s+)?(?:19|20)\d\d\b` +
	`|\bat\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)\b` +
	`|\b(?:until|till)\s+[^,.;!?]+`)

// timePhrase finds when something happens in text: a weekday, a month, a
// year, "tonight", "next week".
func timePhrase(text string) (string, bool) {
	m := timeRE.FindString(text)
	return m, m != ""
}

// placePreps open a phrase naming where; placeNouns name kinds of place.
var (
	placePreps = set(strings.Fields(`in at near to into from outside inside across along beside behind under above`)...)
	placeNouns = set(strings.Fields(`port town city village county state province region island district borough
harbour harbor republic kingdom capital suburb suburbs valley`)...)
	// phraseGlue may sit inside a place phrase without ending it.
	phraseGlue = set("the", "a", "an", "of", "old", "new", "north", "south", "east", "west", "northern", "southern", "eastern", "western", "upper", "lower")
	timeNouns  = set(strings.Fields(`morning afternoon evening night week month year weekend spring summer autumn
winter monday tuesday wednesday thursday friday saturday sunday time moment end start beginning day days`)...)
)

// placePhrase finds where in text: a preposition of place and what follows
// ("to the airport", "IN RIVERSIDE"), or a kind of place and its name
// ("PORT OF VALLETTA"). after, if given, prefers phrases following one of
// those stems (the route *to the airport*).
func placePhrase(text string, after []string) (string, bool) {
	p, score := placePhraseScored(text, after)
	return p, score > 0
}

// placePhraseScored is placePhrase with how much the phrase looks like a
// place: names in it count, and following one of after counts most.
func placePhraseScored(line string, after []string) (string, int) {
	ts := tokens(line)
	type cand struct {
		words []string
		score int
	}
	var best cand
	for i, t := range ts {
		lt := strings.ToLower(t)
		var words []string
		switch {
		case has(placeNouns, lt) && i+2 < len(ts) && strings.EqualFold(ts[i+1], "of"):
			words = phraseFrom(ts, i, 2)
		case has(placePreps, lt):
			words = phraseFrom(ts, i, 1)
		}
		if len(words) < 2 {
			continue
		}
		last := strings.ToLower(words[len(words)-1])
		if has(timeNouns, last) || isNumber(last) {
			continue // "on monday morning" says when, not where
		}
		score := 1
		for _, w := range words[1:] {
			if capitalised(w) && strings.ToUpper(w) != w {
				score++ // a name, in mixed-case text
			}
		}
		for k := 0; k < i; k++ {
			for _, st := range after {
				if text.Stem(strings.ToLower(ts[k])) == st {
					score += 3
				}
			}
		}
		if score > best.score {
			best = cand{words, score}
		}
	}
	return strings.Join(best.words, " "), best.score
}

// phraseFrom takes ts[i] and the words after it that continue a place
// phrase, at most five content words; skip words are taken as they are.
func phraseFrom(ts []string, i, skip int) []string {
	out := append([]string(nil), ts[i:min(len(ts), i+skip)]...)
	content := 0
	for k := i + skip; k < len(ts) && content < 5; k++ {
		lw := strings.ToLower(ts[k])
		if has(phraseGlue, lw) {
			out = append(out, ts[k])
			continue
		}
		if (lw == "in" || lw == "of") && k+1 < len(ts) && capitalised(ts[k+1]) && strings.ToUpper(ts[k+1]) != ts[k+1] {
			out = append(out, ts[k]) // "… East Palestine in Ohio"
			continue
		}
		if has(placePreps, lw) || text.IsStop(lw) {
			break
		}
		out = append(out, ts[k])
		content++
	}
	for len(out) > 1 && has(phraseGlue, strings.ToLower(out[len(out)-1])) {
		out = out[:len(out)-1]
	}
	if content == 0 {
		return nil
	}
	return out
}

func has(m map[string]struct{}, k string) bool {
	_, ok := m[k]
	return ok
}

var colourWords = set(strings.Fields(`red orange yellow green blue purple violet pink brown black white grey gray
silver gold golden beige turquoise`)...)

// colourWord finds a colour named in text.
func colourWord(text string) (string, bool) {
	for _, t := range tokens(text) {
		if has(colourWords, strings.ToLower(t)) {
			return t, true
		}
	}
	return "", false
}

// nameLike says whether a caption line reads as a person's name: two to
// four words, no digits, the first (after a title) not a common word.
func nameLike(line string) bool {
	ts := tokens(line)
	if len(ts) > 0 && has(nameTitles, strings.ToLower(strings.TrimSuffix(ts[0], "."))) {
		ts = ts[1:]
	}
	if len(ts) < 2 || len(ts) > 4 {
		return false
	}
	for _, t := range ts {
		for _, r := range t {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' {
				return false
			}
		}
	}
	first := strings.ToLower(ts[0])
	return !has(commonWords, first) && !text.IsStop(first) && !has(placeNouns, first)
}

var nameTitles = set("dr", "mr", "mrs", "ms", "prof", "professor", "sir", "dame", "doctor")

// asWritten gives an all-capitals caption phrase in title case, and
// leaves anything else as it is.
func asWritten(s string) string {
	if strings.ToUpper(s) != s {
		return s
	}
	return titleCase(strings.ToLower(s))
}

var calendarNames = set(strings.Fields(`monday tuesday wednesday thursday friday saturday sunday mondays tuesdays
wednesdays thursdays fridays saturdays sundays january february march april may june july august september
october november december`)...)

// tidy writes a phrase taken from the evidence as the start of a sentence:
// shouting captions and lower-case transcripts alike in plain case, days
// and months capitalised.
func tidy(p string) string {
	ws := strings.Fields(p)
	for i, w := range ws {
		if strings.ToUpper(w) == w {
			w = strings.ToLower(w)
		}
		if has(calendarNames, strings.ToLower(w)) {
			w = sentenceCase(strings.ToLower(w))
		}
		ws[i] = w
	}
	return sentenceCase(strings.Join(ws, " "))
}

func capitalised(w string) bool {
	r := []rune(w)
	return len(r) > 0 && unicode.IsUpper(r[0])
}
