package search

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // query images may be GIF, JPEG or PNG
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
)

// Config configures the search and embed endpoints.
type Config struct {
	// Media makes the signed thumbnail URLs.
	Media *wire.MediaLinks
	// PageTTL is how long search pages stay retrievable; default one hour.
	PageTTL time.Duration
	// AllowPrivateURLs lets query_media_url and video_url reach loopback and
	// private addresses (tests, a LAN); off, they are refused.
	AllowPrivateURLs bool
	// MaxImageBytes bounds a query image; default 20 MB.
	MaxImageBytes int64
	// MaxVideoBytes bounds an embedding task's video; default 2 GB.
	MaxVideoBytes int64
	// Embedder computes a video's clip vectors for /embed/tasks; nil
	// disables video embeddings. *understand.Stage is one.
	Embedder VideoEmbedder
	// Semantic, if set, is an image–text model (engine/understand/onnx):
	// text queries then also match what clips show, and /embed answers
	// with its vectors. The understanding stage must use the same model.
	Semantic SemanticModel
	// SemanticFloor and SemanticCeil map the model's text–image cosines to
	// scores 0 and 100; defaults 0.15 and 0.35 (CLIP ViT-B/32's range).
	SemanticFloor, SemanticCeil float32
	// TempDir holds uploads of embedding tasks while they run; default os.TempDir().
	TempDir string
	Logger  *slog.Logger
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

// Search serves /search, /search/{page_token}, /embed and /embed/tasks over
// an Index it keeps in step with the engine.
type Search struct {
	cfg   Config
	index *Index
	pages *pageStore
	fetch *http.Client
	tasks *embedTasks
	log   *slog.Logger

	mu      sync.RWMutex
	catalog pipeline.Catalog
}

// New makes the search service. Its Index() is a pipeline.Listener for the
// engine config; call Attach with the engine's catalog before serving.
func New(cfg Config) *Search {
	if cfg.PageTTL <= 0 {
		cfg.PageTTL = time.Hour
	}
	if cfg.MaxImageBytes <= 0 {
		cfg.MaxImageBytes = 20 << 20
	}
	if cfg.MaxVideoBytes <= 0 {
		cfg.MaxVideoBytes = 2 << 30
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
	if cfg.Media == nil {
		cfg.Media = wire.NewMediaLinks("", nil, 0)
	}
	s := &Search{cfg: cfg, pages: newPageStore(), log: cfg.Logger,
		fetch: guardedClient(cfg.AllowPrivateURLs)}
	s.index = NewIndex(nil, cfg.Logger)
	s.tasks = newEmbedTasks(s)
	return s
}

// Index is the clip index, to register as a pipeline.Listener.
func (s *Search) Index() *Index { return s.index }

// Attach gives the service the engine's catalog and loads every ready video.
func (s *Search) Attach(ctx context.Context, catalog pipeline.Catalog) error {
	s.mu.Lock()
	s.catalog = catalog
	s.mu.Unlock()
	s.index.wmu.Lock()
	s.index.catalog = catalog
	s.index.wmu.Unlock()
	return s.index.Load(ctx)
}

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

// Routes are the endpoints, relative to /v1.3.
func (s *Search) Routes() []wire.Route {
	h := func(f func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := f(w, r); err != nil {
				var we *wire.Error
				if !errors.As(err, &we) {
					s.log.Error("search endpoint failed", "path", r.URL.Path, "err", err)
				}
				wire.WriteError(w, err)
			}
		})
	}
	return []wire.Route{
		{Pattern: "POST /search", Handler: h(s.handleSearch)},
		{Pattern: "GET /search/{page_token}", Handler: http.HandlerFunc(s.handlePage)},
		{Pattern: "POST /embed", Handler: h(s.handleEmbed)},
		{Pattern: "POST /embed/tasks", Handler: h(s.tasks.handleCreate)},
		{Pattern: "GET /embed/tasks", Handler: h(s.tasks.handleList)},
		{Pattern: "GET /embed/tasks/{task_id}", Handler: h(s.tasks.handleGet)},
		{Pattern: "GET /embed/tasks/{task_id}/status", Handler: h(s.tasks.handleStatus)},
	}
}

func (s *Search) getCatalog() (pipeline.Catalog, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.catalog == nil {
		return nil, wire.Errorf(http.StatusServiceUnavailable, "service_unavailable", "Search is starting; try again in a moment.")
	}
	return s.catalog, nil
}

