package generate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// boundary is a candidate chapter start and the evidence that something
// changes there.
type boundary struct {
	At    float64
	Score float64
}

// structMin is the shortest chapter a structural boundary (a cut with a new
// caption) may make: a 12 s news item is a chapter, a 3 s montage is not.
const structMin = 10.0

// chapters splits the video where its subject changes. Every shot change
// where a new caption comes up is a chapter start (the video's own
// structure), at least structMin apart; then, up to about one chapter per
// half minute, the candidates (shot changes, new captions, pauses in
// speech) where the words before and after differ most (TextTiling), with
// a bonus for a visual cut. The chapters cover the video in order without
// overlap.
func (ev *evidence) chapters() []Chapter {
	d := ev.Duration
	if d <= 0 {
		return nil
	}
	want := int(math.Round(d / 32)) // a chapter every half minute or so
	want = min(max(want, 1), 8)
	minLen := max(8, d/float64(want)/2.5)
	window := max(12, d/8)

	cands := map[float64]float64{}
	add := func(t, bonus float64) {
		if t < minLen || t > d-minLen {
			return
		}
		t = math.Round(t*100) / 100
		cands[t] += bonus
	}
	for _, s := range ev.Shots {
		add(s, 0.35)
	}
	// News straps and slides cycle on their own clock, so a new caption
	// is weaker evidence of a new subject than a cut or a pause.
	var prevCaption []word
	for i, un := range ev.Units {
		switch un.Source {
		case FromOnScreen:
			if prevCaption == nil || !sameCaption(prevCaption, un.Words) {
				add(un.Start, 0.1)
			}
			prevCaption = un.Words
		case FromSpeech:
			if i > 0 && un.Start-ev.Units[i-1].End > 1.5 {
				add(un.Start, 0.15)
			}
		}
	}
	score := func(t, bonus float64) float64 {
		// A caption or pause within a second of a cut is the same change.
		for _, s := range ev.Shots {
			if s != t && math.Abs(s-t) <= 1.0 {
				bonus += 0.2
			}
		}
		before := ev.termVector(t-window, t)
		after := ev.termVector(t, t+window)
		if len(before) == 0 && len(after) == 0 {
			return bonus // nothing said either side: only the cut counts
		}
		return bonus + (1 - cosine(before, after))
	}
	byScore := func(bs []boundary) {
		sort.Slice(bs, func(i, j int) bool {
			if bs[i].Score != bs[j].Score {
				return bs[i].Score > bs[j].Score
			}
			return bs[i].At < bs[j].At
		})
	}
	var bs, structural []boundary
	for t, bonus := range cands {
		bs = append(bs, boundary{At: t, Score: score(t, bonus)})
	}
	for _, s := range ev.Shots {
		if s >= structMin && s <= d-structMin && ev.newCaptionAt(s) {
			structural = append(structural, boundary{At: s, Score: score(s, 0.45)})
		}
	}
	byScore(bs)
	byScore(structural)
	cuts := []float64{}
	take := func(b boundary, spacing float64) {
		for _, c := range cuts {
			if math.Abs(c-b.At) < spacing {
				return
			}
		}
		cuts = append(cuts, b.At)
	}
	for _, b := range structural {
		take(b, structMin)
	}
	for _, b := range bs {
		if len(cuts) >= want-1 {
			break
		}
		take(b, minLen)
	}
	sort.Float64s(cuts)
	edges := append(append([]float64{0}, cuts...), d)
	var out []Chapter
	for i := 0; i+1 < len(edges); i++ {
		start, end := edges[i], edges[i+1]
		title, summary, captioned := ev.describeSpan(start, end, edges)
		out = append(out, Chapter{
			ChapterNumber: i + 1, StartSec: start, EndSec: end, Start: wholeSeconds(start), End: wholeSeconds(end),
			ChapterTitle: title, ChapterSummary: summary, captioned: captioned,
		})
	}
	return out
}

