package generate

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"glimpse/engine/pipeline"
)

// Source says where a piece of evidence was seen or heard.
type Source string

const (
	FromSpeech   Source = "speech"
	FromOnScreen Source = "on-screen text"
)

// unit is one quotable piece of evidence: a sentence-sized stretch of the
// transcript, or one caption as it stood on screen.
type unit struct {
	Start, End float64
	Text       string
	Source     Source
	Words      []word
	// Doubtful counts the words the recogniser was unsure of: they are in
	// Words, for finding the unit, and left out of Text, which is quoted.
	Doubtful int
	// Repeat marks a caption shown before: news straps cycle, and a caption
	// seen twice is no more salient than one seen once.
	Repeat bool
	// Seconds is how long a first-shown caption stays on screen in all its
	// showings; Mass turns that into evidence weight (see captionMass).
	Seconds float64
	Mass    float64
}

// evidence is everything the built-in generator may say about one video,
// prepared once per request.
type evidence struct {
	Meta     *pipeline.VideoMeta
	Duration float64
	Shots    []float64
	Units    []unit // sorted by start
	Speech   int    // how many units are speech
	Screen   int

	// weight is the salience of each stem over the whole video; surface is
	// how the stem is best written.
	weight  map[string]float64
	surface map[string]string
	proper  map[string]bool // stems written capitalised mid-caption
	follows map[string]bool // "a b": stem b said or shown right after stem a
}

// On-screen words count more than spoken ones: a caption is chosen by an
// editor to say what the video is about, and it is read, not misheard. A
// caption counts once however often a news strap cycles back to it, and
// more the longer it stays up: 1 + ln(1 + seconds/10), so a strap shown for
// two minutes weighs about as much as three ordinary captions.
const screenWeight = 2.5

// Speech spans closer than this are one sentence-sized unit, up to maxUnit.
const (
	unitGap = 1.2
	maxUnit = 14.0
)

func newEvidence(meta *pipeline.VideoMeta, u *pipeline.Understanding) *evidence {
	ev := &evidence{Meta: meta, Duration: u.Duration}
	if ev.Duration <= 0 {
		ev.Duration = meta.Duration
	}
	for _, s := range u.Shots {
		if s > 0 && s < ev.Duration {
			ev.Shots = append(ev.Shots, s)
		}
	}
	sort.Float64s(ev.Shots)
	ev.Units = append(speechUnits(u.Transcript), screenUnits(u.OnScreen)...)
	sort.SliceStable(ev.Units, func(i, j int) bool { return ev.Units[i].Start < ev.Units[j].Start })
	var shown []*unit
	for i := range ev.Units {
		un := &ev.Units[i]
		if un.Source != FromOnScreen {
			continue
		}
		for _, first := range shown {
			if sameCaption(first.Words, un.Words) || subsetOfSet(stemList(un.Words), stemSet(first.Words)) {
				un.Repeat = true
				first.Seconds += un.End - un.Start
				break
			}
		}
		if !un.Repeat {
			un.Seconds = un.End - un.Start
			shown = append(shown, un)
		}
	}
	for _, un := range shown {
		un.Mass = 1 + math.Log1p(un.Seconds/10)
	}
	known := ev.Duration > 0
	for i := range ev.Units {
		un := &ev.Units[i]
		if un.Source == FromSpeech {
			ev.Speech++
		} else {
			ev.Screen++
		}
		switch {
		case !known && un.End > ev.Duration:
			ev.Duration = un.End
		case known && un.End > ev.Duration:
			// Stages round span ends up to their sampling step; the
			// video still ends where it ends.
			un.End = max(un.Start, ev.Duration)
		}
	}
	ev.computeSalience()
	return ev
}

