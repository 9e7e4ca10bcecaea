package engine_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"glimpse/engine"
	"glimpse/engine/pipeline"
)

// TestPartsAreBuiltLoadedAndClosedInOrder: New builds the parts against
// the store's catalog, loads them once before the engine serves, and
// Close closes them; a part that cannot load fails New and is closed.
func TestPartsAreBuiltLoadedAndClosedInOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		loadErr error
		want    []string
	}{
		{"loads", nil, []string{"build", "load", "close"}},
		{"cannot load", errors.New("index unreadable"), []string{"build", "load", "close"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var steps []string
			cfg := engine.Config{DataDir: t.TempDir(), Parts: func(c pipeline.Catalog) (engine.Parts, error) {
				steps = append(steps, "build")
				if _, err := c.ReadyVideos(context.Background()); err != nil {
					t.Errorf("the catalog given to the parts does not answer: %v", err)
				}
				return engine.Parts{
					Load:  func(context.Context) error { steps = append(steps, "load"); return tc.loadErr },
					Close: func() { steps = append(steps, "close") },
				}, nil
			}}
			eng, err := engine.New(cfg)
			if (err != nil) != (tc.loadErr != nil) || (err != nil && !errors.Is(err, tc.loadErr)) {
				t.Fatalf("New: %v, want %v", err, tc.loadErr)
			}
			if eng != nil {
				if err := eng.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(steps, tc.want) {
				t.Errorf("steps %v, want %v", steps, tc.want)
			}
		})
	}
}
