package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
)

// confBins tallies recognised words by the recogniser's confidence, split
// into words heard right and wrong against the narration the video was
// built from: the data the engine's sure-word threshold is chosen from.
type confBins struct {
	right, wrong [10]int
	// content: the same for content words only (function words such as
	// "to" and "the" are often heard right at a low confidence).
	content *confBins
}

// functionWords are the words a quote can misstate without stating a
// wrong fact.
var functionWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be been but by for from had has have he her his i if in into is it its
of on or our she so than that the their them then there these they this to was we were what when where which
who will with you your do does did not no can could would should may might about over also just very`) {
		functionWords[w] = true
	}
}

func (b *confBins) addWord(w string, conf float64, ok bool) {
	b.add(conf, ok)
	if !functionWords[w] {
		if b.content == nil {
			b.content = &confBins{}
		}
		b.content.add(conf, ok)
	}
}

func (b *confBins) add(conf float64, ok bool) {
	i := min(9, max(0, int(conf*10)))
	if ok {
		b.right[i]++
	} else {
		b.wrong[i]++
	}
}

func (b *confBins) plus(o confBins) {
	for i := range b.right {
		b.right[i] += o.right[i]
		b.wrong[i] += o.wrong[i]
	}
	if o.content != nil {
		if b.content == nil {
			b.content = &confBins{}
		}
		b.content.plus(*o.content)
	}
}

// measureConfidence aligns the words the engine heard in each segment with
// the words narrated there and tallies their confidences.
func measureConfidence(ctx context.Context, c *client, bv *builtVideo) (confBins, error) {
	var bins confBins
	meta, err := c.catalog.FindVideo(ctx, bv.ID)
	if err != nil {
		return bins, err
	}
	f, err := understand.LoadFeatures(meta.Dir)
	if err != nil {
		return bins, err
	}
	for i, seg := range bv.Spec.Segments {
		b := bv.Segments[i]
		var hyp []understand.Word
		for _, w := range f.Words {
			if mid := (w.Start + w.End) / 2; mid >= b.Start && mid < b.End {
				hyp = append(hyp, w)
			}
		}
		ref := strings.Fields(strings.ToLower(norm(seg.Narration)))
		var got []string
		for _, w := range hyp {
			got = append(got, strings.ToLower(norm(w.Word)))
		}
		for j, ok := range alignRight(ref, got) {
			conf := hyp[j].Conf
			if conf == 0 {
				conf = 1 // stored before confidences were kept: sure
			}
			bins.addWord(got[j], conf, ok)
		}
	}
	return bins, nil
}

// alignRight says for each hypothesis word whether a minimum-edit alignment
// with ref matches it to an equal reference word.
func alignRight(ref, hyp []string) []bool {
	n, m := len(ref), len(hyp)
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for j := 0; j <= m; j++ {
		d[0][j] = j
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			sub := 1
			if ref[i-1] == hyp[j-1] {
				sub = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+sub)
		}
	}
	ok := make([]bool, m)
	for i, j := n, m; i > 0 && j > 0; {
		switch {
		case ref[i-1] == hyp[j-1] && d[i][j] == d[i-1][j-1]:
			ok[j-1] = true
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j-1]+1:
			i, j = i-1, j-1
		case d[i][j] == d[i][j-1]+1:
			j--
		default:
			i--
		}
	}
	return ok
}

// printConfidence prints the distribution and, for each threshold, the
// share of wrong words it keeps from being quoted and of right words it
// still lets through.
func printConfidence(w io.Writer, b confBins) {
	printBins(w, "the words", b)
	if b.content != nil {
		printBins(w, "the content words (no function words)", *b.content)
	}
}

func printBins(w io.Writer, what string, b confBins) {
	fmt.Fprintf(w, "\nspeech: recogniser confidence of %s heard right and wrong (all videos)\n", what)
	fmt.Fprintln(w, "\n| confidence | right | wrong | share wrong |")
	fmt.Fprintln(w, "|---|---|---|---|")
	var right, wrong int
	for i := range b.right {
		right += b.right[i]
		wrong += b.wrong[i]
		n := b.right[i] + b.wrong[i]
		share := "–"
		if n > 0 {
			share = fmt.Sprintf("%.0f%%", 100*float64(b.wrong[i])/float64(n))
		}
		fmt.Fprintf(w, "| %.1f–%.1f | %d | %d | %s |\n", float64(i)/10, float64(i+1)/10, b.right[i], b.wrong[i], share)
	}
	fmt.Fprintf(w, "\n| threshold | wrong words held back | right words still quoted | quoted words that are wrong |\n|---|---|---|---|\n")
	for t := 1; t <= 9; t++ {
		var wb, rk, wk int
		for i := range b.right {
			if i < t {
				wb += b.wrong[i]
			} else {
				rk += b.right[i]
				wk += b.wrong[i]
			}
		}
		fmt.Fprintf(w, "| %.1f%s | %s | %s | %s |\n", float64(t)/10, sureMark(float64(t)/10),
			ratio{wb, wrong}, ratio{rk, right}, ratio{wk, rk + wk})
	}
}

func sureMark(t float64) string {
	if t > pipeline.SureConf-0.05 && t < pipeline.SureConf+0.05 {
		return " (used)"
	}
	return ""
}