// speechUnits joins word- or phrase-level transcript spans into
// sentence-sized units at pauses. A unit's Words are every word heard, the
// doubtful ones marked; its Text, which is what may be quoted, has each
// run of doubtful words written as "…".
func speechUnits(spans []pipeline.Span) []unit {
	spans = slices.Clone(spans)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var out []unit
	var cur *unit
	var heard []string
	var confs []float64
	flush := func() {
		if cur != nil && len(heard) > 0 {
			cur.Text, cur.Words, cur.Doubtful = heardUnit(heard, confs)
			out = append(out, *cur)
		}
		cur, heard, confs = nil, nil, nil
	}
	for _, s := range spans {
		ws, cs := s.WordConfs()
		if len(ws) == 0 || s.End < s.Start {
			continue
		}
		if cur != nil && (s.Start-cur.End > unitGap || s.End-cur.Start > maxUnit || endsSentence(heard[len(heard)-1])) {
			flush()
		}
		if cur == nil {
			cur = &unit{Start: s.Start, End: s.End, Source: FromSpeech}
		}
		heard, confs = append(heard, ws...), append(confs, cs...)
		cur.End = max(cur.End, s.End)
	}
	flush()
	return out
}

// heardUnit is the quotable text, the words and the count of doubtful
// words of what was heard.
func heardUnit(heard []string, confs []float64) (string, []word, int) {
	var quote []string
	var ws []word
	doubtful := 0
	for i, h := range heard {
		// A function word misheard ("of" for "to") states no wrong fact,
		// and the recogniser is often unsure of ones it heard right: only
		// content words are held back (docs/QUALITY.md has the figures).
		hw := words(h)
		sure := pipeline.Sure(confs[i]) || !slices.ContainsFunc(hw, func(w word) bool { return !w.Stop })
		for _, w := range hw {
			w.Doubt = !sure
			ws = append(ws, w)
		}
		if sure {
			quote = append(quote, h)
			continue
		}
		doubtful++
		if len(quote) == 0 || quote[len(quote)-1] != "…" {
			quote = append(quote, "…")
		}
	}
	return strings.Join(quote, " "), ws, doubtful
}

// maxDoubtQuoted is the largest share of doubtful words a spoken unit may
// have and still be quoted (its doubtful words as "…"); above it what is
// left is fragments.
const maxDoubtQuoted = 0.25

// doubtShare is the share of a unit's words the recogniser was unsure of.
func (un *unit) doubtShare() float64 {
	if len(un.Words) == 0 {
		return 0
	}
	return float64(un.Doubtful) / float64(len(un.Words))
}

// sureContent counts the content words of a unit heard surely.
func sureContent(un *unit) int {
	n := 0
	for _, w := range un.Words {
		if !w.Stop && !w.Doubt {
			n++
		}
	}
	return n
}

func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && strings.ContainsRune(".!?", rune(s[len(s)-1]))
}

// screenUnits cleans OCR spans and merges consecutive readings of the same
// caption, keeping the cleanest reading.
func screenUnits(spans []pipeline.Span) []unit {
	spans = slices.Clone(spans)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var out []unit
	for _, s := range spans {
		text := stripJunk(s.Text)
		ws := words(text)
		content := 0
		for _, w := range ws {
			if !w.Stop && len(w.Stem) >= 3 {
				content++
			}
		}
		if content < 2 {
			continue // a logo or a stray fragment, not a caption
		}
		un := unit{Start: s.Start, End: max(s.End, s.Start), Text: text, Source: FromOnScreen, Words: ws}
		if n := len(out); n > 0 && s.Start-out[n-1].End <= 2.5 && sameCaption(out[n-1].Words, ws) {
			prev := &out[n-1]
			prev.End = max(prev.End, un.End)
			if len(un.Text) > len(prev.Text) {
				prev.Text, prev.Words = un.Text, un.Words
			}
			continue
		}
		out = append(out, un)
	}
	return out
}

