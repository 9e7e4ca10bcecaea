// Package generate serves the local engine's Pegasus-style endpoints:
// POST /analyze (NDJSON stream or one JSON answer), POST /gist and
// POST /summarize. A built-in generator writes everything from the video's
// own evidence (transcript, on-screen text, shots, duration) with
// timestamps, needs no model and no network, and is deterministic at
// temperature 0. An optional OpenAI-compatible chat-completions server can
// write analyze answers instead; when it is unreachable the built-in
// generator answers and the log says so.
package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// Config holds the generator's dependencies.
type Config struct {
	// Catalog finds videos; required.
	Catalog pipeline.Catalog
	// Finder finds the moments a prompt is about; nil uses LexicalFinder
	// over the video's own transcript and on-screen text.
	Finder MomentFinder
	// LLM, when its URL is set, writes analyze answers; nil or empty URL
	// means the built-in generator only.
	LLM *LLMConfig
	// Logger; nil discards.
	Logger *slog.Logger
	// Seed makes sampling above temperature 0 reproducible (tests); 0 draws
	// a fresh seed per request.
	Seed uint64
	// StreamPace is the least time between streamed pieces. 0 sends them as
	// fast as they are written; a demo may slow them to watch text arrive.
	StreamPace time.Duration
}

// LLMConfig names an OpenAI-compatible chat-completions server: URL is its
// base (".../v1") or the full ".../chat/completions" URL.
type LLMConfig struct {
	URL    string
	Model  string
	APIKey string // sent as a bearer token; never logged
	// HTTPClient; nil uses a client without an overall timeout (streams
	// are long) but with a dial timeout.
	HTTPClient *http.Client
}

// Generator serves /analyze, /gist and /summarize.
type Generator struct {
	catalog pipeline.Catalog
	finder  MomentFinder
	llm     *llmBackend
	log     *slog.Logger
	seed    uint64
	pace    time.Duration
}

// New checks cfg and returns a Generator.
func New(cfg Config) (*Generator, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("generate: Config.Catalog is required")
	}
	g := &Generator{catalog: cfg.Catalog, finder: cfg.Finder, log: cfg.Logger, seed: cfg.Seed, pace: cfg.StreamPace}
	if g.finder == nil {
		g.finder = LexicalFinder{}
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if cfg.LLM != nil && cfg.LLM.URL != "" {
		b, err := newLLMBackend(*cfg.LLM)
		if err != nil {
			return nil, err
		}
		g.llm = b
	}
	return g, nil
}

// Routes are the endpoints to mount under /v1.3.
func (g *Generator) Routes() []wire.Route {
	return []wire.Route{
		{Pattern: "POST /analyze", Handler: g.handler(g.handleAnalyze)},
		{Pattern: "POST /gist", Handler: g.handler(g.handleGist)},
		{Pattern: "POST /summarize", Handler: g.handler(g.handleSummarize)},
	}
}

// handler turns a handler that returns an error into an http.Handler:
// client errors are answered with their code and logged at Info, anything
// else is a 500 logged at Error.
func (g *Generator) handler(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var we *wire.Error
		if errors.As(err, &we) {
			g.log.Info("generate: request refused", "path", r.URL.Path, "code", we.Code, "message", we.Message)
			wire.WriteError(w, we)
			return
		}
		if errors.Is(err, context.Canceled) {
			return // the client left; nobody to answer
		}
		g.log.Error("generate: request failed", "path", r.URL.Path, "err", err)
		wire.WriteError(w, err)
	})
}

// maxBody bounds request bodies: a 2,000-token prompt is well under it.
const maxBody = 1 << 20

func decodeJSON(r *http.Request, v any) error {
	body := &io.LimitedReader{R: r.Body, N: maxBody + 1}
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		if body.N == 0 {
			// Only a prompt can make a body this long: say so, as the live
			// service does for an over-long prompt, not "not JSON".
			return wire.Errorf(http.StatusBadRequest, "token_limit_exceeded",
				fmt.Sprintf("The request body is over %d MB; prompts may be up to %d tokens.", maxBody>>20, maxPromptTokens))
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return wire.ParameterInvalid(fmt.Sprintf("The %s parameter has the wrong type: expected %s.", typeErr.Field, typeErr.Type))
		}
		return wire.ParameterInvalid("The request body must be a JSON object.")
	}
	return nil
}

// loadEvidence finds a ready video and reads its understanding.
func (g *Generator) loadEvidence(ctx context.Context, videoID string) (*evidence, error) {
	meta, u, err := g.loadVideo(ctx, videoID)
	if err != nil {
		return nil, err
	}
	return newEvidence(meta, u), nil
}

func (g *Generator) loadVideo(ctx context.Context, videoID string) (*pipeline.VideoMeta, *pipeline.Understanding, error) {
	meta, err := g.catalog.FindVideo(ctx, videoID)
	if err != nil {
		var we *wire.Error
		if errors.As(err, &we) {
			return nil, nil, we
		}
		return nil, nil, fmt.Errorf("find video %s: %w", videoID, err)
	}
	if meta == nil {
		return nil, nil, wire.NotFound("Video " + videoID + " does not exist.")
	}
	if !meta.Ready {
		return nil, nil, wire.Errorf(http.StatusBadRequest, "video_not_ready",
			"Video "+videoID+" is still being indexed; try again when its task is ready.")
	}
	u, err := pipeline.LoadUnderstanding(meta.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load understanding of %s: %w", videoID, err)
	}
	return meta, u, nil
}

// maxPromptTokens is the live service's prompt limit.
const maxPromptTokens = 2000

func checkPrompt(prompt string, required bool) error {
	if required && prompt == "" {
		return wire.ParameterNotProvided("prompt")
	}
	if n := countTokens(prompt); n > maxPromptTokens {
		return wire.Errorf(http.StatusBadRequest, "token_limit_exceeded",
			fmt.Sprintf("The prompt is about %d tokens long; prompts may be up to %d tokens.", n, maxPromptTokens))
	}
	return nil
}

func checkTemperature(t *float64) error {
	if t != nil && (*t < 0 || *t > 1) {
		return wire.ParameterInvalid("The temperature parameter must be between 0 and 1; got " + strconv.FormatFloat(*t, 'g', -1, 64) + ".")
	}
	return nil
}

// quoteForError quotes a client value for an error message, shortened.
func quoteForError(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
