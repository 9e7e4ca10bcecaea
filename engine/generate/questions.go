package generate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"glimpse/engine/text"
)

// Answers by question type: "where" wants a place, "who" a name, "how
// many" a number, "when" a time, "why" a reason. The built-in writer finds
// the evidence the question is about, then the part of it (or of what is
// said and shown in the same shot) that fills the question's slot, and
// answers in a sentence or two with the m:ss it comes from. When nothing
// fills the slot it says so plainly instead of quoting what is near.

type askKind int

const (
	askOther     askKind = iota
	askWhere             // a place
	askWho               // a name
	askWhenShown         // a moment of the video ("when is X shown")
	askWhen              // when the thing itself happens
	askCount             // how many, how much
	askDuration          // how long
	askWhy               // a reason
	askColour            // what colour
	askName              // what is the name of X
)

// question is a prompt's type, its content stems, and the stems of the
// thing it asks about (what "how many" counts, what "the name of" names).
type question struct {
	kind  askKind
	focus []string
	head  []string
}

var (
	auxVerbs     = set(strings.Fields(`is are was were do does did will would can could has have had should must may might be been`)...)
	shownVerbs   = set(strings.Fields(`shown show shows appear appears appeared displayed seen visible caption captions screen mentioned said`)...)
	comparatives = set("more", "less", "fewer", "longer", "further", "bigger", "higher", "lower")
)

func parseQuestion(prompt string) question {
	q := question{focus: queryStems(prompt)}
	ws := strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
		if strings.ContainsRune("?!.,;:\"“”", r) {
			return ' '
		}
		return r
	}, prompt)))
	for len(ws) > 0 && has(set("and", "so", "then", "please", "by", "in", "at", "on", "for"), ws[0]) {
		ws = ws[1:] // "By how much…", "In which town…"
	}
	if len(ws) == 0 {
		return q
	}
	after := func(i int) []string { // the stems after ws[i], up to a verb
		var out []string
		for _, w := range ws[i:] {
			if has(auxVerbs, w) {
				break
			}
			if !has(comparatives, w) && !text.IsStop(w) {
				out = append(out, text.Stem(w))
			}
		}
		return out
	}
	text := " " + strings.Join(ws, " ") + " "
	switch {
	case ws[0] == "where" || strings.Contains(text, " which city ") || strings.Contains(text, " which town ") || strings.Contains(text, " what place "):
		q.kind = askWhere
	case ws[0] == "who" || ws[0] == "whom" || ws[0] == "whose":
		q.kind = askWho
	case ws[0] == "when" || strings.HasPrefix(text, " what time ") || strings.HasPrefix(text, " what day ") || strings.HasPrefix(text, " what date "):
		q.kind = askWhen
		for _, w := range ws {
			if has(shownVerbs, w) {
				q.kind = askWhenShown
			}
		}
	case ws[0] == "how" && len(ws) > 1 && (ws[1] == "many" || ws[1] == "much"):
		q.kind, q.head = askCount, after(2)
	case ws[0] == "how" && len(ws) > 1 && ws[1] == "long":
		q.kind = askDuration
	case ws[0] == "why":
		q.kind = askWhy
	case (ws[0] == "what" || ws[0] == "which") && len(ws) > 1 && (ws[1] == "colour" || ws[1] == "color"):
		q.kind, q.head = askColour, after(2)
	case strings.Contains(text, " the name of "):
		q.kind = askName
		i := 0
		for k, w := range ws {
			if w == "of" && k > 0 && ws[k-1] == "name" {
				i = k + 1
			}
		}
		q.head = after(i)
	}
	return q
}

// scored is a unit and how much of the question it holds.
type scored struct {
	un    *unit
	cover float64
}

