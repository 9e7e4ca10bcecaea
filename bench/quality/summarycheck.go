package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// summaryCheck is an honest proxy for "reads as prose, quoting only clean
// evidence": how many sentences and lines the summary has, and how many of
// the words it quotes the video neither says nor shows (against the
// narration and captions it was built from: a misheard word quoted as
// fact counts here).
type summaryCheck struct {
	Sentences, Lines int
	Quoted           ratio // quoted words the video does say or show
}

var (
	quoteRE    = regexp.MustCompile(`“([^”]*)”`)
	quoteEndRE = regexp.MustCompile(`“[^”]*?([.!?]?)”`)
	sentenceRE = regexp.MustCompile(`[.!?](?:”)?(?:\s|$)`)
)

func checkSummary(sum string, bv *builtVideo, prompt string) summaryCheck {
	truth := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.Fields(strings.ToLower(norm(s))) {
			truth[w] = true
		}
	}
	add(bv.Spec.Bug)
	add(prompt) // a summary may echo what it was asked about
	for _, seg := range bv.Spec.Segments {
		add(seg.Narration)
		for _, c := range seg.Captions {
			add(c)
		}
	}
	var c summaryCheck
	c.Lines = len(strings.Split(strings.TrimSpace(sum), "\n"))
	// Quotes may hold full stops; count sentences outside them.
	c.Sentences = len(sentenceRE.FindAllString(quoteEndRE.ReplaceAllString(sum, "“”$1"), -1))
	for _, m := range quoteRE.FindAllStringSubmatch(sum, -1) {
		for _, w := range strings.Fields(strings.ToLower(norm(m[1]))) {
			c.Quoted.add(truth[w])
		}
	}
	return c
}

func printSummaries(w io.Writer, names []string, checks []summaryCheck) {
	fmt.Fprintln(w, "\n| video | summary sentences | lines | quoted words the video says or shows |")
	fmt.Fprintln(w, "|---|---|---|---|")
	var tot summaryCheck
	for i, c := range checks {
		fmt.Fprintf(w, "| %s | %d | %d | %s |\n", names[i], c.Sentences, c.Lines, c.Quoted)
		tot.Sentences += c.Sentences
		tot.Lines += c.Lines
		tot.Quoted.plus(c.Quoted)
	}
	fmt.Fprintf(w, "| **all** | %d | %d | %s |\n", tot.Sentences, tot.Lines, tot.Quoted)
}
