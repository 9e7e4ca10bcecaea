package generate

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"

	"glimpse/engine/text"
)

// word is one word of evidence or prompt text (engine/text: as written,
// its stem, whether it is a stop word), and whether the recogniser was
// unsure of it.
type word struct {
	text.Word
	// Doubt marks a spoken word the recogniser was unsure of: it may help
	// find evidence but is never quoted or made a subject.
	Doubt bool
}

// words splits s into words (text.Words).
func words(s string) []word {
	ws := text.Words(s)
	out := make([]word, len(ws))
	for i, w := range ws {
		out[i].Word = w
	}
	return out
}

// set makes a word list for has.
func set(ws ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(ws))
	for _, w := range ws {
		m[w] = struct{}{}
	}
	return m
}

// promptWords are how people ask about a video; they never name its content.
var promptWords = set(strings.Fields(`
video videos clip clips footage film show shows shown tell explain describe description describes
summarize summarise summary summaries overview recap happen happens happened happening talk talks
talked talking mention mentions mentioned discuss discusses discussed list give write generate provide
answer question questions content main key point points detail details based please would could
sentence sentences paragraph paragraphs word words brief briefly short long format following followed
title titles topic topics keyword keywords hashtag hashtags tag tags chapter chapters highlight
highlights moment moments timeline outline section sections seo focus focusing
emphasis emphasize emphasise concentrate include including cover covering mainly especially particular
`)...)

// stripJunk cleans OCR text: it keeps word-like tokens and drops runs of
// symbols and one-letter fragments at the edges, which tesseract produces
// from logos and graphics around a caption.
func stripJunk(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		toks := strings.Fields(line)
		good := func(t string) bool {
			letters := 0
			for _, r := range t {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					letters++
				}
			}
			return letters >= 3 && float64(letters) >= 0.6*float64(len([]rune(t)))
		}
		start, end := 0, len(toks)
		for start < end && !good(toks[start]) {
			// "A cargo train…": a capital A or I opening a caption is a word.
			if (toks[start] == "A" || toks[start] == "I") && start+1 < end && good(toks[start+1]) {
				break
			}
			start++
		}
		for end > start && !good(toks[end-1]) {
			end--
		}
		toks = toks[start:end]
		if len(toks) == 0 {
			continue
		}
		bad := 0
		for _, t := range toks {
			if len(text.Tokenize(t)) == 0 {
				bad++
			}
		}
		if float64(bad) > 0.3*float64(len(toks)) {
			continue
		}
		lines = append(lines, strings.Join(toks, " "))
	}
	return strings.Join(lines, "\n")
}

// countTokens approximates a BPE tokenizer: a short word is one token, a
// long word one per six letters, every punctuation mark one. Prompt limits
// and usage figures use it.
func countTokens(s string) int {
	n := 0
	for _, m := range tokenRE.FindAllString(s, -1) {
		r := []rune(m)
		switch {
		case unicode.IsLetter(r[0]):
			n += max(1, (len(r)+4)/6)
		case unicode.IsDigit(r[0]):
			n += (len(r) + 2) / 3
		default:
			n++
		}
	}
	return n
}

var tokenRE = regexp.MustCompile(`\p{L}+|\p{N}+|[^\s\p{L}\p{N}]`)

// clock formats seconds as m:ss (h:mm:ss past an hour), as people write
// timestamps and as the watch page links them.
func clock(sec float64) string {
	s := int(math.Floor(sec + 0.5))
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// clockRange formats a span as "m:ss–m:ss", or one time when it is short.
func clockRange(start, end float64) string {
	if clock(start) == clock(end) {
		return clock(start)
	}
	return clock(start) + "–" + clock(end)
}

// sentenceCase capitalises the first letter and leaves the rest alone.
func sentenceCase(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// titleCase capitalises each word except short function words inside.
func titleCase(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		lower := strings.ToLower(w)
		if i > 0 && len(lower) <= 3 && text.IsStop(lower) {
			ws[i] = lower
			continue
		}
		if strings.ToUpper(w) == w && len(w) > 3 {
			w = lower // shouting captions read better in title case
		}
		ws[i] = sentenceCase(w)
	}
	return strings.Join(ws, " ")
}

// truncateWords cuts s to at most n words, marking the cut.
func truncateWords(s string, n int) string {
	ws := strings.Fields(s)
	if len(ws) <= n {
		return strings.Join(ws, " ")
	}
	return strings.Join(ws[:n], " ") + "…"
}

// commonWords are frequent in any English text, so their frequency in one
// video says little about its subject: the inverse-document-frequency part
// of salience, from general English rather than from a corpus of videos.
var commonWords = set(strings.Fields(`
time people year way day man woman thing life child children world school state family student group
country problem hand part place case week company system program question work government number night
point home water room mother area money story fact month lot right study book eye job word business
issue side kind head house service friend father power hour game line end member law car city community
name president team minute idea kid body information back parent face level office door health person
art war history party result change morning reason research girl guy moment air teacher force education
town news today report reports reporter big small good bad new old great little long high large next
early young important public able sure real best better full special free clear whole open hard low
different local late major certain possible several least true social political human short general
ask asked say said tell told call called look looked find found give given feel felt seem seemed
leave left keep kept start started turn turned show showed hear heard play run move live believe
hold bring happen happened write provide sit stand lose pay meet include continue set learn lead
understand watch follow stop create speak read allow add spend grow offer remember love consider
appear buy wait serve die send expect build stay fall cut reach kill remain suggest raise pass sell
require decide pull people's everyone anyone someone thousands hundreds million millions billion dollars
percent number yesterday tomorrow tonight week weeks year years days hours minutes second seconds
`)...)

// commonFactor discounts common words' salience.
const commonFactor = 0.55