// newCaptionAt says whether a caption comes up just after the cut at t
// (within the few seconds on-screen text is sampled at) that was not on
// screen just before it, whole or as more: a label shown throughout, or a
// strap losing a line, is no new caption.
func (ev *evidence) newCaptionAt(t float64) bool {
	for _, un := range ev.Units {
		if un.Source != FromOnScreen || un.Start < t-1 || un.Start > t+3 {
			continue
		}
		seen := false
		for _, prev := range ev.Units {
			if prev.Source != FromOnScreen || prev.End <= t-4 || prev.Start >= t-0.5 {
				continue
			}
			if sameCaption(prev.Words, un.Words) || subsetOfSet(stemList(un.Words), stemSet(prev.Words)) {
				seen = true
				break
			}
		}
		if !seen {
			return true
		}
	}
	return false
}

// spanTerms counts the words said or shown mostly inside [start, end).
func (ev *evidence) spanTerms(start, end float64) map[string]float64 {
	tf := map[string]float64{}
	for _, un := range ev.unitsIn(start, end) {
		if mid := (un.Start + un.End) / 2; mid < start || mid >= end {
			continue
		}
		for _, w := range un.Words {
			if !w.Stop && !w.Doubt && salientStem(w.Stem) {
				tf[w.Stem]++
			}
		}
	}
	return tf
}

// termVector is the bag of stems said in a span, or shown when the video
// has little speech: captions in a news report cycle on their own clock
// and would blur where the spoken subject changes.
func (ev *evidence) termVector(start, end float64) map[string]float64 {
	v := map[string]float64{}
	for _, un := range ev.unitsIn(start, end) {
		if ev.Speech >= 5 && un.Source != FromSpeech {
			continue
		}
		for _, w := range un.Words {
			if !w.Stop && !w.Doubt && salientStem(w.Stem) {
				v[w.Stem]++
			}
		}
	}
	return v
}

