package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
)

// Config configures search and embedding.
type Config struct {
	// Catalog finds indexes and videos; required.
	Catalog pipeline.Catalog
	// PageTTL is how long search pages stay retrievable; default one hour.
	PageTTL time.Duration
	// Embedder computes a video's clip vectors for embedding tasks; nil
	// disables video embeddings. *understand.Stage is one.
	Embedder VideoEmbedder
	// Semantic, if set, is an image–text model (engine/understand/onnx):
	// text queries then also match what clips show, and EmbedText and
	// EmbedImage answer with its vectors. The understanding stage must use
	// the same model.
	Semantic SemanticModel
	// SemanticFloor and SemanticCeil map the model's text–image cosines to
	// scores 0 and 100; defaults 0.15 and 0.35 (CLIP ViT-B/32's range).
	SemanticFloor, SemanticCeil float32
	Logger                      *slog.Logger
	// Now is the clock; default time.Now (tests move it to expire pages).
	Now func() time.Time
}

// SemanticModel is an image–text model: both towers, one vector space.
type SemanticModel interface {
	Name() string
	TextEmbedding(text string) ([]float32, error)
	ImageEmbedding(img image.Image) ([]float32, error)
}

// VideoEmbedder turns a video file into per-clip visual descriptors.
type VideoEmbedder interface {
	EmbedVideo(ctx context.Context, path string) ([]understand.ClipFeatures, error)
}

// Search searches an Index it keeps in step with the engine, keeps the
// pages of each search, and makes embeddings.
type Search struct {
	cfg   Config
	index *Index
	pages *pageStore
	tasks *embedTasks
	log   *slog.Logger
}

