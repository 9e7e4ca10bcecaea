package generate

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// analyzeRequest is POST /analyze as SDK 1.3.1 (video_id) and 1.3.4
// (video: {type, ...}) send it.
type analyzeRequest struct {
	VideoID        string          `json:"video_id"`
	Video          *videoContext   `json:"video"`
	Prompt         string          `json:"prompt"`
	Temperature    *float64        `json:"temperature"`
	Stream         *bool           `json:"stream"`
	MaxTokens      *int            `json:"max_tokens"`
	ResponseFormat json.RawMessage `json:"response_format"`
	// StartTime and EndTime (seconds) limit the analysis to part of the video.
	StartTime *float64 `json:"start_time"`
	EndTime   *float64 `json:"end_time"`
}

type videoContext struct {
	Type         string `json:"type"`
	AssetID      string `json:"asset_id"`
	URL          string `json:"url"`
	Base64String string `json:"base64_string"`
}

// The live service's defaults and limits.
const (
	defaultTemperature = 0.2
	maxOutputTokens    = 4096
)

var mediaPathRE = regexp.MustCompile(`/media/([0-9a-fA-F]{24})/`)

// videoID names the video a request is about: video_id, or a video object
// whose asset_id is an indexed video's id, or whose url is one of this
// engine's media URLs for it.
func (req *analyzeRequest) videoID() (string, error) {
	if req.VideoID != "" {
		return req.VideoID, nil
	}
	if req.Video == nil {
		return "", wire.ParameterNotProvided("video_id")
	}
	switch req.Video.Type {
	case "asset_id":
		if req.Video.AssetID == "" {
			return "", wire.ParameterNotProvided("video.asset_id")
		}
		return req.Video.AssetID, nil
	case "url":
		if u, err := url.Parse(req.Video.URL); err == nil {
			if m := mediaPathRE.FindStringSubmatch(u.Path); m != nil {
				return m[1], nil
			}
		}
		return "", wire.ParameterInvalid("The local engine analyzes indexed videos only; video.url must be one of its media URLs. Name the video by video_id instead.")
	case "":
		return "", wire.ParameterNotProvided("video.type")
	default:
		return "", wire.ParameterInvalid("The local engine analyzes indexed videos only; name one by video_id or by video {type: \"asset_id\"}, not by " + quoteForError(req.Video.Type) + ".")
	}
}

func (g *Generator) handleAnalyze(w http.ResponseWriter, r *http.Request) error {
	var req analyzeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id, err := req.videoID()
	if err != nil {
		return err
	}
	if err := checkPrompt(req.Prompt, true); err != nil {
		return err
	}
	if err := checkTemperature(req.Temperature); err != nil {
		return err
	}
	temp := defaultTemperature
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	limit := maxOutputTokens
	if req.MaxTokens != nil {
		if *req.MaxTokens < 1 || *req.MaxTokens > maxOutputTokens {
			return wire.ParameterInvalid("The max_tokens parameter must be between 1 and 4096.")
		}
		limit = *req.MaxTokens
	}
	if len(req.ResponseFormat) > 0 && string(req.ResponseFormat) != "null" {
		return wire.ParameterInvalid("The local engine does not support response_format; ask for the structure in the prompt instead.")
	}
	meta, u, err := g.loadVideo(r.Context(), id)
	if err != nil {
		return err
	}
	if req.StartTime != nil || req.EndTime != nil {
		if u, err = window(u, meta.Duration, req.StartTime, req.EndTime); err != nil {
			return err
		}
	}

	genID := wire.NewID()
	job := &analysis{meta: meta, u: u, prompt: req.Prompt, temperature: temp, rng: g.rng(id, req.Prompt)}
	if req.StartTime != nil {
		job.from = *req.StartTime
	}
	if req.EndTime != nil {
		job.to = *req.EndTime
	}
	stream := req.Stream == nil || *req.Stream
	if !stream {
		var text strings.Builder
		out := &tokenSink{limit: limit, emit: func(s string) error { text.WriteString(s); return nil }}
		if err := g.run(r.Context(), job, out); err != nil {
			return err
		}
		wire.WriteJSON(w, http.StatusOK, map[string]any{
			"id": genID, "data": text.String(), "finish_reason": out.finishReason(),
			"usage": Usage{OutputTokens: out.tokens, InputTokens: countTokens(req.Prompt)},
		})
		return nil
	}

	nd := newNDJSON(w)
	if err := nd.event(map[string]any{"event_type": "stream_start", "metadata": map[string]any{"generation_id": genID}}); err != nil {
		return err
	}
	out := &tokenSink{limit: limit, emit: func(s string) error {
		return nd.event(map[string]any{"event_type": "text_generation", "text": s})
	}}
	end := map[string]any{"event_type": "stream_end"}
	if err := g.run(r.Context(), job, out); err != nil {
		if r.Context().Err() != nil {
			return nil // the client left; the stream is gone
		}
		// Headers are sent: the error can only travel in the last event.
		g.log.Error("generate: analyze stream failed", "video_id", id, "err", err)
		end["error"] = map[string]any{"message": "Generation failed part way; the text so far is incomplete."}
	} else {
		end["finish_reason"] = out.finishReason()
	}
	end["metadata"] = map[string]any{"generation_id": genID, "usage": Usage{OutputTokens: out.tokens, InputTokens: countTokens(req.Prompt)}}
	_ = nd.event(end)
	return nil
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

// ndjson writes one JSON object per line and flushes each, so a client
// sees every event as soon as it is written.
type ndjson struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newNDJSON(w http.ResponseWriter) *ndjson {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a server WriteTimeout would cut long answers
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	return &ndjson{w: w, rc: rc}
}

func (n *ndjson) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := n.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return n.rc.Flush()
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