// Thresholds: the lowest score each threshold lets through, and the
// confidence label a score earns.
const (
	highScore   = 0.75
	mediumScore = 0.5
	lowScore    = 0.3
)

func confidence(score float64) string {
	switch {
	case score >= highScore:
		return "high"
	case score >= mediumScore:
		return "medium"
	}
	return "low"
}

// searchRequest is the parsed form of POST /search.
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

func parseForm(r *http.Request, maxMem int64) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxMem)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return wire.Errorf(http.StatusRequestEntityTooLarge, "parameter_invalid", "The request body is too large.")
		}
		return wire.ParameterInvalid("The request body is not a readable multipart form.")
	}
	return nil
}

// formValues returns every value of a repeated field, also under name[]
// and comma-separated.
func formValues(r *http.Request, name string) []string {
	var out []string
	for _, key := range []string{name, name + "[]"} {
		vals := r.Form[key]
		if r.MultipartForm != nil {
			vals = append(vals, r.MultipartForm.Value[key]...)
		}
		for _, v := range vals {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" && !contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func formValue(r *http.Request, name string) string {
	if v := r.Form.Get(name); v != "" {
		return v
	}
	if r.MultipartForm != nil {
		if vs := r.MultipartForm.Value[name]; len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func (s *Search) parseSearch(r *http.Request) (*searchRequest, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, s.cfg.MaxImageBytes+1<<20)
	if err := parseForm(r, 32<<20); err != nil {
		return nil, err
	}
	req := &searchRequest{indexID: formValue(r, "index_id"), groupBy: "clip", sortOption: "score",
		pageLimit: 10, threshold: lowScore}
	if req.indexID == "" {
		return nil, wire.ParameterNotProvided("index_id")
	}
	opts := formValues(r, "search_options")
	if len(opts) == 0 {
		return nil, wire.ParameterNotProvided("search_options")
	}
	for _, o := range opts {
		switch o {
		case "visual":
			req.q.Visual = true
		case "audio", "transcription": // newer clients' lexical speech option: here speech is always matched by its words
			req.q.Audio = true
		default:
			return nil, wire.ParameterInvalid(fmt.Sprintf("search_options: %q is not an option; use visual and/or audio.", o))
		}
	}
	req.q.Text = strings.TrimSpace(formValue(r, "query_text"))
	if n := len(strings.Fields(req.q.Text)); n > 500 {
		return nil, wire.Errorf(http.StatusBadRequest, "token_limit_exceeded", fmt.Sprintf("query_text has %d words; the limit is 500 tokens.", n))
	}
	img, err := s.queryImage(r)
	if err != nil {
		return nil, err
	}
	if img != nil {
		if !req.q.Visual {
			return nil, wire.Errorf(http.StatusBadRequest, "search_option_combination_not_supported", "An image query needs the visual search option.")
		}
		req.q.Image = understand.ImageDescriptor(img)
	}
	if req.q.Text != "" && req.q.Visual && s.cfg.Semantic != nil {
		vec, err := s.cfg.Semantic.TextEmbedding(req.q.Text)
		if err != nil {
			return nil, fmt.Errorf("image-text model: %w", err)
		}
		req.q.TextVec, req.q.SemFloor, req.q.SemCeil = vec, s.cfg.SemanticFloor, s.cfg.SemanticCeil
	}
	if req.q.Text == "" && img == nil {
		return nil, wire.ParameterNotProvided("query_text or query_media_file or query_media_url")
	}
	req.q.Operator = "or"
	if v := formValue(r, "operator"); v != "" {
		if v != "or" && v != "and" {
			return nil, wire.ParameterInvalid("operator must be or or and.")
		}
		req.q.Operator = v
	}
	if v := formValue(r, "group_by"); v != "" {
		if v != "clip" && v != "video" {
			return nil, wire.ParameterInvalid("group_by must be clip or video.")
		}
		req.groupBy = v
	}
	if v := formValue(r, "sort_option"); v != "" {
		if v != "score" && v != "clip_count" {
			return nil, wire.ParameterInvalid("sort_option must be score or clip_count.")
		}
		req.sortOption = v
	}
	if v := formValue(r, "threshold"); v != "" {
		switch v {
		case "high":
			req.threshold = highScore
		case "medium":
			req.threshold = mediumScore
		case "low":
			req.threshold = lowScore
		case "none":
			req.threshold = 0
		default:
			return nil, wire.ParameterInvalid("threshold must be high, medium, low or none.")
		}
	}
	if v := formValue(r, "page_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return nil, wire.ParameterInvalid("page_limit must be a whole number from 1 to 50.")
		}
		req.pageLimit = n
	}
	if req.filter, err = parseFilter(formValue(r, "filter")); err != nil {
		return nil, err
	}
	req.withMeta = formValue(r, "include_user_metadata") == "true"
	return req, nil
}

// queryImage reads query_media_file or query_media_url, if either is given.
func (s *Search) queryImage(r *http.Request) (image.Image, error) {
	mediaType := formValue(r, "query_media_type")
	url := formValue(r, "query_media_url")
	var file io.ReadCloser
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["query_media_file"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, wire.ParameterInvalid("query_media_file could not be read.")
			}
			file = f
		}
	}
	if file == nil && url == "" {
		if mediaType != "" {
			return nil, wire.ParameterNotProvided("query_media_file or query_media_url")
		}
		return nil, nil
	}
	if mediaType != "" && mediaType != "image" {
		return nil, wire.ParameterInvalid("query_media_type must be image.")
	}
	if file == nil {
		body, err := s.download(r.Context(), url, s.cfg.MaxImageBytes)
		if err != nil {
			return nil, err
		}
		file = body
	}
	defer file.Close()
	return decodeImage(io.LimitReader(file, s.cfg.MaxImageBytes+1), s.cfg.MaxImageBytes)
}

