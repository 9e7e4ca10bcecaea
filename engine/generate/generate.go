// Package generate is the local engine's Pegasus-style writer, behind
// POST /analyze (streamed or whole), /gist and /summarize (engine/api
// serves them). A built-in generator writes everything from the video's
// own evidence (transcript, on-screen text, shots, duration) with
// timestamps, needs no model and no network, and is deterministic at
// temperature 0. An optional OpenAI-compatible chat-completions server can
// write analyze answers instead; when it is unreachable the built-in
// generator answers and the log says so.
package generate

import (
	"context"
	"errors"
	"fmt"
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

// Generator answers prompts (Analyze), and writes gists and summaries.
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

// MaxPromptTokens is the live service's prompt limit.
const MaxPromptTokens = 2000

// CheckPrompt refuses a prompt over the limit, or missing when required.
func CheckPrompt(prompt string, required bool) error {
	if required && prompt == "" {
		return wire.ParameterNotProvided("prompt")
	}
	if n := countTokens(prompt); n > MaxPromptTokens {
		return wire.Errorf(http.StatusBadRequest, "token_limit_exceeded",
			fmt.Sprintf("The prompt is about %d tokens long; prompts may be up to %d tokens.", n, MaxPromptTokens))
	}
	return nil
}

// CheckTemperature refuses a temperature outside [0, 1].
func CheckTemperature(t *float64) error {
	if t != nil && (*t < 0 || *t > 1) {
		return wire.ParameterInvalid("The temperature parameter must be between 0 and 1; got " + strconv.FormatFloat(*t, 'g', -1, 64) + ".")
	}
	return nil
}

// QuoteForError quotes a client value for an error message, shortened.
func QuoteForError(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
