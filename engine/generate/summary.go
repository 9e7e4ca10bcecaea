package generate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// summary writes a few sentences a person would: what the video is about,
// the parts it runs through (named by their captions), and what is said in
// it, quoted only where the recogniser was sure of every word. A steering
// prompt raises the subjects it names; one the video never mentions is
// said to be absent rather than invented.
func (ev *evidence) summary(prompt string) string {
	if len(ev.Units) == 0 {
		return fmt.Sprintf("This %s video has no detected speech or on-screen text, so its content cannot be summarized from evidence; it has %d shot change%s.",
			clock(ev.Duration), len(ev.Shots), plural(len(ev.Shots)))
	}
	query := queryStems(prompt)
	boost := map[string]float64{}
	for _, q := range query {
		boost[q] = 2
	}
	var sentences []string
	head := ev.recurringCaption()
	var names []string
	headStems := stemSet(words(head))
	for _, p := range topPhrases(ev.salientPhrases(boost), 5) {
		if len(names) < 3 && !subsetOfSet(p.Stems, headStems) {
			names = append(names, p.Display)
		}
	}
	from := ""
	if head != "" {
		from = " from “" + asWritten(head) + "”"
	}
	sentences = append(sentences, fmt.Sprintf("This %s video%s is about %s.", clock(ev.Duration), from, joinAnd(names)))

	chs := ev.chapters()
	if s := partsSentence(chs); s != "" {
		sentences = append(sentences, s)
	}
	if s := ev.saidSentence(chs, boost); s != "" {
		sentences = append(sentences, s)
	}
	if len(query) > 0 {
		found, missing := ev.matchedStems(query)
		if len(missing) > 0 {
			sentences = append(sentences, fmt.Sprintf("The prompt asks about %s, which the video's speech and on-screen text do not mention.", joinAnd(displayStems(ev, missing, prompt))))
		}
		var unclear, sure []string
		for _, st := range found {
			if ev.heardOnlyDoubtfully(st) {
				unclear = append(unclear, st)
			} else {
				sure = append(sure, st)
			}
		}
		if len(unclear) > 0 {
			what := "those words, so they are"
			if len(unclear) == 1 {
				what = "that word, so it is"
			}
			sentences = append(sentences, fmt.Sprintf("The narration may mention %s, but the speech recogniser was unsure of %s not quoted.",
				joinAnd(displayStems(ev, unclear, prompt)), what))
		}
		found = sure
		if len(found) > 0 {
			ms := lexicalMoments(ev, found, 3)
			sort.Slice(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
			var quoted []string
			for _, m := range ms {
				text := m.Text
				if m.Source == FromOnScreen {
					text = captionBody(text, head)
				}
				if q := quotable(text); q != "" {
					quoted = append(quoted, fmt.Sprintf("at %s “%s”", clock(m.Start), truncateWords(q, 25)))
				}
			}
			if len(quoted) > 0 {
				sentences = append(sentences, fmt.Sprintf("On %s: %s.", joinAnd(displayStems(ev, found, prompt)), joinAnd(quoted)))
			}
		}
	}
	return strings.Join(sentences, " ")
}

// partsSentence names the chapters by their captions: "It runs through six
// parts: “Storm warning” (0:12), … and “Lighthouse reopens” (1:00)." A
// chapter titled from a list of words is given by its time, not named.
func partsSentence(chs []Chapter) string {
	if len(chs) < 2 {
		return ""
	}
	var named []string
	for _, c := range chs {
		if c.captioned {
			named = append(named, fmt.Sprintf("“%s” (%s)", c.ChapterTitle, clock(c.StartSec)))
		}
	}
	n := numberWord(len(chs))
	if len(named) == len(chs) && len(named) <= 6 {
		return fmt.Sprintf("It runs through %s parts: %s.", n, joinAnd(named))
	}
	var at []string
	for _, c := range chs {
		at = append(at, clock(c.StartSec))
	}
	s := fmt.Sprintf("It runs through %s parts, at %s", n, joinAnd(at))
	if len(named) > 0 {
		s += "; among them " + joinAnd(named[:min(len(named), 4)])
	}
	return s + "."
}

// saidSentence quotes up to two spoken sentences that tell most about the
// video, from different chapters, every word of them heard surely.
func (ev *evidence) saidSentence(chs []Chapter, boost map[string]float64) string {
	type cand struct {
		un    unit
		score float64
		part  int
	}
	var cands []cand
	for _, un := range ev.Units {
		n := len(strings.Fields(un.Text))
		if un.Source != FromSpeech || un.Doubtful > 0 || n < 5 || n > 30 {
			continue
		}
		part := 0
		for i, c := range chs {
			if un.Start >= c.StartSec {
				part = i
			}
		}
		// Units spread by length a little: a six-word sentence over one of
		// twenty with the same subjects reads better in a summary.
		cands = append(cands, cand{un, ev.unitScore(un, boost) * math.Pow(float64(n), 0.15), part})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var picked []cand
	for _, c := range cands {
		if len(picked) == 2 || c.score <= 0 {
			break
		}
		if len(picked) == 1 && picked[0].part == c.part {
			continue
		}
		picked = append(picked, c)
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].un.Start < picked[j].un.Start })
	switch len(picked) {
	case 1:
		return fmt.Sprintf("At %s the narration says “%s”.", clock(picked[0].un.Start), picked[0].un.Text)
	case 2:
		return fmt.Sprintf("At %s the narration says “%s”, and at %s “%s”.", clock(picked[0].un.Start), picked[0].un.Text,
			clock(picked[1].un.Start), picked[1].un.Text)
	}
	return ""
}

// quotable is a moment's text fit to quote: a caption on one line, or a
// spoken unit's sure words when few were doubtful ("…" marks those left
// out); "" when too little of it was heard surely.
func quotable(text string) string {
	t := oneLine(text)
	ws := strings.Fields(t)
	if len(ws) == 0 {
		return ""
	}
	gaps := strings.Count(t, "…")
	if float64(gaps) > maxDoubtQuoted*float64(len(ws)) {
		return ""
	}
	return t
}

func numberWord(n int) string {
	names := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n >= 0 && n < len(names) {
		return names[n]
	}
	return fmt.Sprint(n)
}

// displayStems writes stems as the prompt wrote them.
func displayStems(ev *evidence, stems []string, prompt string) []string {
	var out []string
	for _, st := range stems {
		form := st
		for _, w := range words(prompt) {
			if w.Stem == st {
				form = w.Surface
				break
			}
		}
		out = append(out, "“"+form+"”")
	}
	return out
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return "nothing identifiable"
	case 1:
		return xs[0]
	default:
		return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
	}
}
