// Command quality measures what the local engine says about videos it has
// never seen, against ground truth known from how those videos were made:
//
//	scripts/deps.sh quality && go run ./bench/quality [-v]
//
// It builds four test videos (real photographs from Debian's
// mate-backgrounds, panned; narration synthesised by flite; captions burned
// in over the busy pictures; a hard cut and a new caption per segment) into
// .cache/quality (never committed; reused while their spec is unchanged),
// ingests them through the real local engine (engine/full) and reports per
// video: caption recall, speech-query hits in the top 5, caption-query hits
// in the top 3, chapter boundary recall (±2.5 s), precision of
// threshold=medium results and answer accuracy on 10 questions.
// Figures and their meaning: docs/QUALITY.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"glimpse/engine"
	"glimpse/engine/full"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := measureAll(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

func measureAll(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	work := fs.String("work", "", "folder for the built videos (default <repo>/.cache/quality)")
	verbose := fs.Bool("v", false, "print every query's results, every answer, chapter and title")
	only := fs.String("video", "", "measure only the video of this name")
	example := fs.Bool("example", false, "also ingest example.mp4 (the test data's news report) and report how selective search is on it")
	keep := fs.String("data", "", "keep the engine's data here and, when it already holds these videos ingested, measure them\n"+
		"without ingesting again (for changes to search or generation; a change to understanding needs a fresh folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *work == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		*work = filepath.Join(root, ".cache", "quality")
	}
	if err := checkTools(); err != nil {
		return err
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	var videos []*builtVideo
	for _, spec := range corpus {
		if *only != "" && spec.Name != *only {
			continue
		}
		t0 := time.Now()
		bv, err := build(ctx, *work, spec)
		if err != nil {
			return fmt.Errorf("build %s: %w", spec.Name, err)
		}
		fmt.Fprintf(os.Stderr, "built %s (%.0f s of video) in %s\n", spec.Name, bv.Duration, time.Since(t0).Round(time.Millisecond))
		videos = append(videos, bv)
	}
	if len(videos) == 0 {
		return fmt.Errorf("no video named %q", *only)
	}

	data := *keep
	if data == "" {
		tmp, err := os.MkdirTemp("", "glimpse-quality-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		data = tmp
	} else if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := full.New(full.Config{Config: engine.Config{DataDir: data, Logger: log}})
	if err != nil {
		return err
	}
	defer eng.Close()
	srv := httptest.NewServer(eng.Handler())
	defer srv.Close()
	c := &client{base: srv.URL + "/v1.3", catalog: eng.Catalog()}

	indexID, ok := c.reuse(ctx, data, videos)
	if ok {
		fmt.Fprintf(os.Stderr, "reusing the %d videos ingested in %s\n", len(videos), data)
	} else {
		t0 := time.Now()
		indexID, err = c.ingestAll(ctx, videos)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "ingested %d videos in %s\n", len(videos), time.Since(t0).Round(time.Millisecond))
		if *keep != "" {
			if err := saveIngested(data, indexID, videos); err != nil {
				return err
			}
		}
	}

	var detail io.Writer = io.Discard
	if *verbose {
		detail = stdout
	}
	var rows []scores
	for _, bv := range videos {
		s, err := measure(ctx, c, indexID, bv, videos, detail)
		if err != nil {
			return fmt.Errorf("measure %s: %w", bv.Spec.Name, err)
		}
		rows = append(rows, s)
	}
	printTable(stdout, rows)
	var names []string
	var sums []summaryCheck
	for _, r := range rows {
		names, sums = append(names, r.Name), append(sums, r.Summary)
	}
	printSummaries(stdout, names, sums)
	var conf confBins
	for _, bv := range videos {
		b, err := measureConfidence(ctx, c, bv)
		if err != nil {
			return fmt.Errorf("speech confidence %s: %w", bv.Spec.Name, err)
		}
		conf.plus(b)
	}
	printConfidence(stdout, conf)
	if *example {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		return measureExample(ctx, c, root, stdout)
	}
	return nil
}

// repoRoot is the folder holding go.mod, found from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("run from inside the repository, or pass -work")
		}
		dir = filepath.Dir(dir)
	}
}

// checkTools names what is missing and how to get it, before any work.
func checkTools() error {
	for _, f := range []string{photoDir, fontBold, fontBook} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%s is missing: run scripts/deps.sh quality", f)
		}
	}
	for _, tool := range []string{"flite", "ffmpeg", "ffprobe"} {
		if err := run(context.Background(), "sh", "-c", "command -v "+tool); err != nil {
			return fmt.Errorf("%s is missing: run scripts/deps.sh quality", tool)
		}
	}
	return nil
}
