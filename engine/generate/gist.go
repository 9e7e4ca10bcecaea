package generate

import (
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"glimpse/engine/wire"
)

// phrase is a salient run of one to three content words.
type phrase struct {
	Stems   []string
	Display string
	Score   float64
}

func (p phrase) key() string { return strings.Join(p.Stems, " ") }

// salientPhrases ranks the video's subjects: single words by their salience,
// and two- or three-word runs that recur (a name, "train derailment") above
// their parts. boost raises stems a steering prompt asks about.
func (ev *evidence) salientPhrases(boost map[string]float64) []phrase {
	type tally struct {
		speech, screen float64
		forms          map[string]int
	}
	grams := map[string]*tally{}
	for _, un := range ev.Units {
		if un.Repeat {
			continue
		}
		seen := map[string]bool{}
		var run []word
		emit := func() {
			for n := 2; n <= 3; n++ {
				for i := 0; i+n <= len(run); i++ {
					stems, forms := make([]string, n), make([]string, n)
					for j, w := range run[i : i+n] {
						stems[j], forms[j] = w.Stem, strings.ToLower(w.Surface)
					}
					k := strings.Join(stems, " ")
					t := grams[k]
					if t == nil {
						t = &tally{forms: map[string]int{}}
						grams[k] = t
					}
					t.forms[strings.Join(forms, " ")]++
					if un.Source == FromSpeech {
						t.speech++
					} else if !seen[k] {
						t.screen++
						seen[k] = true
					}
				}
			}
			run = run[:0]
		}
		// A phrase never runs across lines: a caption's heading and body
		// are separate statements.
		for _, line := range strings.Split(un.Text, "\n") {
			for _, w := range words(line) {
				if w.Stop || !salientStem(w.Stem) {
					emit()
					continue
				}
				run = append(run, w)
			}
			emit()
		}
	}

	var out []phrase
	for st, wt := range ev.weight {
		out = append(out, phrase{Stems: []string{st}, Display: ev.display(st), Score: wt * (1 + boost[st])})
	}
	for k, t := range grams {
		if t.speech+t.screen < 2 {
			continue // a phrase said once is not a subject
		}
		stems := strings.Fields(k)
		b := 0.0
		for _, s := range stems {
			b = max(b, boost[s])
		}
		score := (math.Log1p(t.speech) + screenWeight*math.Log1p(t.screen)) * (1 + 0.35*float64(len(stems)-1)) * (1 + b)
		out = append(out, phrase{Stems: stems, Display: ev.phraseDisplay(stems, t.forms), Score: score})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].key() < out[j].key()
	})
	return out
}

func (ev *evidence) phraseDisplay(stems []string, forms map[string]int) string {
	best, bestN := "", -1
	for f, n := range forms {
		if n > bestN || (n == bestN && f < best) {
			best, bestN = f, n
		}
	}
	ws := strings.Fields(best)
	for i, st := range stems {
		if i < len(ws) && ev.proper[st] {
			ws[i] = sentenceCase(ws[i])
		}
	}
	return strings.Join(ws, " ")
}

// topPhrases picks n subjects, skipping one whose words are all inside an
// already chosen phrase, and a phrase that only restates a chosen word.
func topPhrases(ranked []phrase, n int) []phrase {
	var chosen []phrase
	covered := func(p phrase) bool {
		for _, c := range chosen {
			if subset(p.Stems, c.Stems) || subset(c.Stems, p.Stems) {
				return true
			}
		}
		return false
	}
	for _, p := range ranked {
		if len(chosen) == n {
			break
		}
		if covered(p) {
			continue
		}
		chosen = append(chosen, p)
	}
	return chosen
}

func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// Gist is the /gist response.
type Gist struct {
	ID       string   `json:"id"`
	Title    string   `json:"title,omitempty"`
	Topics   []string `json:"topics,omitempty"`
	Hashtags []string `json:"hashtags,omitempty"`
	Usage    Usage    `json:"usage"`
}

// Usage counts generated tokens (see countTokens).
type Usage struct {
	OutputTokens int `json:"output_tokens"`
	InputTokens  int `json:"input_tokens,omitempty"`
}