// sameCaption says whether two OCR readings are the same caption: most of
// their content stems agree.
func sameCaption(a, b []word) bool {
	sa, sb := stemSet(a), stemSet(b)
	inter := 0
	for s := range sa {
		if _, ok := sb[s]; ok {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	return union > 0 && float64(inter)/float64(union) >= 0.6
}

func stemSet(ws []word) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range ws {
		if !w.Stop {
			m[w.Stem] = struct{}{}
		}
	}
	return m
}

// computeSalience weighs each stem by how often the video says or shows it.
// Spoken repetitions saturate (log), captions count per distinct caption.
func (ev *evidence) computeSalience() {
	speech := map[string]float64{}
	screen := map[string]float64{}
	forms := map[string]map[string]int{}
	ev.proper = map[string]bool{}
	ev.follows = map[string]bool{}
	for _, un := range ev.Units {
		for i := 1; i < len(un.Words); i++ {
			if !un.Words[i-1].Stop && !un.Words[i].Stop && !un.Words[i-1].Doubt && !un.Words[i].Doubt {
				ev.follows[un.Words[i-1].Stem+" "+un.Words[i].Stem] = true
			}
		}
		if un.Repeat {
			continue
		}
		seen := map[string]bool{}
		for i, w := range un.Words {
			if w.Stop || w.Doubt || !salientStem(w.Stem) {
				continue
			}
			lower := strings.ToLower(w.Surface)
			if forms[w.Stem] == nil {
				forms[w.Stem] = map[string]int{}
			}
			forms[w.Stem][lower]++
			if un.Source == FromSpeech {
				speech[w.Stem]++
				continue
			}
			if i > 0 && unicode.IsUpper([]rune(w.Surface)[0]) && !isShouting(un.Text) {
				ev.proper[w.Stem] = true
			}
			if !seen[w.Stem] {
				screen[w.Stem] += un.Mass
				seen[w.Stem] = true
			}
		}
	}
	ev.weight = map[string]float64{}
	ev.surface = map[string]string{}
	for st, f := range forms {
		ev.weight[st] = math.Log1p(speech[st]) + screenWeight*math.Log1p(screen[st])
		if isCommon(st, f) {
			ev.weight[st] *= commonFactor
		}
		best, bestN := "", -1
		for form, n := range f {
			if n > bestN || (n == bestN && form < best) {
				best, bestN = form, n
			}
		}
		ev.surface[st] = best
	}
}

// salientStem rules out numbers and fragments as subjects of a video.
func salientStem(st string) bool {
	if len([]rune(st)) < 3 {
		return false
	}
	for _, r := range st {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isShouting(s string) bool {
	letters, upper := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters > 0 && float64(upper) > 0.7*float64(letters)
}

// display writes a stem as the video writes it, capitalised when it is a
// name.
func (ev *evidence) display(st string) string {
	s := ev.surface[st]
	if s == "" {
		s = st
	}
	if ev.proper[st] {
		s = sentenceCase(s)
	}
	return s
}

// unitsIn returns the units overlapping [start, end).
func (ev *evidence) unitsIn(start, end float64) []unit {
	var out []unit
	for _, un := range ev.Units {
		if un.End > start && un.Start < end || (un.Start == un.End && un.Start >= start && un.Start < end) {
			out = append(out, un)
		}
	}
	return out
}

// shotsIn counts shot changes inside (start, end).
func (ev *evidence) shotsIn(start, end float64) int {
	n := 0
	for _, s := range ev.Shots {
		if s > start && s < end {
			n++
		}
	}
	return n
}

// unitScore is a unit's salience density: the weight of its content words,
// normalised so a long ramble does not beat a pointed sentence.
func (ev *evidence) unitScore(un unit, boost map[string]float64) float64 {
	sum, n := 0.0, 0
	seen := map[string]bool{}
	for _, w := range un.Words {
		if w.Stop {
			continue
		}
		n++
		if seen[w.Stem] {
			continue
		}
		seen[w.Stem] = true
		sum += ev.weight[w.Stem] * (1 + boost[w.Stem])
	}
	if n == 0 {
		return 0
	}
	return sum / math.Sqrt(float64(n)+2)
}

func stemList(ws []word) []string {
	var out []string
	for _, w := range ws {
		if !w.Stop {
			out = append(out, w.Stem)
		}
	}
	return out
}

// isCommon says whether a stem, in any of the forms the video uses, is a
// common English word.
func isCommon(st string, forms map[string]int) bool {
	if _, ok := commonWords[st]; ok {
		return true
	}
	for f := range forms {
		if _, ok := commonWords[f]; ok {
			return true
		}
	}
	return false
}
