package webapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"log/slog"
	"sync"
	"time"

	"glimpse/analysisstore"
	"glimpse/tlclient"
)

// AnalysisAPI is what analyses and answers ask of the TwelveLabs API.
type AnalysisAPI interface {
	Gist(ctx context.Context, r tlclient.GistRequest) (*tlclient.Gist, error)
	Summarize(ctx context.Context, r tlclient.SummarizeRequest) (*tlclient.Summary, error)
	AnalyzeStream(ctx context.Context, r tlclient.AnalyzeRequest) iter.Seq2[tlclient.StreamEvent, error]
}

// AnalysisStore keeps each video's generated analysis, so a reload of the
// watch page does not ask the API again; package analysisstore keeps it
// in files, package cluster in Redis for every instance.
type AnalysisStore interface {
	Load(indexID, videoID string) (rec analysisstore.Record, ok bool, err error)
	Save(rec analysisstore.Record) error
}

// Analyses hands out each video's analysis (gist, summary, chapters,
// highlights): the kept one, or one generated once however many requests
// want it meanwhile (two tabs, a reload while it runs).
type Analyses struct {
	Store AnalysisStore
	Log   *slog.Logger

	mu      sync.Mutex
	running map[string]*generation
}

type generation struct {
	done chan struct{}
	rec  analysisstore.Record
	err  error
}

// generationTimeout bounds one generation, which no single request owns.
const generationTimeout = 5 * time.Minute

// AccountScope names the account a session's requests go to without
// keeping its key: a digest of the pasted key, or "default".
func AccountScope(apiKey string) string {
	if apiKey == "" {
		return "default"
	}
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:8])
}

func (a *Analyses) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

// Kept is the video's kept analysis for account. Another account's (or
// one kept before accounts were recorded) is not handed out, and a
// damaged record reads as none, so that it is generated again.
func (a *Analyses) Kept(ctx context.Context, account, indexID, videoID string) (analysisstore.Record, bool) {
	rec, ok, err := a.Store.Load(indexID, videoID)
	if err != nil {
		a.log().WarnContext(ctx, "analysis record unreadable", "index", indexID, "video", videoID, "err", err)
		return analysisstore.Record{}, false
	}
	if !ok || rec.Account != account {
		return analysisstore.Record{}, false
	}
	return rec, true
}

// Generate asks api for the video's analysis and keeps it for account,
// unless a generation for the same account and video runs already, whose
// result it waits for. The generation does not end with ctx: others may
// be waiting, and its result is kept; Generate returns when ctx ends.
func (a *Analyses) Generate(ctx context.Context, api AnalysisAPI, account, indexID, videoID string) (analysisstore.Record, error) {
	key := account + "/" + indexID + "/" + videoID
	a.mu.Lock()
	run, ok := a.running[key]
	if !ok {
		if a.running == nil {
			a.running = map[string]*generation{}
		}
		run = &generation{done: make(chan struct{})}
		a.running[key] = run
		go func() {
			gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), generationTimeout)
			defer cancel()
			run.rec, run.err = GenerateAnalysis(gctx, api, indexID, videoID)
			if run.err == nil {
				run.rec.Account = account
				if err := a.Store.Save(run.rec); err != nil {
					// The person still sees the analysis; only the keeping failed.
					a.log().ErrorContext(gctx, "analysis not kept", "index", indexID, "video", videoID, "err", err)
				}
			}
			a.mu.Lock()
			delete(a.running, key)
			a.mu.Unlock()
			close(run.done)
		}()
	}
	a.mu.Unlock()
	select {
	case <-run.done:
		return run.rec, run.err
	case <-ctx.Done():
		return analysisstore.Record{}, ctx.Err()
	}
}

// GenerateAnalysis asks for the gist and the three kinds of summary at once
// and returns them only when all four answered.
func GenerateAnalysis(ctx context.Context, api AnalysisAPI, indexID, videoID string) (analysisstore.Record, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg        sync.WaitGroup
		gist      *tlclient.Gist
		summaries [3]*tlclient.Summary
		errs      [4]error
	)
	wg.Go(func() {
		gist, errs[0] = api.Gist(ctx, tlclient.GistRequest{VideoID: videoID, Types: []string{"title", "topic", "hashtag"}})
		if errs[0] != nil {
			cancel()
		}
	})
	for i, kind := range []string{"summary", "chapter", "highlight"} {
		wg.Go(func() {
			summaries[i], errs[i+1] = api.Summarize(ctx, tlclient.SummarizeRequest{VideoID: videoID, Type: kind})
			if errs[i+1] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	// The first error that is not the cancellation caused by another one.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return analysisstore.Record{}, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return analysisstore.Record{}, err
		}
	}
	return analysisstore.Record{
		IndexID:     indexID,
		VideoID:     videoID,
		Title:       gist.Title,
		Topics:      gist.Topics,
		Hashtags:    gist.Hashtags,
		Summary:     summaries[0].Summary,
		Chapters:    summaries[1].Chapters,
		Highlights:  summaries[2].Highlights,
		GeneratedAt: time.Now().UTC(),
	}, nil
}