// gist derives title, topics and hashtags from the video's salient phrases.
func (ev *evidence) gist() (title string, topics, hashtags []string) {
	ranked := topPhrases(ev.salientPhrases(nil), 6)
	for i, p := range ranked {
		if i < 5 {
			topics = append(topics, sentenceCase(p.Display))
		}
		hashtags = append(hashtags, hashtag(p.Display))
	}
	return ev.title(ranked), topics, hashtags
}

func hashtag(s string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, w := range words(s) {
		b.WriteString(sentenceCase(strings.ToLower(w.Surface)))
	}
	return b.String()
}

// title prefers a caption the video keeps on screen (a news strap, a slide
// heading): an editor wrote it as the video's title. Otherwise it names the
// two strongest subjects. A video with no evidence keeps its own name.
func (ev *evidence) title(ranked []phrase) string {
	head := ev.recurringCaption()
	if head != "" {
		t := titleCase(head)
		hs := stemSet(words(head))
		for _, p := range ranked {
			if !subsetOfSet(p.Stems, hs) {
				return t + ": " + titleCase(p.Display)
			}
		}
		return t
	}
	switch len(ranked) {
	case 0:
		name := ev.Meta.Title
		if name == "" {
			name = strings.TrimSuffix(ev.Meta.Filename, filepath.Ext(ev.Meta.Filename))
		}
		return name
	case 1:
		return titleCase(ranked[0].Display)
	default:
		return titleCase(ranked[0].Display) + " and " + titleCase(ranked[1].Display)
	}
}

func subsetOfSet(a []string, s map[string]struct{}) bool {
	for _, x := range a {
		if _, ok := s[x]; !ok {
			return false
		}
	}
	return true
}

// recurringCaption finds the words that open many distinct captions: the
// heading of a news strap or slide series.
func (ev *evidence) recurringCaption() string {
	var caps [][]string
	for _, un := range ev.Units {
		if un.Source != FromOnScreen {
			continue
		}
		line := un.Text
		if i := strings.IndexByte(line, '\n'); i > 0 {
			line = line[:i]
		}
		var ws []string
		for _, w := range words(line) {
			ws = append(ws, w.Surface)
		}
		caps = append(caps, ws)
	}
	need := max(2, int(math.Ceil(0.4*float64(len(caps)))))
	for n := 6; n >= 2; n-- {
		count := map[string]int{}
		form := map[string]string{}
		for _, ws := range caps {
			if len(ws) < n {
				continue
			}
			k := strings.ToLower(strings.Join(ws[:n], " "))
			count[k]++
			form[k] = strings.Join(ws[:n], " ")
		}
		best, bestN := "", 0
		for k, c := range count {
			if c > bestN || (c == bestN && k < best) {
				best, bestN = k, c
			}
		}
		if bestN >= need && len(contentStems(best)) >= 2 {
			return form[best]
		}
	}
	return ""
}

type gistRequest struct {
	VideoID string   `json:"video_id"`
	Types   []string `json:"types"`
}

func (g *Generator) handleGist(w http.ResponseWriter, r *http.Request) error {
	var req gistRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.VideoID == "" {
		return wire.ParameterNotProvided("video_id")
	}
	if len(req.Types) == 0 {
		return wire.ParameterNotProvided("types")
	}
	want := map[string]bool{}
	for _, t := range req.Types {
		if t != "title" && t != "topic" && t != "hashtag" {
			return wire.ParameterInvalid("The types parameter accepts title, topic and hashtag; got " + quoteForError(t) + ".")
		}
		want[t] = true
	}
	ev, err := g.loadEvidence(r.Context(), req.VideoID)
	if err != nil {
		return err
	}
	title, topics, hashtags := ev.gist()
	out := Gist{ID: wire.NewID()}
	if want["title"] {
		out.Title = title
	}
	if want["topic"] {
		out.Topics = nonNil(topics)
	}
	if want["hashtag"] {
		out.Hashtags = nonNil(hashtags)
	}
	out.Usage.OutputTokens = countTokens(out.Title + " " + strings.Join(out.Topics, ", ") + " " + strings.Join(out.Hashtags, " "))
	wire.WriteJSON(w, http.StatusOK, out)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
