// Package full is the full local engine: the core (package engine:
// storage, ingest, media, the HTTP surface) plus the parts that make it
// TwelveLabs-like: understanding (as ingest stages), search and
// embeddings, and generation. It is the one place that knows them all;
// cmd/engine and cmd/web call New.
package full

import (
	"time"

	"glimpse/engine"
	"glimpse/engine/generate"
	"glimpse/engine/pipeline"
	"glimpse/engine/search"
	"glimpse/engine/understand"
	"glimpse/engine/understand/onnx"
)

// Config is the engine's configuration; the parts added here may grow
// their own options beside it.
type Config struct {
	engine.Config
	// LLM optionally names an OpenAI-compatible chat-completions server
	// that writes /analyze answers; nil keeps the built-in generator.
	LLM *generate.LLMConfig
	// ImageTextModel optionally names an operator-supplied CLIP-style ONNX
	// model; with it text queries also match what clips show. nil: none.
	ImageTextModel *onnx.Config
	// StreamPace is the least time between the streamed pieces of an
	// answer (generate.Config.StreamPace); 0 sends them as written.
	StreamPace time.Duration
}

// New builds and starts the full engine.
func New(cfg Config) (*engine.Engine, error) {
	ec := cfg.Config
	var model *onnx.Model
	if cfg.ImageTextModel != nil {
		// Loaded once and kept for the life of the process.
		m, err := onnx.Load(*cfg.ImageTextModel)
		if err != nil {
			return nil, err
		}
		model = m
	}
	var srch *search.Search
	ec.Parts = func(catalog pipeline.Catalog) (engine.Parts, error) {
		p, s, err := parts(cfg, catalog, model)
		srch = s
		return p, err
	}
	eng, err := engine.New(ec)
	if err != nil {
		return nil, err
	}
	generation := "built-in generator"
	if cfg.LLM != nil {
		generation = "language model " + cfg.LLM.Model + ", built-in generator as fallback"
	}
	generation += "; moments found by search"
	// Say which capabilities are active, so an operator knows what search can see.
	if ec.Logger != nil {
		ec.Logger.Info("local engine ready", "search", srch.Capabilities(), "generation", generation)
	}
	return eng, nil
}

// parts builds understanding, search and generation over the catalog.
func parts(cfg Config, catalog pipeline.Catalog, model *onnx.Model) (engine.Parts, *search.Search, error) {
	log := cfg.Logger
	// Understanding runs as an ingest stage; its video embedder also
	// serves embedding tasks.
	ucfg := understand.Config{Logger: log, WorkDir: engine.ScratchDir(cfg.DataDir)}
	scfg := search.Config{Catalog: catalog, Logger: log}
	if model != nil {
		ucfg.Semantic, scfg.Semantic = model, model
	}
	und, err := understand.New(ucfg)
	if err != nil {
		return engine.Parts{}, nil, err
	}
	scfg.Embedder = und
	// Search follows ready and deleted videos as a listener.
	srch := search.New(scfg)
	// Answers find their moments through search.
	gen, err := generate.New(generate.Config{Catalog: catalog, LLM: cfg.LLM, Logger: log, Finder: searchMoments{srch}, StreamPace: cfg.StreamPace})
	if err != nil {
		srch.Close()
		return engine.Parts{}, nil, err
	}
	return engine.Parts{
		Stages:    []pipeline.Stage{und},
		Listeners: []pipeline.Listener{srch.Index()},
		Search:    srch, Embed: srch, EmbedTasks: srch,
		Generate: gen,
		Load:     srch.Load,
		Close:    srch.Close,
	}, srch, nil
}
