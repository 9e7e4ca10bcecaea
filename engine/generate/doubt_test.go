package generate

import (
	"strings"
	"testing"

	"glimpse/engine/pipeline"
)

// doubtfulBulletin is bulletin() with word confidences as the recogniser
// gives them: one sentence heard surely, one misheard (low confidence on
// the words it got wrong), one mixed.
func doubtfulBulletin() *pipeline.Understanding {
	u := bulletin()
	u.Transcript = []pipeline.Span{
		{Start: 1, End: 6, Text: "the new wall took three years to build along the riverbank",
			Conf: []float64{0.9, 0.95, 0.8, 0.9, 0.99, 0.97, 0.9, 0.9, 0.85, 0.9, 0.8}},
		// said: "she said the barrier will hold back water for a century"
		{Start: 16, End: 21, Text: "she sad the carrier hounds back water for a sanctuary",
			Conf: []float64{0.7, 0.1, 0.6, 0.05, 0.02, 0.6, 0.7, 0.6, 0.6, 0.03}},
		{Start: 31, End: 37, Text: "pupils return on thursday morning because the leaks were fixed",
			Conf: []float64{0.9, 0.9, 0.8, 0.95, 0.9, 0.9, 0.8, 0.2, 0.9, 0.9}},
		{Start: 46, End: 52, Text: "traders will sell under cover at the old station hall"},
	}
	return u
}

// misheard are the words the recogniser was unsure of; none may be quoted.
var misheard = []string{"sad", "carrier", "hounds", "sanctuary", "leaks"}

func TestDoubtfulWordsNeverQuoted(t *testing.T) {
	ev := newEvidence(&pipeline.VideoMeta{Duration: 60}, doubtfulBulletin())
	title, topics, hashtags := ev.gist()
	texts := map[string]string{
		"summary":                  ev.summary(""),
		"steered summary":          ev.summary("Tell me about the sanctuary and the hounds"),
		"gist":                     title + " " + strings.Join(topics, " ") + " " + strings.Join(hashtags, " "),
		"answer about the barrier": answerText(ev, "What will the barrier hold back?"),
		"answer about the pupils":  answerText(ev, "Why did pupils return?"),
		"answer about hounds":      answerText(ev, "What about the hounds?"),
	}
	for _, c := range ev.chapters() {
		texts["chapter "+c.ChapterTitle] = c.ChapterTitle + " " + c.ChapterSummary
	}
	for _, h := range ev.highlights(nil, 4) {
		texts["highlight "+h.Highlight] = h.Highlight + " " + h.HighlightSummary
	}
	for name, text := range texts {
		// The steered summary may name the prompt's own words.
		text = strings.NewReplacer("“sanctuary”", "", "“hounds”", "").Replace(text)
		for _, w := range words(text) {
			for _, m := range misheard {
				if strings.EqualFold(w.Surface, m) {
					t.Errorf("%s quotes the doubtful word %q: %s", name, m, text)
				}
			}
		}
	}
	if s := texts["steered summary"]; !strings.Contains(s, "unsure") {
		t.Errorf("summary steered to doubtful words does not say they were unsure: %s", s)
	}
	// The sure sentence is still quoted, and the sure words of the mixed one.
	if s := texts["summary"]; !strings.Contains(s, "the new wall took three years to build along the riverbank") {
		t.Errorf("summary does not quote the sentence heard surely: %s", s)
	}
	if a := texts["answer about the pupils"]; !strings.Contains(strings.ToLower(a), "because the") {
		t.Errorf("answer drops the sure words of the reason: %s", a)
	}
}

// Evidence keeps doubtful words for finding a unit, with the doubt marked,
// and its quotable text leaves them out.
func TestSpeechUnitsMarkDoubt(t *testing.T) {
	units := speechUnits(doubtfulBulletin().Transcript)
	un := units[1]
	if un.Text != "she … the … back water for a …" {
		t.Errorf("quotable text %q", un.Text)
	}
	found := false
	for _, w := range un.Words {
		if w.Surface == "hounds" {
			found = true
			if !w.Doubt {
				t.Error("hounds not marked doubtful")
			}
		}
		if w.Surface == "water" && w.Doubt {
			t.Error("water marked doubtful")
		}
	}
	if !found || un.Doubtful != 4 {
		t.Errorf("words %+v, %d doubtful, want hounds among them and 4", un.Words, un.Doubtful)
	}
	if got := speechUnits(bulletin().Transcript)[0]; got.Doubtful != 0 || got.Text != "the new wall took three years to build along the riverbank" {
		t.Errorf("a transcript without confidences is not all sure: %+v", got)
	}
}

func answerText(ev *evidence, prompt string) string {
	q := parseQuestion(prompt)
	paras, ok := ev.typedAnswer(prompt, q, ev.rank(q.focus))
	if !ok {
		return ""
	}
	return strings.Join(paras, "\n")
}
