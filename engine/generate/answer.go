package generate

import (
	"context"
	"fmt"
	"strings"
)

// intent is what a prompt asks for beyond a question about content.
type intent struct {
	summary, title, topics, hashtags, chapters, highlights bool
}

func (i intent) any() bool {
	return i.summary || i.title || i.topics || i.hashtags || i.chapters || i.highlights
}

func promptIntent(prompt string) intent {
	p := " " + strings.ToLower(prompt) + " "
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(p, s) {
				return true
			}
		}
		return false
	}
	return intent{
		summary:    has("summar", "overview", "recap", "describe", "description", "gist", "what is this video about", "what's this video about", "what is the video about", "what happens in", "what happened in"),
		title:      has(" title"),
		topics:     has("topic", "keyword", " tags", " tag "),
		hashtags:   has("hashtag"),
		chapters:   has("chapter", "timeline", "table of contents", "outline", "sections"),
		highlights: has("highlight", "key moment", "best moment", "important moment", "main moment"),
	}
}

// builtinAnswer writes an answer from the video's evidence, paragraph by
// paragraph. Requests for a summary, title, topics, chapters or highlights
// are answered from the same analysis /gist and /summarize use; a question
// is answered by quoting the moments it is about, and one the evidence
// does not touch is answered by saying so.
func (g *Generator) builtinAnswer(ctx context.Context, ev *evidence, job *analysis) ([]string, error) {
	in := promptIntent(job.prompt)
	var paras []string
	if in.title || in.topics || in.hashtags {
		title, topics, hashtags := ev.gist()
		if in.title {
			paras = append(paras, "**Title:** "+title)
		}
		if in.topics {
			paras = append(paras, "**Topics:** "+strings.Join(topics, ", "))
		}
		if in.hashtags {
			paras = append(paras, "**Hashtags:** "+strings.Join(hashtags, " "))
		}
	}
	if in.summary {
		paras = append(paras, ev.summary(job.prompt))
	}
	if in.chapters {
		var b strings.Builder
		b.WriteString("**Chapters**\n")
		for _, c := range ev.chapters() {
			fmt.Fprintf(&b, "\n%d. **%s** %s — %s", c.ChapterNumber, clockRange(c.StartSec, c.EndSec), c.ChapterTitle, strings.TrimPrefix(c.ChapterSummary, clockRange(c.StartSec, c.EndSec)+". "))
		}
		paras = append(paras, b.String())
	}
	if in.highlights {
		var b strings.Builder
		b.WriteString("**Highlights**\n")
		for _, h := range ev.highlights(nil, 5) {
			fmt.Fprintf(&b, "\n- **%s** %s — %s", clockRange(h.StartSec, h.EndSec), h.Highlight, h.HighlightSummary)
		}
		paras = append(paras, b.String())
	}
	if in.any() {
		if len(ev.Units) == 0 && !in.summary {
			paras = append(paras, noEvidence(ev))
		}
		return paras, nil
	}
	return g.answerQuestion(ctx, ev, job)
}

func noEvidence(ev *evidence) string {
	return fmt.Sprintf("This %s video has no detected speech or on-screen text, so I cannot say anything about its content from the evidence; it has %d shot change%s.",
		clock(ev.Duration), len(ev.Shots), plural(len(ev.Shots)))
}

func (g *Generator) answerQuestion(ctx context.Context, ev *evidence, job *analysis) ([]string, error) {
	if len(ev.Units) == 0 {
		return []string{noEvidence(ev)}, nil
	}
	q := parseQuestion(job.prompt)
	query := q.focus
	if len(query) == 0 && q.kind == askOther {
		// "What happens here?" names no subject: the honest answer is the
		// summary.
		return []string{ev.summary("")}, nil
	}
	moments, err := g.findMoments(ctx, job, 12)
	if err != nil {
		return nil, err
	}
	ranked := ev.rank(query)
	if len(ranked) == 0 {
		// The finder may match by form or meaning where words do not.
		for _, m := range moments {
			for i := range ev.Units {
				if un := &ev.Units[i]; !un.Repeat && un.End > m.Start && un.Start < m.End {
					ranked = append(ranked, scored{un, 1})
				}
			}
		}
	}
	found, missing := ev.matchedStems(query)
	if len(ranked) > 0 || len(query) == 0 {
		if paras, ok := ev.typedAnswer(job.prompt, q, ranked); ok {
			return paras, nil
		}
	}
	if len(ranked) == 0 {
		subjects := topPhrases(ev.salientPhrases(nil), 3)
		var covers []string
		for _, p := range subjects {
			covers = append(covers, p.Display)
		}
		return []string{
			fmt.Sprintf("The video's speech and on-screen text do not mention %s, so I cannot answer that from this video.", joinAnd(displayStems(ev, query, job.prompt))),
			fmt.Sprintf("What it does cover is %s.", joinAnd(covers)),
		}, nil
	}
	paras := []string{ev.otherAnswer(ranked, job)}
	if len(missing) > 0 && len(found) > 0 {
		paras = append(paras, fmt.Sprintf("Nothing in the video mentions %s, so that part of the question stays open.", joinAnd(displayStems(ev, missing, job.prompt))))
	}
	return paras, nil
}

// quoteAt quotes the evidence in a span for a moment found without text,
// preferring speech.
func (ev *evidence) quoteAt(start, end float64) (string, Source) {
	var speech, screen []string
	for _, un := range ev.unitsIn(start, end) {
		if un.Source == FromSpeech {
			speech = append(speech, un.Text)
		} else {
			screen = append(screen, oneLine(un.Text))
		}
	}
	if len(speech) > 0 {
		return strings.Join(speech, " "), FromSpeech
	}
	if len(screen) > 0 {
		return strings.Join(screen, " / "), FromOnScreen
	}
	return "", ""
}

// withLeadIn gives a short spoken quote the sentence before it, when that
// runs straight into it: "as a possible cause of the crash" needs what
// was said just before to answer anything.
func (ev *evidence) withLeadIn(text string, start float64) (string, float64) {
	if len(strings.Fields(text)) >= 10 {
		return text, start
	}
	var prev *unit
	for i := range ev.Units {
		un := &ev.Units[i]
		if un.Source == FromSpeech && un.End <= start+0.01 && start-un.End <= 3 {
			prev = un
		}
	}
	if prev == nil {
		return text, start
	}
	return prev.Text + " " + text, prev.Start
}
