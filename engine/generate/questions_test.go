package generate

import (
	"strings"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
)

// A made-up local bulletin, shaped as the understanding stage leaves one:
// a channel label up the whole time, one caption per shot (a name strap
// on two lines), lower-case narration.
func bulletin() *pipeline.Understanding {
	sp := func(start, end float64, text string) pipeline.Span {
		return pipeline.Span{Start: start, End: end, Text: text}
	}
	return &pipeline.Understanding{
		Duration: 60,
		Shots:    []float64{15, 30, 45},
		OnScreen: []pipeline.Span{
			sp(0, 60, "VALLEY RADIO NEWS"),
			sp(1, 15, "FLOOD DEFENCES FINISHED IN GREYMOUTH"),
			sp(16, 30, "PRIYA NAIR"), sp(16, 30, "RIVER ENGINEER"),
			sp(31, 45, "SCHOOL ROOF REPAIRED"),
			sp(46, 60, "MARKET MOVES INDOORS"),
		},
		Transcript: []pipeline.Span{
			sp(1, 6, "the new wall took three years to build along the riverbank"),
			sp(16, 21, "she said the barrier will hold back water for a century"),
			sp(31, 37, "pupils return on thursday morning because the leaks were fixed"),
			sp(46, 52, "traders will sell under cover at the old station hall"),
		},
	}
}

func TestTypedAnswers(t *testing.T) {
	ev := newEvidence(&pipeline.VideoMeta{Duration: 60}, bulletin())
	tests := []struct {
		prompt   string
		contains []string // all of them, case-insensitive
	}{
		{"Where did this happen?", []string{"Greymouth", "0:01"}},
		{"Who is the river engineer?", []string{"Priya Nair", "0:16"}},
		{"How many years did the wall take to build?", []string{"three years", "0:01"}},
		{"When do pupils return?", []string{"Thursday morning", "0:31"}},
		{"When is the school roof caption shown?", []string{"0:31"}},
		{"Why did pupils return?", []string{"because the leaks were fixed"}},
		{"Where will traders sell?", []string{"at the old station hall"}},
		{"What colour is the school roof?", []string{"cannot answer"}},
		{"Who repaired the roof?", []string{"cannot answer"}},
		{"How many stalls does the market have?", []string{"cannot answer"}},
	}
	for _, tc := range tests {
		t.Run(tc.prompt, func(t *testing.T) {
			q := parseQuestion(tc.prompt)
			paras, ok := ev.typedAnswer(tc.prompt, q, ev.rank(q.focus))
			if !ok {
				t.Fatalf("%q was not answered as a typed question", tc.prompt)
			}
			got := strings.Join(paras, "\n")
			for _, c := range tc.contains {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(c)) {
					t.Errorf("answer lacks %q:\n%s", c, got)
				}
			}
			if n := len(strings.Fields(got)); n > 60 {
				t.Errorf("answer is %d words; one or two sentences are wanted:\n%s", n, got)
			}
			if strings.Contains(got, "VALLEY RADIO") {
				t.Errorf("answer quotes the channel label:\n%s", got)
			}
		})
	}
}

func TestWhereAndWhoInTheNewsReport(t *testing.T) {
	ev := newEvidence(&pipeline.VideoMeta{Duration: 160}, newsReport())
	for prompt, want := range map[string]string{
		"Where did this happen?":    "east palestine in ohio",
		"Who is the correspondent?": "jarred hill",
	} {
		q := parseQuestion(prompt)
		paras, _ := ev.typedAnswer(prompt, q, ev.rank(q.focus))
		if got := strings.ToLower(strings.Join(paras, " ")); !strings.Contains(got, want) {
			t.Errorf("%q: %q lacks %q", prompt, got, want)
		}
	}
}

// TestMisreadWordsRankBelowExact: a question word the OCR or the
// recogniser got a letter wrong ("FLOOD DEFENGES") still finds its unit,
// below a unit holding it as asked, and is not reported missing.
func TestMisreadWordsRankBelowExact(t *testing.T) {
	u := bulletin()
	u.OnScreen[1] = pipeline.Span{Start: 1, End: 15, Text: "FLOOD DEFENGES FINISHED IN GREYMOUTH"}
	u.Transcript = append(u.Transcript, pipeline.Span{Start: 8, End: 12, Text: "the defences were tested last winter"})
	ev := newEvidence(&pipeline.VideoMeta{Duration: 60}, u)
	ranked := ev.rank([]string{text.Stem("defences")})
	var order []string
	for _, r := range ranked {
		order = append(order, r.un.Text)
	}
	if len(order) != 2 || order[0] != "the defences were tested last winter" || order[1] != "FLOOD DEFENGES FINISHED IN GREYMOUTH" {
		t.Fatalf("ranked for defences: %q, want the narration saying it, then the misread caption", order)
	}
	if ranked[0].cover <= ranked[1].cover || ranked[1].cover <= 0 {
		t.Errorf("covers %.2f, %.2f: want exact above misread above 0", ranked[0].cover, ranked[1].cover)
	}
	if _, missing := ev.matchedStems([]string{text.Stem("defence"), text.Stem("gondola")}); len(missing) != 1 || missing[0] != text.Stem("gondola") {
		t.Errorf("missing = %q, want only gondola", missing)
	}
}
