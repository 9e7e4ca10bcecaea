package generate

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"glimpse/engine/pipeline"
)

// FuzzBuiltinAnswer feeds arbitrary prompts and arbitrary evidence (as an
// ASR or OCR might produce it) to the built-in writer: it must always
// answer, never panic, and stream pieces that join back to the answer.
func FuzzBuiltinAnswer(f *testing.F) {
	f.Add("What did the governor say about water?", "the governor urged residents to drink bottled water", "Toxic train fallout\nOhio", 0.0)
	f.Add("Summarize", "", "", 0.5)
	f.Add("chapters and highlights and #hashtags", "uh um", "g € $ 3 3 8 = 2\n|| ~~", 1.0)
	f.Add(strings.Repeat("why ", 50), "a\nb\nc", "ÄÖÜ ßß 東京 駅", 0.2)
	f.Fuzz(func(t *testing.T, prompt, speech, caption string, temp float64) {
		if !utf8.ValidString(prompt) || temp < 0 || temp > 1 || temp != temp {
			return
		}
		u := &pipeline.Understanding{Duration: 60, Shots: []float64{12, 30, 45}}
		for i, line := range strings.Split(speech, "\n") {
			u.Transcript = append(u.Transcript, pipeline.Span{Start: float64(i * 5), End: float64(i*5 + 4), Text: line})
		}
		for i, line := range strings.Split(caption, "|") {
			u.OnScreen = append(u.OnScreen, pipeline.Span{Start: float64(i * 7), End: float64(i*7 + 6), Text: line})
		}
		meta := &pipeline.VideoMeta{VideoID: newsID, Filename: "f.mp4", Duration: 60, Ready: true}
		g, err := New(Config{Catalog: &fakeCatalog{}, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		job := &analysis{meta: meta, u: u, prompt: prompt, temperature: temp, rng: g.rng(newsID, prompt)}
		var got strings.Builder
		out := &tokenSink{limit: MaxOutputTokens, emit: func(s string) error { got.WriteString(s); return nil }}
		if err := g.run(context.Background(), job, out); err != nil {
			t.Fatalf("run: %v", err)
		}
		if strings.TrimSpace(got.String()) == "" {
			t.Fatalf("empty answer to %q", prompt)
		}
		if out.tokens != countTokens(got.String()) && !out.truncated {
			t.Fatalf("usage %d for %d tokens of text", out.tokens, countTokens(got.String()))
		}
		ev := newEvidence(meta, u)
		for i, c := range ev.chapters() {
			if c.StartSec >= c.EndSec || c.ChapterNumber != i+1 {
				t.Fatalf("bad chapter %+v", c)
			}
		}
	})
}