// New makes the search over cfg.Catalog. Its Index() is a
// pipeline.Listener for the engine; call Load before searching.
func New(cfg Config) *Search {
	if cfg.PageTTL <= 0 {
		cfg.PageTTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SemanticCeil <= cfg.SemanticFloor {
		cfg.SemanticFloor, cfg.SemanticCeil = 0.15, 0.35
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Search{cfg: cfg, pages: newPageStore(), log: cfg.Logger}
	s.index = NewIndex(cfg.Catalog, cfg.Logger)
	s.tasks = newEmbedTasks(s)
	return s
}

// Index is the clip index, to register as a pipeline.Listener.
func (s *Search) Index() *Index { return s.index }

// Load reads every ready video of the catalog into the index.
func (s *Search) Load(ctx context.Context) error { return s.index.Load(ctx) }

// Close stops embedding tasks still running.
func (s *Search) Close() { s.tasks.close() }

// Capabilities says what the engine's search can do on this machine.
func (s *Search) Capabilities() []string {
	caps := []string{"text-to-speech-transcript", "text-to-onscreen-text", "image-to-visual"}
	if s.cfg.Embedder != nil {
		caps = append(caps, "video-embeddings")
	}
	if s.cfg.Semantic != nil {
		caps = append(caps, "text-to-visual ("+s.cfg.Semantic.Name()+")")
	}
	return caps
}

// Thresholds: the lowest score each threshold lets through (Request.Threshold),
// and the confidence label a score earns.
const (
	HighScore   = 0.75
	MediumScore = 0.5
	LowScore    = 0.3
)

func confidence(score float64) string {
	switch {
	case score >= HighScore:
		return "high"
	case score >= MediumScore:
		return "medium"
	}
	return "low"
}

// Request is one search, as POST /search asks it.
type Request struct {
	IndexID string
	// Text is the query text; Image the decoded query image. One at least.
	Text  string
	Image image.Image
	// Visual and Audio are the search options: on-screen text and pictures,
	// speech.
	Visual, Audio bool
	// Operator joins the query's words: "or" (the default) or "and".
	Operator string
	// GroupByVideo groups clips into one result per video.
	GroupByVideo bool
	// ByClipCount orders by how many clips a video has matched, then score.
	ByClipCount bool
	// Threshold is the lowest score kept, 0–1 (HighScore, MediumScore,
	// LowScore, or 0 for all).
	Threshold float64
	// PageLimit is the results per page, 1–50.
	PageLimit int
	// Filter is the filter's JSON text, "" for none.
	Filter string
	// WithMetadata adds each video's user_metadata to its results.
	WithMetadata bool
}

// searchRequest is a Request ready to run.
type searchRequest struct {
	indexID    string
	q          query
	groupBy    string
	threshold  float64
	sortOption string
	pageLimit  int
	filter     *filter
	withMeta   bool
}

// Search runs a search and returns its first page; later pages are
// found by their tokens (Page). Client errors are *wire.Error.
func (s *Search) Search(ctx context.Context, req Request) (*Page, error) {
	sr := &searchRequest{indexID: req.IndexID, groupBy: "clip", sortOption: "score",
		threshold: req.Threshold, pageLimit: cmp.Or(req.PageLimit, 10), withMeta: req.WithMetadata,
		q: query{Text: req.Text, Visual: req.Visual, Audio: req.Audio, Operator: cmp.Or(req.Operator, "or")}}
	if req.GroupByVideo {
		sr.groupBy = "video"
	}
	if req.ByClipCount {
		sr.sortOption = "clip_count"
	}
	if req.Image != nil {
		sr.q.Image = understand.ImageDescriptor(req.Image)
	}
	if sr.q.Text != "" && sr.q.Visual && s.cfg.Semantic != nil {
		vec, err := s.cfg.Semantic.TextEmbedding(sr.q.Text)
		if err != nil {
			return nil, fmt.Errorf("image-text model: %w", err)
		}
		sr.q.TextVec, sr.q.SemFloor, sr.q.SemCeil = vec, s.cfg.SemanticFloor, s.cfg.SemanticCeil
	}
	var err error
	if sr.filter, err = parseFilter(req.Filter); err != nil {
		return nil, err
	}
	models, err := s.cfg.Catalog.IndexModels(ctx, sr.indexID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(models, isSearchModel) {
		return nil, wire.Errorf(http.StatusBadRequest, "index_not_supported_for_search",
			fmt.Sprintf("The index %s has no search model (%s); search needs an index with a Marengo model.", sr.indexID, strings.Join(models, ", ")))
	}
	rs, err := s.run(ctx, sr)
	if err != nil {
		return nil, err
	}
	s.pages.put(rs, s.cfg.Now())
	return rs.page(1), nil
}

// ErrPageExpired says a page token names no page: it is malformed, its
// search has expired, or its page is past the end.
var ErrPageExpired = errors.New("search: the page token is invalid or has expired")

// Page returns the page a token names.
func (s *Search) Page(token string) (*Page, error) {
	rs, page, ok := s.pages.get(token, s.cfg.Now())
	if !ok {
		return nil, ErrPageExpired
	}
	return rs.page(page), nil
}

// isSearchModel: Marengo models search; Pegasus ones only generate text.
func isSearchModel(name string) bool { return strings.HasPrefix(name, "marengo") }

// maxKept is how many of a search's best clips are kept for its pages
// (200 pages of 50).
const maxKept = 10000

// run searches and orders the results into a result set. Results stay
// compact (clip numbers and scores) until a page of them is written.
func (s *Search) run(ctx context.Context, req *searchRequest) (*resultSet, error) {
	rs := &resultSet{id: wire.NewID(), indexID: req.indexID, limit: req.pageLimit,
		expires: s.cfg.Now().Add(s.cfg.PageTTL), metas: map[int32]*pipeline.VideoMeta{}, withMeta: req.withMeta}
	snap := s.index.snapshot(req.indexID)
	if snap == nil {
		return rs, nil
	}
	rs.videos, rs.clips = snap.videos, snap.clips
	rs.poolCount, rs.poolSeconds = len(snap.videos), snap.duration
	q := req.q
	if rs.terms = queryTerms(q.Text); len(rs.terms) > 0 {
		q.cands = s.index.candidates(snap, rs.terms)
	}
	rs.q, rs.cands = q, q.cands
	all := s.index.match(snap, q)

	// Keep what passes the threshold and the filter; metadata is looked up
	// once per video, fresh, so a PATCHed user_metadata filters at once.
	needMeta := req.filter != nil || req.withMeta
	looked := map[int32]bool{}
	hits := all[:0]
	for _, h := range all {
		if h.score < req.threshold {
			continue
		}
		if needMeta {
			v := snap.clips[h.clip].video
			if !looked[v] {
				looked[v] = true
				m, err := s.cfg.Catalog.FindVideo(ctx, snap.videos[v].VideoID)
				if err == nil && m != nil && m.IndexID == req.indexID && req.filter.match(m) {
					rs.metas[v] = m
				}
			}
			if rs.metas[v] == nil {
				continue
			}
		}
		hits = append(hits, h)
	}
	// Clips are numbered in video-id then time order, so the clip number
	// breaks score ties the same way every time.
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.clip, b.clip)
	})
	// A result set is kept for paging; bound what one search can hold.
	if len(hits) > maxKept {
		hits = hits[:maxKept]
	}
	if req.groupBy == "clip" {
		if req.sortOption == "clip_count" {
			perVideo := map[int32]int{}
			for _, h := range hits {
				perVideo[snap.clips[h.clip].video]++
			}
			slices.SortStableFunc(hits, func(a, b hit) int {
				return cmp.Compare(perVideo[snap.clips[b.clip].video], perVideo[snap.clips[a.clip].video])
			})
		}
		rs.hits = hits
		return rs, nil
	}
	at := map[int32]int{}
	for _, h := range hits {
		v := snap.clips[h.clip].video
		i, ok := at[v]
		if !ok {
			i = len(rs.groups)
			at[v] = i
			rs.groups = append(rs.groups, group{video: v})
		}
		rs.groups[i].hits = append(rs.groups[i].hits, h)
	}
	rs.innerTotal = len(hits)
	if req.sortOption == "clip_count" {
		slices.SortStableFunc(rs.groups, func(a, b group) int { return cmp.Compare(len(b.hits), len(a.hits)) })
	}
	return rs, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
