package api

import (
	"errors"
	"strings"
	"testing"

	"glimpse/engine/wire"
)

// TestTruncateText: a text over the model's limit loses its start or its
// end as text_truncate says, or is refused; Marengo 3.0 always cuts the end.
func TestTruncateText(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("train ", 77) + strings.Repeat("cake ", 77))
	trains, cakes := strings.TrimSpace(strings.Repeat("train ", 77)), strings.TrimSpace(strings.Repeat("cake ", 77))
	for _, c := range []struct {
		model, how, text string
		max              int
		want, code       string
	}{
		{"Marengo-retrieval-2.7", "", long, 77, trains, ""},
		{"Marengo-retrieval-2.7", "end", long, 77, trains, ""},
		{"Marengo-retrieval-2.7", "start", long, 77, cakes, ""},
		{"Marengo-retrieval-2.7", "none", long, 77, "", "token_limit_exceeded"},
		{"Marengo-retrieval-2.7", "none", "a train", 77, "a train", ""},
		{"Marengo-retrieval-2.7", "middle", "a train", 77, "", "parameter_invalid"},
		{"marengo3.0", "start", long, 100, strings.Join(strings.Fields(long)[:100], " "), ""},
		{"marengo3.0", "", long, 500, long, ""},
	} {
		got, err := truncateText(c.text, c.max, c.model, c.how)
		var we *wire.Error
		switch {
		case c.code != "" && (!errors.As(err, &we) || we.Code != c.code):
			t.Errorf("%s %q: error %v, want %s", c.model, c.how, err, c.code)
		case c.code == "" && (err != nil || got != c.want):
			t.Errorf("%s %q: %.40q… %v, want %.40q…", c.model, c.how, got, err, c.want)
		}
	}
}

// TestEmbeddingOptions: only the documented values of the model's
// generation are taken, and only the visual one is served.
func TestEmbeddingOptions(t *testing.T) {
	for _, c := range []struct {
		model  string
		asked  []string
		refuse string // in the message; "" for none
	}{
		{"marengo3.0", nil, ""},
		{"marengo3.0", []string{"visual"}, ""},
		{"marengo3.0", []string{"visual", "audio"}, "no audio embeddings"},
		{"marengo3.0", []string{"transcription"}, "no transcription embeddings"},
		{"marengo3.0", []string{"visual-text"}, "not one of marengo3.0's"},
		{"marengo3.0", []string{"visual-image"}, "not one of"},
		{"Marengo-retrieval-2.7", []string{"visual-text"}, ""},
		{"Marengo-retrieval-2.7", []string{"audio"}, "no audio embeddings"},
		{"Marengo-retrieval-2.7", []string{"visual"}, "not one of Marengo-retrieval-2.7's: visual-text, audio"},
		{"marengo2.7", []string{"visual-text"}, ""},
	} {
		err := checkEmbeddingOptions(c.asked, c.model)
		var we *wire.Error
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s %v: %v", c.model, c.asked, err)
		case c.refuse != "" && (!errors.As(err, &we) || we.Status != 400 || !strings.Contains(we.Message, c.refuse)):
			t.Errorf("%s %v: %v, want a 400 saying %q", c.model, c.asked, err, c.refuse)
		}
	}
}
