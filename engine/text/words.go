// Package text is the engine's one English text pipeline: it splits text
// into words, marks stop words, stems, knows near-synonyms, and matches
// near-spellings and compounds written joined or apart. Search (what a
// query matches) and generation (what a video is about, what to quote) use
// it alike, so a word means the same to both.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Word is one word of a text.
type Word struct {
	Surface string // as written: "Derailed", "Ohio's"
	Key     string // lower case, apostrophes dropped: what word lists and matching compare ("ohios")
	Stem    string // the Snowball stem ("derail", "ohio")
	Stop    bool   // carries no subject (IsStop)
}

// Words splits s into words: runs of letters and digits, an apostrophe
// between letters kept inside a word ("they're", "Ohio's").
func Words(s string) []Word {
	var out []Word
	eachWord(s, func(surface, lower string) {
		st := Stem(lower)
		out = append(out, Word{Surface: surface, Key: dropApostrophes(lower), Stem: st, Stop: IsStop(lower)})
	})
	return out
}

// Tokenize is the Key of every word of s, in order.
func Tokenize(s string) []string {
	var out []string
	eachWord(s, func(_, lower string) { out = append(out, dropApostrophes(lower)) })
	return out
}

// ContentStems are the stems of the words of s that are not stop words.
func ContentStems(s string) []string {
	var out []string
	for _, w := range Words(s) {
		if !w.Stop {
			out = append(out, w.Stem)
		}
	}
	return out
}

// eachWord calls f with every word of s as written and in lower case (a
// typographic apostrophe made plain).
func eachWord(s string, f func(surface, lower string)) {
	var lower strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 {
			f(s[start:end], lower.String())
			lower.Reset()
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			lower.WriteRune(unicode.ToLower(r))
		case isApostrophe(r) && start >= 0 && letterBefore(s, i) && letterAfter(s, i+utf8.RuneLen(r)):
			lower.WriteByte('\'')
		default:
			flush(i)
		}
	}
	flush(len(s))
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

func letterBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r)
}

func letterAfter(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

func dropApostrophes(w string) string {
	if !strings.Contains(w, "'") {
		return w
	}
	return strings.ReplaceAll(w, "'", "")
}
