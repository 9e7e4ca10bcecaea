package generate

import (
	"context"
	"math"
	"sort"
	"strings"

	"glimpse/engine/pipeline"

	"glimpse/engine/text"
)

// Moment is a stretch of a video relevant to a prompt.
type Moment struct {
	Start, End float64
	Score      float64 // higher is more relevant; only the order matters
	// Text and Source quote the evidence when the finder has it; when Text
	// is empty the writer quotes what the video says and shows in the span.
	Text   string
	Source Source
}

// MomentQuery names the video and what to look for in it.
type MomentQuery struct {
	Video         *pipeline.VideoMeta
	Understanding *pipeline.Understanding
	Text          string
	// Subject is Text's content words: no stop words and none of the words
	// people use to ask about videos. An index search looks for these,
	// since "what does the video say about the fire" is about the fire.
	Subject string
	Limit   int
}

// MomentFinder finds the moments of one video that a prompt is about. The
// default searches the video's own transcript and on-screen text; the search
// stage's index can be plugged in instead.
type MomentFinder interface {
	FindMoments(ctx context.Context, q MomentQuery) ([]Moment, error)
}

// LexicalFinder ranks the video's transcript sentences and captions against
// the prompt with BM25 over stems, ignoring stop words and the words people
// use to ask about videos. It finds nothing when no content word of the
// prompt occurs in the video, which is how the writer knows to say so.
type LexicalFinder struct{}

func (LexicalFinder) FindMoments(ctx context.Context, q MomentQuery) ([]Moment, error) {
	ev := newEvidence(q.Video, q.Understanding)
	return lexicalMoments(ev, queryStems(q.Text), q.Limit), ctx.Err()
}

// promptSubject is the prompt's content words as written, each stem once.
func promptSubject(prompt string) string {
	var out []string
	for _, w := range contentWords(prompt) {
		out = append(out, w.Surface)
	}
	return strings.Join(out, " ")
}

// queryStems are the prompt's content stems: the words that name content.
func queryStems(prompt string) []string {
	var out []string
	for _, w := range contentWords(prompt) {
		out = append(out, w.Stem)
	}
	return out
}

// contentWords are the prompt's words that name content, each stem once:
// no stop words and none of the words people use to ask about videos.
func contentWords(prompt string) []word {
	var out []word
	seen := map[string]bool{}
	for _, w := range words(prompt) {
		if w.Stop || isPromptWord(w) || seen[w.Stem] {
			continue
		}
		seen[w.Stem] = true
		out = append(out, w)
	}
	return out
}

func isPromptWord(w word) bool {
	_, ok := promptWords[lowerASCII(w.Surface)]
	if !ok {
		_, ok = promptWords[w.Stem]
	}
	return ok
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// BM25 parameters, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

func lexicalMoments(ev *evidence, query []string, limit int) []Moment {
	if len(query) == 0 || len(ev.Units) == 0 {
		return nil
	}
	df := map[string]int{}
	total := 0
	for _, un := range ev.Units {
		seen := map[string]bool{}
		total += len(un.Words)
		for _, w := range un.Words {
			if !seen[w.Stem] {
				df[w.Stem]++
				seen[w.Stem] = true
			}
		}
	}
	avg := float64(total) / float64(len(ev.Units))
	n := float64(len(ev.Units))
	var out []Moment
	for _, un := range ev.Units {
		if un.Repeat {
			continue // quoted where it first appeared
		}
		tf := map[string]float64{}
		for _, w := range un.Words {
			if w.Doubt {
				tf[w.Stem] += 0.5 // heard, perhaps wrongly
			} else {
				tf[w.Stem]++
			}
		}
		score := 0.0
		for _, q := range query {
			f := tf[q]
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[q])+0.5)/(float64(df[q])+0.5))
			score += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(len(un.Words))/avg))
		}
		if score <= 0 {
			continue
		}
		if un.Source == FromOnScreen {
			score *= 1.2 // captions state the subject outright
		}
		out = append(out, Moment{Start: un.Start, End: un.End, Score: score, Text: un.Text, Source: un.Source})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// matchedStems reports which query stems the video's evidence contains,
// as they are or misread or misheard.
func (ev *evidence) matchedStems(query []string) (found, missing []string) {
	have := map[string]struct{}{}
	for _, un := range ev.Units {
		for _, w := range un.Words {
			have[w.Stem] = struct{}{}
		}
	}
	for _, q := range query {
		if _, ok := have[q]; ok {
			found = append(found, q)
		} else if nearStem(q, have) {
			found = append(found, q)
		} else {
			missing = append(missing, q)
		}
	}
	return found, missing
}

// heardOnlyDoubtfully says whether every time the video has stem it is a
// spoken word the recogniser was unsure of.
func (ev *evidence) heardOnlyDoubtfully(stem string) bool {
	seen := false
	for _, un := range ev.Units {
		for _, w := range un.Words {
			if w.Stem == stem {
				if !w.Doubt {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

// nearStem says whether a stem in have may be st misread or misheard
// (text.NearSpelling).
func nearStem(st string, have map[string]struct{}) bool {
	q := text.Word{Key: st, Stem: st}
	for h := range have {
		if text.NearSpelling(q, text.Word{Key: h, Stem: h}) > 0 {
			return true
		}
	}
	return false
}

// nearWeight is the largest weight in have of a stem that may be st
// misread or misheard (text.NearSpelling), 0 when there is none.
func nearWeight(st string, have map[string]float64) float64 {
	q, best := text.Word{Key: st, Stem: st}, 0.0
	for h, w := range have {
		if w > best && text.NearSpelling(q, text.Word{Key: h, Stem: h}) > 0 {
			best = w
		}
	}
	return best
}

// nearShare is what a question word found only misread or misheard
// ("dockworkers" in a caption read "DOGKWORKERS") counts for.
const nearShare = 0.8
