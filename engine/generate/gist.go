package generate

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"glimpse/engine/text"
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
		units          int
		mass           float64
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
					}
					if !seen[k] {
						seen[k] = true
						t.units++
						if un.Source == FromOnScreen {
							t.screen += un.Mass
							t.mass = max(t.mass, un.Mass)
						}
					}
				}
			}
			run = run[:0]
		}
		// A phrase never runs across lines: a caption's heading and body
		// are separate statements.
		// nor across words left out as doubtful ("…").
		for _, line := range strings.FieldsFunc(un.Text, func(r rune) bool { return r == '\n' || r == '…' }) {
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
		// A phrase is a subject when it recurs, or when it is a caption kept
		// up for a minute or more (a strap).
		if t.units < 2 && t.mass < 3 {
			continue
		}
		stems := strings.Fields(k)
		b, common := 0.0, 0
		for _, s := range stems {
			b = max(b, boost[s])
			if isCommon(s, nil) {
				common++
			}
		}
		score := (math.Log1p(t.speech) + screenWeight*math.Log1p(t.screen)) * (1 + 0.2*float64(len(stems)-1)) * (1 + b)
		if common == len(stems) {
			score *= commonFactor
		}
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

// topPhrases picks n subjects. A phrase nearly as strong as a chosen word
// inside it takes that word's place ("toxic train fallout" over "train");
// a candidate inside or around a chosen phrase is otherwise skipped.
func topPhrases(ranked []phrase, n int) []phrase {
	var chosen []phrase
	for _, p := range ranked {
		if len(chosen) == n {
			break
		}
		skip := false
		for i, c := range chosen {
			if subset(c.Stems, p.Stems) && len(p.Stems) > len(c.Stems) && p.Score >= 0.6*c.Score {
				chosen[i], skip = p, true
				break
			}
			if subset(p.Stems, c.Stems) || subset(c.Stems, p.Stems) {
				skip = true
				break
			}
		}
		if !skip {
			chosen = append(chosen, p)
		}
	}
	// A replacement may now contain another chosen word.
	var out []phrase
	for i, c := range chosen {
		dup := false
		for j, d := range chosen {
			if i != j && subset(c.Stems, d.Stems) && (len(c.Stems) < len(d.Stems) || j < i) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
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
	Topics   []string `json:"topics,omitzero"`
	Hashtags []string `json:"hashtags,omitzero"`
	Usage    Usage    `json:"usage"`
}

// Usage counts generated tokens (see countTokens).
type Usage struct {
	OutputTokens int `json:"output_tokens"`
	InputTokens  int `json:"input_tokens,omitempty"`
}

// gist derives title, topics and hashtags from the video's salient phrases.
func (ev *evidence) gist() (title string, topics, hashtags []string) {
	ranked := topPhrases(nounish(ev.salientPhrases(nil)), 8)
	ranked = ranked[:min(6, len(ranked))]
	for i, p := range ranked {
		if i < 5 {
			topics = append(topics, sentenceCase(p.Display))
		}
		hashtags = append(hashtags, hashtag(p.Display))
	}
	return ev.title(ranked), topics, hashtags
}

// nounish drops candidates that begin or end with a past or present
// participle ("warned", "Ohio gathered", "cargo train crashed"): as topics
// they read as fragments of sentences, not as subjects.
func nounish(ps []phrase) []phrase {
	var out []phrase
	for _, p := range ps {
		ws := strings.Fields(strings.ToLower(p.Display))
		if len(ws) == 0 || participle(ws[0]) && len(ws) == 1 || participle(ws[len(ws)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// notParticiples end like participles but are not.
var notParticiples = set("during", "nothing", "something", "anything", "everything", "morning", "evening",
	"spring", "thing", "bring", "string", "ceiling", "building")

func participle(w string) bool {
	if _, ok := notParticiples[w]; ok {
		return false
	}
	return len(w) > 4 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing"))
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
				if c := ev.captionWith(p.Stems, head); c != "" {
					return t + ": " + titleCase(asWritten(c))
				}
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

// captionWith is the caption line longest on screen that holds all of
// stems, two to eight words, other than the heading: the subject as the
// video writes it ("Port of Valletta"), where the bare subject is a
// fragment ("Port").
func (ev *evidence) captionWith(stems []string, head string) string {
	best, bestSecs := "", -1.0
	for _, un := range ev.Units {
		if un.Source != FromOnScreen || un.Repeat {
			continue
		}
		for _, line := range strings.Split(un.Text, "\n") {
			line = oneLine(stripJunk(line))
			n := len(strings.Fields(line))
			if n < 2 || n > 8 || strings.EqualFold(line, head) || !subsetOfSet(stems, stemSet(words(line))) {
				continue
			}
			if un.Seconds > bestSecs+1e-9 {
				best, bestSecs = line, un.Seconds
			}
		}
	}
	return best
}

func subsetOfSet(a []string, s map[string]struct{}) bool {
	for _, x := range a {
		if _, ok := s[x]; !ok {
			return false
		}
	}
	return true
}

// recurringCaption finds the heading of a news strap or slide series: a
// short caption that stays up for a long time, or the words that open
// many distinct captions.
func (ev *evidence) recurringCaption() string {
	// A strap kept on screen for a quarter of the video is its heading.
	var longest *unit
	for i := range ev.Units {
		un := &ev.Units[i]
		if un.Source == FromOnScreen && !un.Repeat && (longest == nil || un.Seconds > longest.Seconds) {
			longest = un
		}
	}
	if longest != nil && longest.Seconds >= 0.25*ev.Duration && !strings.Contains(longest.Text, "\n") {
		if n := len(text.ContentStems(longest.Text)); n >= 2 && len(strings.Fields(longest.Text)) <= 7 {
			return strings.TrimRight(longest.Text, " :-–—")
		}
	}
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
		if bestN >= need && len(text.ContentStems(best)) >= 2 {
			return form[best]
		}
	}
	return ""
}

// GistRequest asks for a video's gist: its title, topics and hashtags,
// each or all.
type GistRequest struct {
	VideoID                 string
	Title, Topics, Hashtags bool
}

// Gist writes a video's title, topics and hashtags, as asked.
func (g *Generator) Gist(ctx context.Context, req GistRequest) (*Gist, error) {
	ev, err := g.loadEvidence(ctx, req.VideoID)
	if err != nil {
		return nil, err
	}
	title, topics, hashtags := ev.gist()
	out := &Gist{ID: wire.NewID()}
	if req.Title {
		out.Title = title
	}
	if req.Topics {
		out.Topics = nonNil(topics)
	}
	if req.Hashtags {
		out.Hashtags = nonNil(hashtags)
	}
	out.Usage.OutputTokens = countTokens(out.Title + " " + strings.Join(out.Topics, ", ") + " " + strings.Join(out.Hashtags, " "))
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