// rank orders the units holding any of the stems by the share of them
// they hold, rare stems counting more; captions before speech on a tie,
// then the more salient. A caption shown again is ranked where it first
// appeared.
func (ev *evidence) rank(stems []string) []scored {
	if len(stems) == 0 {
		return nil
	}
	df := map[string]int{}
	for _, un := range ev.Units {
		seen := map[string]bool{}
		for _, w := range un.Words {
			if !seen[w.Stem] {
				df[w.Stem]++
				seen[w.Stem] = true
			}
		}
	}
	idf := func(st string) float64 { return math.Log(1 + float64(len(ev.Units)+1)/float64(df[st]+1)) }
	total := 0.0
	for _, st := range stems {
		total += idf(st)
	}
	var out []scored
	for i := range ev.Units {
		un := &ev.Units[i]
		if un.Repeat {
			continue
		}
		// A word heard only doubtfully counts half: it may be what was said.
		have := map[string]float64{}
		for _, w := range un.Words {
			switch {
			case w.Stop:
			case w.Doubt:
				have[w.Stem] = max(have[w.Stem], 0.5)
			default:
				have[w.Stem] = 1
			}
		}
		got := 0.0
		for _, st := range stems {
			if w, ok := have[st]; ok {
				got += w * idf(st)
			} else {
				got += nearShare * nearWeight(st, have) * idf(st)
			}
		}
		if got > 0 {
			out = append(out, scored{un, got / total})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if math.Abs(a.cover-b.cover) > 1e-9 {
			return a.cover > b.cover
		}
		if a.un.Source != b.un.Source {
			return a.un.Source == FromOnScreen
		}
		return ev.unitScore(*a.un, nil) > ev.unitScore(*b.un, nil)
	})
	return out
}

// label says whether an on-screen unit is up for most of the video (a
// channel's name, a show's title): it names the video, never an answer.
func (ev *evidence) label(un *unit) bool {
	return un.Source == FromOnScreen && ev.Duration > 0 && un.Seconds >= 0.5*ev.Duration
}

// shotContext is what is said and shown in the shot holding un: a
// caption's story is told by the narration under it, and a name strap's
// role line sits beside the name.
func (ev *evidence) shotContext(un *unit) []*unit {
	start, end := 0.0, ev.Duration
	for _, s := range ev.Shots {
		if s <= un.Start+0.5 {
			start = s
		} else if s < end {
			end = s
			break
		}
	}
	if end <= start {
		end = un.End
	}
	var out []*unit
	for i := range ev.Units {
		o := &ev.Units[i]
		if o != un && o.End > start && o.Start < end && !ev.label(o) {
			out = append(out, o)
		}
	}
	return out
}

// cite quotes a unit with where it comes from.
func cite(un *unit) string {
	if un.Source == FromOnScreen {
		return fmt.Sprintf("on screen at %s, “%s”", clock(un.Start), truncateWords(oneLine(un.Text), 20))
	}
	switch n := sureContent(un); {
	case n == 0:
		return fmt.Sprintf("something is said at %s that the speech recogniser could not make out surely", clock(un.Start))
	case n < 3:
		return fmt.Sprintf("the narration at %s says “%s” (the speech recogniser was unsure of the rest)", clock(un.Start), truncateWords(oneLine(un.Text), 25))
	}
	return fmt.Sprintf("the narration at %s says “%s”", clock(un.Start), truncateWords(oneLine(un.Text), 25))
}

