package generate

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"hash/fnv"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// The live service's defaults and limits.
const (
	defaultTemperature = 0.2
	// MaxOutputTokens is the most an answer may be, and its default.
	MaxOutputTokens = 4096
)

// AnalyzeRequest is one prompt about a video. The caller has checked the
// prompt and temperature (CheckPrompt, CheckTemperature) and MaxTokens.
type AnalyzeRequest struct {
	VideoID string
	Prompt  string
	// Temperature is 0–1; nil is the default, 0.2.
	Temperature *float64
	// MaxTokens bounds the answer; nil is MaxOutputTokens.
	MaxTokens *int
	// Start and End (seconds) limit the answer to part of the video.
	Start, End *float64
}

// Analysis is an answer ready to be written: its video found and read.
type Analysis struct {
	g      *Generator
	job    *analysis
	limit  int
	prompt string
}

// Done is how an answer ended: "stop", or "length" at max_tokens; and
// its size.
type Done struct {
	FinishReason string
	Usage        Usage
}

// Analyze finds the video and readies the answer; client errors (unknown
// or unready video, bad window) are *wire.Error.
func (g *Generator) Analyze(ctx context.Context, req AnalyzeRequest) (*Analysis, error) {
	temp := defaultTemperature
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	limit := MaxOutputTokens
	if req.MaxTokens != nil {
		limit = *req.MaxTokens
	}
	meta, u, err := g.loadVideo(ctx, req.VideoID)
	if err != nil {
		return nil, err
	}
	if req.Start != nil || req.End != nil {
		if u, err = window(u, meta.Duration, req.Start, req.End); err != nil {
			return nil, err
		}
	}
	job := &analysis{meta: meta, u: u, prompt: req.Prompt, temperature: temp, rng: g.rng(req.VideoID, req.Prompt)}
	if req.Start != nil {
		job.from = *req.Start
	}
	if req.End != nil {
		job.to = *req.End
	}
	return &Analysis{g: g, job: job, limit: limit, prompt: req.Prompt}, nil
}

// Write writes the answer through emit, a piece (about two words) at a
// time, and stops when ctx is done or emit fails. Done is filled in
// whatever the error.
func (a *Analysis) Write(ctx context.Context, emit func(string) error) (Done, error) {
	out := &tokenSink{limit: a.limit, emit: emit}
	err := a.g.run(ctx, a.job, out)
	return Done{FinishReason: out.finishReason(), Usage: Usage{OutputTokens: out.tokens, InputTokens: countTokens(a.prompt)}}, err
}

// analysis is one analyze request's inputs.
type analysis struct {
	meta        *pipeline.VideoMeta
	u           *pipeline.Understanding
	prompt      string
	temperature float64
	rng         *mrand.Rand
	// from and to bound the answer to start_time/end_time; to 0 means the
	// end of the video (window refuses an end at or before the start).
	from, to float64
}

// findMoments asks the finder for the prompt's moments inside the window:
// a finder may search the whole video (the search stage does), and an
// answer must not quote what lies outside the part asked about.
func (g *Generator) findMoments(ctx context.Context, job *analysis, limit int) ([]Moment, error) {
	ms, err := g.finder.FindMoments(ctx, MomentQuery{Video: job.meta, Understanding: job.u, Text: job.prompt, Subject: promptSubject(job.prompt), Limit: limit})
	if err != nil {
		return nil, err
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.End <= job.from || (job.to > 0 && m.Start >= job.to) {
			continue
		}
		m.Start = max(m.Start, job.from)
		if job.to > 0 {
			m.End = min(m.End, job.to)
		}
		kept = append(kept, m)
	}
	return kept, nil
}