func cosine(a, b map[string]float64) float64 {
	dot, na, nb := 0.0, 0.0, 0.0
	for k, x := range a {
		na += x * x
		dot += x * b[k]
	}
	for _, y := range b {
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// describeSpan titles and summarises one chapter from what is distinctive
// in it compared with the other chapters (TF-IDF with chapters as
// documents), quoting its most telling sentence and caption.
// captioned says the title is a caption's own words.
func (ev *evidence) describeSpan(start, end float64, edges []float64) (title, summary string, captioned bool) {
	units := ev.unitsIn(start, end)
	if len(units) == 0 {
		shots := ev.shotsIn(start, end)
		return fmt.Sprintf("Untitled part at %s", clock(start)),
			fmt.Sprintf("%s: no speech or on-screen text was detected in this part (%d shot changes), so there is nothing to quote.", clockRange(start, end), shots), false
	}
	chapters := max(1, len(edges)-1)
	docFreq := map[string]int{}
	for i := 0; i+1 < len(edges); i++ {
		for st := range ev.spanTerms(edges[i], edges[i+1]) {
			docFreq[st]++
		}
	}
	// Distinctive here (rare in other chapters) and salient overall (said
	// or shown repeatedly): a word a speech recogniser misheard once is
	// distinctive but not salient.
	tf := ev.spanTerms(start, end)
	heading := stemSet(words(ev.recurringCaption()))
	distinct := map[string]float64{}
	for st, f := range tf {
		if _, ok := heading[st]; ok {
			continue // the video's heading names the whole video, not this part
		}
		idf := math.Log(1 + float64(chapters)/float64(max(1, docFreq[st])))
		distinct[st] = math.Log1p(f) * idf * ev.weight[st]
	}

	var bestSpeech, bestCaption *unit
	bestS, bestC := -1.0, -1.0
	for i := range units {
		un := &units[i]
		if mid := (un.Start + un.End) / 2; mid < start || mid >= end {
			continue // mostly in the next or previous chapter
		}
		s := 0.0
		seen := map[string]bool{}
		n := 0
		for _, w := range un.Words {
			if w.Stop {
				continue
			}
			n++
			if !seen[w.Stem] {
				s += distinct[w.Stem]
				seen[w.Stem] = true
			}
		}
		s /= math.Sqrt(float64(n) + 2)
		// A sentence the recogniser was unsure of is quoted only in part.
		s *= 1 - un.doubtShare()
		if un.Source == FromSpeech && s > bestS {
			bestS, bestSpeech = s, un
		}
		if un.Source == FromOnScreen && !un.Repeat && s > bestC {
			bestC, bestCaption = s, un
		}
	}

	// Title: the caption's own words when it is short and specific enough,
	// otherwise the chapter's most distinctive subjects.
	// A caption titles the chapter when nothing is said in it or when it
	// names what is said; news straps often run ahead of the story.
	// A caption that comes up as the chapter starts is its heading: the
	// chapter starts because it came up.
	head := ev.recurringCaption()
	if bestCaption != nil && (bestSpeech == nil || ev.agrees(bestCaption, start, end, distinct) || bestCaption.Start-start <= 3.5) {
		t := captionBody(bestCaption.Text, head)
		if n := len(strings.Fields(t)); n >= 2 && n <= 12 {
			title, captioned = sentenceCase(asWritten(truncateWords(t, 10))), true
		}
	}
	if title == "" {
		title = ev.distinctTitle(distinct)
	}

	// The caption first: it is read, where the transcript is heard by a
	// machine and may be wrong, which the wording says.
	var parts []string
	if bestCaption != nil {
		parts = append(parts, fmt.Sprintf("On screen at %s: “%s”", clock(bestCaption.Start), oneLine(bestCaption.Text)))
	}
	if bestSpeech != nil && bestSpeech.doubtShare() <= maxDoubtQuoted {
		parts = append(parts, fmt.Sprintf("The transcript at %s reads: “%s”", clock(bestSpeech.Start), truncateWords(bestSpeech.Text, 30)))
	}
	if shots := ev.shotsIn(start, end); shots > 0 {
		parts = append(parts, fmt.Sprintf("%d shot change%s.", shots, plural(shots)))
	}
	return title, clockRange(start, end) + ". " + strings.Join(parts, " "), captioned
}

func (ev *evidence) distinctTitle(distinct map[string]float64) string {
	type kv struct {
		k string
		v float64
	}
	var ks []kv
	for k, v := range distinct {
		ks = append(ks, kv{k, v})
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].v != ks[j].v {
			return ks[i].v > ks[j].v
		}
		return ks[i].k < ks[j].k
	})
	// Words the video says together are written together: "norfolk
	// southern", not "Norfolk, southern".
	var top []string
	for _, x := range ks[:min(4, len(ks))] {
		top = append(top, x.k)
	}
	var names []string
	used := map[string]bool{}
	for _, a := range top {
		if used[a] || len(names) == 3 {
			continue
		}
		used[a] = true
		name := ev.display(a)
		for _, b := range top {
			if used[b] {
				continue
			}
			if ev.follows[a+" "+b] {
				name, used[b] = name+" "+ev.display(b), true
				break
			} else if ev.follows[b+" "+a] {
				name, used[b] = ev.display(b)+" "+name, true
				break
			}
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return "Untitled part"
	}
	return sentenceCase(strings.Join(names, ", "))
}

// captionBody drops a recurring heading from a caption, leaving what this
// caption adds.
func captionBody(text, head string) string {
	t := oneLine(text)
	if head != "" && strings.HasPrefix(strings.ToLower(t), strings.ToLower(head)) {
		t = strings.TrimSpace(t[len(head):])
	}
	return strings.TrimLeft(t, " :-–—")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// agrees says whether a caption shares one of the most distinctive spoken
// words of its chapter.
func (ev *evidence) agrees(caption *unit, start, end float64, distinct map[string]float64) bool {
	spoken := map[string]bool{}
	for _, un := range ev.unitsIn(start, end) {
		if un.Source == FromSpeech {
			for _, w := range un.Words {
				spoken[w.Stem] = true
			}
		}
	}
	type kv struct {
		k string
		v float64
	}
	var ks []kv
	for k, v := range distinct {
		if spoken[k] {
			ks = append(ks, kv{k, v})
		}
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].v > ks[j].v || ks[i].v == ks[j].v && ks[i].k < ks[j].k })
	cs := stemSet(caption.Words)
	for _, x := range ks[:min(4, len(ks))] {
		if _, ok := cs[x.k]; ok {
			return true
		}
	}
	return false
}
