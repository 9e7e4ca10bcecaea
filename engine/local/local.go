// Package local composes the full local engine: the core plus the stages,
// routes and listeners of understanding, search and generation. It is the
// one place that knows them all; cmd/engine and cmd/web call New.
package local

import "glimpse/engine"

// Config is the engine's configuration; the parts added here may grow
// their own options beside it.
type Config struct {
	engine.Config
}

// New builds the local engine. Each part appends to cfg's Stages, Routes
// and Listeners before the engine starts.
func New(cfg Config) (*engine.Engine, error) {
	ec := cfg.Config
	return engine.New(ec)
}