// run writes the answer into out, through the language model when one is
// configured and reachable, else with the built-in writer.
func (g *Generator) run(ctx context.Context, job *analysis, out *tokenSink) error {
	ev := newEvidence(job.meta, job.u)
	if g.llm != nil {
		moments, err := g.findMoments(ctx, job, 8)
		if err != nil {
			return err
		}
		err = g.llm.stream(ctx, llmPrompt(ev, moments, job.prompt), job.temperature, out.limit, g.paced(ctx, out))
		if err == nil || errors.Is(err, errLength) {
			return nil
		}
		var down *unreachableError
		if !errors.As(err, &down) || out.tokens > 0 {
			return err
		}
		g.log.Warn("generate: language model unreachable, answering with the built-in generator", "llm", g.llm.where(), "err", down.Err)
	}
	paras, err := g.builtinAnswer(ctx, ev, job)
	if err != nil {
		return err
	}
	write := g.paced(ctx, out)
	for i, p := range paras {
		if i > 0 {
			p = "\n\n" + p
		}
		for _, piece := range pieces(p) {
			if err := write(piece); err != nil {
				if errors.Is(err, errLength) {
					return nil
				}
				return err
			}
		}
	}
	return nil
}

// paced wraps out.write with the cancellation check and the configured pace.
func (g *Generator) paced(ctx context.Context, out *tokenSink) func(string) error {
	var last time.Time
	return func(s string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if g.pace > 0 && !last.IsZero() {
			if wait := g.pace - time.Since(last); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
		}
		last = time.Now()
		return out.write(s)
	}
}

var (
	pieceRE         = regexp.MustCompile(`\s*\S+(?:\s+\S+)?\s*`)
	wordWithSpaceRE = regexp.MustCompile(`\s*\S+`)
)

// pieces splits text into the small pieces a stream carries: two words
// with their spacing, so the pieces concatenate back to the text.
func pieces(s string) []string { return pieceRE.FindAllString(s, -1) }

// errLength ends generation at max_tokens.
var errLength = errors.New("max_tokens reached")

// tokenSink counts what is written and stops at the token limit, cutting
// the last piece at a word.
type tokenSink struct {
	limit     int
	tokens    int
	truncated bool
	emit      func(string) error
}

func (s *tokenSink) write(text string) error {
	if s.truncated {
		return errLength
	}
	n := countTokens(text)
	if s.tokens+n <= s.limit {
		s.tokens += n
		return s.emit(text)
	}
	var fit strings.Builder
	for _, w := range wordWithSpaceRE.FindAllString(text, -1) {
		k := countTokens(w)
		if s.tokens+k > s.limit {
			break
		}
		s.tokens += k
		fit.WriteString(w)
	}
	s.truncated = true
	if fit.Len() > 0 {
		if err := s.emit(fit.String()); err != nil {
			return err
		}
	}
	return errLength
}

func (s *tokenSink) finishReason() string {
	if s.truncated {
		return "length"
	}
	return "stop"
}

// rng seeds the sampling used above temperature 0: from Config.Seed and
// the request when a seed is set, so tests can repeat a run, else afresh.
func (g *Generator) rng(videoID, prompt string) *mrand.Rand {
	h := fnv.New64a()
	h.Write([]byte(videoID + "\x00" + prompt))
	seed := g.seed
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	return mrand.New(mrand.NewPCG(seed, h.Sum64()))
}

// window keeps the evidence inside [start, end) of the video.
func window(u *pipeline.Understanding, duration float64, start, end *float64) (*pipeline.Understanding, error) {
	if u.Duration > 0 {
		duration = u.Duration
	}
	from, to := 0.0, duration
	if start != nil {
		from = *start
	}
	if end != nil {
		to = *end
	}
	if from < 0 || to <= from || (duration > 0 && from >= duration) {
		return nil, wire.ParameterInvalid("start_time and end_time must name a stretch of the video: 0 <= start_time < end_time.")
	}
	keep := func(spans []pipeline.Span) []pipeline.Span {
		var out []pipeline.Span
		for _, s := range spans {
			if s.End > from && s.Start < to {
				out = append(out, s)
			}
		}
		return out
	}
	w := &pipeline.Understanding{Duration: u.Duration, Clips: u.Clips, Transcript: keep(u.Transcript), OnScreen: keep(u.OnScreen)}
	for _, s := range u.Shots {
		if s > from && s < to {
			w.Shots = append(w.Shots, s)
		}
	}
	return w, nil
}