// decodeImage refuses anything that is not a picture of sane size before decoding it.
func decodeImage(r io.Reader, limit int64) (image.Image, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, wire.ParameterInvalid("The query image could not be read.")
	}
	if int64(len(b)) > limit {
		return nil, wire.ParameterInvalid(fmt.Sprintf("The query image is larger than %d MB.", limit>>20))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, wire.ParameterInvalid("The query media is not a PNG, JPEG or GIF image.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > 50_000_000 {
		return nil, wire.ParameterInvalid("The query image is empty or has more than 50 megapixels.")
	}
	// A small file can declare a picture that takes hundreds of MB once
	// decoded (16-bit PNG); refuse before decoding rather than after.
	if need := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); need > maxDecodedImageBytes {
		return nil, wire.ParameterInvalid(fmt.Sprintf("The query image would take %d MB to decode, more than %d MB; send a smaller image.",
			need>>20, maxDecodedImageBytes>>20))
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, wire.ParameterInvalid("The query image is damaged: " + err.Error())
	}
	return img, nil
}

func (s *Search) handleSearch(w http.ResponseWriter, r *http.Request) error {
	catalog, err := s.getCatalog()
	if err != nil {
		return err
	}
	req, err := s.parseSearch(r)
	if err != nil {
		return err
	}
	models, err := catalog.IndexModels(r.Context(), req.indexID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(models, isSearchModel) {
		return wire.Errorf(http.StatusBadRequest, "index_not_supported_for_search",
			fmt.Sprintf("The index %s has no search model (%s); search needs an index with a Marengo model.", req.indexID, strings.Join(models, ", ")))
	}
	rs, err := s.run(r.Context(), catalog, req)
	if err != nil {
		return err
	}
	s.pages.put(rs, s.cfg.Now())
	s.writePage(w, r, rs, 1)
	return nil
}

// isSearchModel: Marengo models search; Pegasus ones only generate text.
func isSearchModel(name string) bool { return strings.HasPrefix(name, "marengo") }

// maxKept is how many of a search's best clips are kept for its pages
// (200 pages of 50).
const maxKept = 10000

// run searches and orders the results into a result set. Results stay
// compact (clip numbers and scores) until a page of them is written.
func (s *Search) run(ctx context.Context, catalog pipeline.Catalog, req *searchRequest) (*resultSet, error) {
	rs := &resultSet{id: wire.NewID(), indexID: req.indexID, limit: req.pageLimit,
		expires: s.cfg.Now().Add(s.cfg.PageTTL), metas: map[int32]*pipeline.VideoMeta{}, withMeta: req.withMeta}
	snap := s.index.snapshot(req.indexID)
	if snap == nil {
		return rs, nil
	}
	rs.videos, rs.clips = snap.videos, snap.clips
	rs.poolCount, rs.poolSeconds = len(snap.videos), snap.duration
	all := s.index.match(snap, req.q)

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
				m, err := catalog.FindVideo(ctx, snap.videos[v].VideoID)
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

// Wire shapes of a search page.
type resultJSON struct {
	ID           string         `json:"id,omitempty"` // video groups
	VideoID      string         `json:"video_id"`
	Score        float64        `json:"score"`
	Start        float64        `json:"start"`
	End          float64        `json:"end"`
	Confidence   string         `json:"confidence"`
	Rank         int            `json:"rank"`
	ThumbnailURL string         `json:"thumbnail_url,omitempty"`
	Clips        []resultJSON   `json:"clips,omitempty"`
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
}

type pageInfoJSON struct {
	LimitPerPage      int    `json:"limit_per_page"`
	Page              int    `json:"page"`
	TotalPage         int    `json:"total_page"`
	TotalResults      int    `json:"total_results"`
	TotalInnerMatches int    `json:"total_inner_matches,omitempty"`
	PageExpiresAt     string `json:"page_expires_at"`
	NextPageToken     string `json:"next_page_token,omitempty"`
	PrevPageToken     string `json:"prev_page_token,omitempty"`
}

type searchPoolJSON struct {
	TotalCount    int     `json:"total_count"`
	TotalDuration float64 `json:"total_duration"`
	IndexID       string  `json:"index_id"`
}

type pageJSON struct {
	SearchPool searchPoolJSON `json:"search_pool"`
	Data       []resultJSON   `json:"data"`
	PageInfo   pageInfoJSON   `json:"page_info"`
}

func (s *Search) writePage(w http.ResponseWriter, r *http.Request, rs *resultSet, page int) {
	total := rs.count()
	lo := (page - 1) * rs.limit
	hi := min(lo+rs.limit, total)
	out := pageJSON{
		SearchPool: searchPoolJSON{TotalCount: rs.poolCount, TotalDuration: round2(rs.poolSeconds), IndexID: rs.indexID},
		Data:       []resultJSON{},
		PageInfo: pageInfoJSON{LimitPerPage: rs.limit, Page: page, TotalResults: total,
			TotalPage:         max(1, (total+rs.limit-1)/rs.limit),
			TotalInnerMatches: rs.innerTotal, PageExpiresAt: wire.Time(rs.expires)},
	}
	clipJSON := func(h hit, rank int) resultJSON {
		ref := rs.clips[h.clip]
		v := rs.videos[ref.video]
		c := v.Clips[ref.clip]
		j := resultJSON{VideoID: v.VideoID, Score: round2(h.score * 100), Start: round2(c.Start),
			End: round2(c.End), Confidence: confidence(h.score), Rank: rank}
		if c.Thumb != "" {
			j.ThumbnailURL = s.cfg.Media.URL(r, v.VideoID, c.Thumb)
		}
		if m := rs.metas[ref.video]; rs.withMeta && m != nil {
			j.UserMetadata = m.UserMetadata
		}
		return j
	}
	for i := lo; i < hi; i++ {
		if rs.groups == nil {
			out.Data = append(out.Data, clipJSON(rs.hits[i], i+1))
			continue
		}
		g := rs.groups[i]
		j := clipJSON(g.hits[0], i+1)
		j.ID = j.VideoID
		for k, h := range g.hits {
			cj := clipJSON(h, k+1)
			cj.UserMetadata = nil
			j.Clips = append(j.Clips, cj)
		}
		out.Data = append(out.Data, j)
	}
	if hi < total {
		out.PageInfo.NextPageToken = token(rs.id, page+1)
	}
	if page > 1 {
		out.PageInfo.PrevPageToken = token(rs.id, page-1)
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

func (s *Search) handlePage(w http.ResponseWriter, r *http.Request) {
	rs, page, ok := s.pages.get(r.PathValue("page_token"), s.cfg.Now())
	if !ok {
		writePageExpired(w)
		return
	}
	s.writePage(w, r, rs, page)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// maxDecodedImageBytes bounds the memory one query image may take decoded.
const maxDecodedImageBytes = 128 << 20

// bytesPerPixel is what the decoder allocates per pixel for a colour model
// (YCbCr counted as 4:4:4, its largest).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3
	}
	return 4
}