// typedAnswer answers a where/who/when/how-many/why/colour/name question
// from the ranked evidence; ok is false for other questions.
func (ev *evidence) typedAnswer(prompt string, q question, ranked []scored) (paras []string, ok bool) {
	if q.kind == askOther {
		return nil, false
	}
	notSaid := func() []string {
		s := fmt.Sprintf("Nothing the video says or shows answers “%s”, so I cannot answer that from this video.", strings.TrimSpace(prompt))
		if len(ranked) > 0 && !ev.label(ranked[0].un) {
			s += " It does touch on it: " + cite(ranked[0].un) + "."
		}
		return []string{s}
	}
	// The evidence that holds the most of the question, and its shot.
	var pool []*unit
	for _, r := range ranked {
		if r.cover >= ranked[0].cover-1e-9 || len(pool) < 3 {
			pool = append(pool, r.un)
		}
	}
	withContext := func(un *unit) []*unit { return append([]*unit{un}, ev.shotContext(un)...) }

	switch q.kind {
	case askWhere:
		var cands []*unit
		if len(q.focus) == 0 {
			// "Where did this happen?": the captions first, which an editor
			// chose; then what is said.
			for i := range ev.Units {
				if un := &ev.Units[i]; un.Source == FromOnScreen && !un.Repeat && !ev.label(un) {
					cands = append(cands, un)
				}
			}
			for i := range ev.Units {
				if un := &ev.Units[i]; un.Source == FromSpeech {
					cands = append(cands, un)
				}
			}
		} else {
			for _, un := range pool {
				cands = append(cands, withContext(un)...)
			}
		}
		// The most place-like phrase, captions before speech.
		var best *unit
		bestP, bestScore := "", 0
		for _, un := range cands {
			if len(q.focus) == 0 && best != nil && un.Source != best.Source {
				break
			}
			if p, score := placePhraseScored(un.Text, q.focus); score > bestScore {
				best, bestP, bestScore = un, p, score
			}
		}
		if best != nil {
			return []string{fmt.Sprintf("%s — %s.", sentenceCase(asWritten(bestP)), cite(best))}, true
		}
	case askWho:
		for _, un := range pool {
			if un.Source != FromOnScreen {
				continue
			}
			// A name strap: the name line shown with the role line asked
			// about, in the same caption or beside it.
			if lines := strings.Split(un.Text, "\n"); len(lines) > 1 {
				for _, l := range lines {
					l = strings.TrimSpace(stripJunk(l))
					if nameLike(l) && !sharesStem(&unit{Words: words(l)}, q.focus) {
						return []string{fmt.Sprintf("%s — on screen at %s, “%s”.", asWritten(l), clock(un.Start), oneLine(un.Text))}, true
					}
				}
			}
			for _, o := range ev.shotContext(un) {
				if o.Source == FromOnScreen && math.Abs(o.Start-un.Start) <= 2.5 && nameLike(o.Text) && !sharesStem(o, q.focus) {
					return []string{fmt.Sprintf("%s — on screen at %s, “%s” with “%s”.", asWritten(oneLine(o.Text)), clock(o.Start), oneLine(o.Text), oneLine(un.Text))}, true
				}
			}
		}
		if len(ranked) > 0 && ranked[0].cover > 0.99 && ranked[0].un.Source == FromSpeech {
			return []string{sentenceCase(cite(ranked[0].un)) + "."}, true
		}
	case askWhenShown:
		if len(pool) > 0 {
			un := pool[0]
			return []string{fmt.Sprintf("At %s: %s.", clockRange(un.Start, un.End), cite(un))}, true
		}
	case askWhen:
		for _, un := range pool {
			for _, o := range withContext(un) {
				if p, ok := timePhrase(o.Text); ok {
					return []string{fmt.Sprintf("%s — %s.", tidy(p), cite(o))}, true
				}
			}
		}
		if len(pool) > 0 {
			un := pool[0]
			return []string{fmt.Sprintf("The video gives no date or time for it; it is shown at %s: %s.", clockRange(un.Start, un.End), cite(un))}, true
		}
	case askCount, askDuration:
		near := q.head
		if len(near) == 0 {
			near = q.focus
		}
		for _, un := range pool {
			for _, o := range withContext(un) {
				if len(q.head) > 0 && o != un && !sharesStem(o, q.head) && !sharesStem(un, q.head) {
					continue // a number about something else
				}
				if p, ok := numberPhrase(o.Text, near, q.kind == askDuration); ok {
					return []string{fmt.Sprintf("%s — %s.", tidy(p), cite(o))}, true
				}
			}
		}
	case askWhy:
		// A sentence giving a reason outright ("because", "a possible
		// cause"), then one that only may ("after", "until").
		for _, markers := range [][]string{strongReasons, weakReasons} {
			for _, r := range ranked {
				if r.cover < 0.5 {
					break
				}
				for _, o := range withContext(r.un) {
					if o.Source == FromSpeech && hasMarker(o.Text, markers) {
						return []string{fmt.Sprintf("The reason given: %s.", ev.citeWithLeadIn(o))}, true
					}
				}
			}
		}
		if len(pool) > 0 {
			for _, o := range withContext(pool[0]) {
				if o.Source == FromSpeech {
					return []string{fmt.Sprintf("%s; %s.", sentenceCase(cite(pool[0])), cite(o))}, true
				}
			}
		}
	case askColour:
		for _, un := range pool {
			for _, o := range withContext(un) {
				if c, ok := colourWord(o.Text); ok && (len(q.head) == 0 || sharesStem(o, q.head) || sharesStem(un, q.head)) {
					return []string{fmt.Sprintf("%s — %s.", sentenceCase(strings.ToLower(c)), cite(o))}, true
				}
			}
		}
	case askName:
		for _, un := range pool {
			if un.Source != FromOnScreen || !sharesStem(un, q.head) {
				continue
			}
			if p, ok := placePhrase(un.Text, q.head); ok && strings.ToUpper(un.Text) != un.Text {
				return []string{fmt.Sprintf("%s — %s.", sentenceCase(p), cite(un))}, true
			}
		}
	}
	return notSaid(), true
}

