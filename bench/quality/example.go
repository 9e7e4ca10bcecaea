package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"glimpse/engine/pipeline"
)

// exampleQueries are the issue's own examples of unselective search on
// example.mp4, the project's news report about a train derailment, and
// the question it answered with the whole summary.
var exampleQueries = []string{"train derailment", "toxic train fallout", "bottled water"}

// measureExample ingests example.mp4 (from the test data, in an index of
// its own) and reports how many of its clips each query matches at the
// default threshold and at medium, its chapters, and an answer.
func measureExample(ctx context.Context, c *client, root string, w io.Writer) error {
	path := filepath.Join(root, ".cache", "media", "example.mp4")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("example.mp4 is missing (scripts/fetch-testdata.sh): %w", err)
	}
	bv := &builtVideo{Spec: videoSpec{Name: "example"}, Path: path}
	indexID, err := c.ingestAll(ctx, []*builtVideo{bv})
	if err != nil {
		return err
	}
	meta, err := c.catalog.FindVideo(ctx, bv.ID)
	if err != nil {
		return err
	}
	u, err := pipeline.LoadUnderstanding(meta.Dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nexample.mp4 (%d clips):\n\n| query | clips matched (default threshold) | clips at medium |\n|---|---|---|\n", len(u.Clips))
	for _, q := range exampleQueries {
		all, err := c.search(ctx, indexID, q, "", 50)
		if err != nil {
			return err
		}
		medium, err := c.search(ctx, indexID, q, "medium", 50)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | %d | %d |\n", q, len(all), len(medium))
	}
	chs, err := c.chapters(ctx, bv.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nchapters:")
	for _, ch := range chs {
		fmt.Fprintf(w, " %.0f s %q;", ch.Start, ch.Title)
	}
	ans, err := c.answer(ctx, bv.ID, "Where did this happen?")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWhere did this happen? → %q\n", ans)
	return nil
}
