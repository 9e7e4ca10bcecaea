// Package local composes the full local engine: the core plus the stages,
// routes and listeners of understanding, search and generation. It is the
// one place that knows them all; cmd/engine and cmd/web call New.
package local

import (
	"context"

	"glimpse/engine"
	"glimpse/engine/generate"
	"glimpse/engine/pipeline"
	"glimpse/engine/search"
	"glimpse/engine/understand"
	"glimpse/engine/understand/onnx"
	"glimpse/engine/wire"
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
}

// New builds the local engine. Each part appends to cfg's Stages, Routes
// and Listeners before the engine starts.
func New(cfg Config) (*engine.Engine, error) {
	ec := cfg.Config

	// Understanding runs as ingest stages; search follows ready and deleted
	// videos as a listener and loads the ready ones once the engine exists.
	scratch := engine.ScratchDir(ec.DataDir)
	ucfg := understand.Config{Logger: ec.Logger, WorkDir: scratch}
	// One set of media links, so search's thumbnails and the API's videos
	// are signed alike.
	if ec.Media == nil {
		ec.Media = wire.NewMediaLinks(ec.MountPath, nil, 0)
	}
	scfg := search.Config{Media: ec.Media, AllowPrivateURLs: ec.AllowPrivateURLs, Logger: ec.Logger, TempDir: scratch}
	if cfg.ImageTextModel != nil {
		// Loaded once and kept for the life of the process.
		model, err := onnx.Load(*cfg.ImageTextModel)
		if err != nil {
			return nil, err
		}
		ucfg.Semantic, scfg.Semantic = model, model
	}
	und, err := understand.New(ucfg)
	if err != nil {
		return nil, err
	}
	scfg.Embedder = und
	srch := search.New(scfg)
	ec.Stages = append(ec.Stages, und)
	ec.Routes = append(ec.Routes, srch.Routes()...)
	ec.Listeners = append(ec.Listeners, srch.Index())

	// Generation reads the engine's catalog, which exists only once the
	// engine does; its routes are served only after that. Answers find
	// their moments through the search stage.
	catalog := &lateCatalog{}
	gen, err := generate.New(generate.Config{Catalog: catalog, LLM: cfg.LLM, Logger: ec.Logger, Finder: searchMoments{srch}})
	if err != nil {
		return nil, err
	}
	ec.Routes = append(ec.Routes, gen.Routes()...)

	eng, err := engine.New(ec)
	if err != nil {
		return nil, err
	}
	catalog.Catalog = eng.Catalog()
	if err := srch.Attach(context.Background(), eng.Catalog()); err != nil {
		eng.Close()
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

// lateCatalog is the engine's catalog, set once engine.New returns and
// before any request is served.
type lateCatalog struct{ pipeline.Catalog }