func sharesStem(un *unit, stems []string) bool {
	have := stemSet(un.Words)
	for _, st := range stems {
		if _, ok := have[st]; ok {
			return true
		}
	}
	return false
}

var (
	strongReasons = []string{"because", "cause", "caused", "causes", "due to", "blame", "blamed", "blames", "reason", "owing to", "as a result", "thanks to"}
	weakReasons   = []string{"since", "after", "until", "so that", "following"}
)

func hasMarker(text string, markers []string) bool {
	t := " " + strings.ToLower(text) + " "
	for _, m := range markers {
		if strings.Contains(t, " "+m+" ") {
			return true
		}
	}
	return false
}

// citeWithLeadIn cites a spoken unit with the sentence before it when it
// runs on from it ("as a possible cause of the crash").
func (ev *evidence) citeWithLeadIn(un *unit) string {
	text, start := ev.withLeadIn(un.Text, un.Start)
	return fmt.Sprintf("the narration at %s says “%s”", clock(start), truncateWords(oneLine(text), 30))
}

// otherAnswer answers any other question with the best caption and the
// best spoken sentence about it, in time order: one or two sentences.
// Above temperature 0 the sentence is drawn from the best few.
func (ev *evidence) otherAnswer(ranked []scored, job *analysis) string {
	var caption, speech []*unit
	for _, r := range ranked {
		if r.cover < 0.5*ranked[0].cover || ev.label(r.un) {
			continue
		}
		if r.un.Source == FromOnScreen {
			caption = append(caption, r.un)
		} else {
			speech = append(speech, r.un)
		}
	}
	pick := func(us []*unit) *unit {
		if len(us) == 0 {
			return nil
		}
		if job.temperature > 0 && job.rng != nil {
			return us[job.rng.IntN(min(len(us), 3))]
		}
		return us[0]
	}
	var parts []string
	c, sp := pick(caption), pick(speech)
	if c != nil && sp != nil && sp.Start < c.Start {
		parts = []string{ev.citeWithLeadIn(sp), cite(c)}
	} else {
		if c != nil {
			parts = append(parts, cite(c))
		}
		if sp != nil {
			parts = append(parts, ev.citeWithLeadIn(sp))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, cite(ranked[0].un))
	}
	return sentenceCase(strings.Join(parts, "; ")) + "."
}
