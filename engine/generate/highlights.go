package generate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// highlights are the most salient moments, at least a few seconds apart,
// in time order.
func (ev *evidence) highlights(boost map[string]float64, n int) []Highlight {
	type scored struct {
		un    unit
		score float64
	}
	var all []scored
	for _, un := range ev.Units {
		if un.Repeat || un.doubtShare() > maxDoubtQuoted {
			continue // a sentence heard mostly unsurely is no highlight to quote
		}
		if s := ev.unitScore(un, boost); s > 0 {
			all = append(all, scored{un, s})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	gap := max(5, ev.Duration/20)
	head := ev.recurringCaption()
	var picked []scored
	for _, c := range all {
		if len(picked) == n {
			break
		}
		clash := false
		for _, p := range picked {
			if c.un.Start < p.un.End+gap && p.un.Start < c.un.End+gap {
				clash = true
				break
			}
		}
		if !clash {
			picked = append(picked, c)
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].un.Start < picked[j].un.Start })
	var out []Highlight
	for _, p := range picked {
		un := p.un
		end := max(un.End, un.Start+2)
		if ev.Duration > 0 {
			end = min(end, ev.Duration)
		}
		name := captionBody(un.Text, head)
		if un.Source == FromSpeech || len(strings.Fields(name)) > 12 || len(strings.Fields(name)) < 2 {
			name = ev.distinctTitle(ev.unitTerms(un))
		}
		what := "said"
		if un.Source == FromOnScreen {
			what = "shown on screen"
		}
		out = append(out, Highlight{
			StartSec: un.Start, EndSec: end, Start: wholeSeconds(un.Start), End: wholeSeconds(end),
			Highlight:        sentenceCase(truncateWords(name, 10)),
			HighlightSummary: fmt.Sprintf("%s, %s: “%s”", clockRange(un.Start, end), what, truncateWords(oneLine(un.Text), 45)),
		})
	}
	return out
}

// unitTerms weighs a unit's words by salience times rarity among units,
// so a highlight is named by what sets it apart, not by the video's theme.
func (ev *evidence) unitTerms(un unit) map[string]float64 {
	df := map[string]int{}
	for _, u := range ev.Units {
		for st := range stemSet(u.Words) {
			df[st]++
		}
	}
	m := map[string]float64{}
	for _, w := range un.Words {
		if !w.Stop && salientStem(w.Stem) {
			m[w.Stem] = ev.weight[w.Stem] * math.Log(1+float64(len(ev.Units))/float64(max(1, df[w.Stem])))
		}
	}
	return m
}
