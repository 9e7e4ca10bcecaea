package search

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // query images may be GIF, JPEG or PNG
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"sort"
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
	// MountPath is where the engine is mounted, for absolute thumbnail URLs.
	MountPath string
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
	// TempDir holds uploads of embedding tasks while they run; default os.TempDir().
	TempDir string
	Logger  *slog.Logger
	// Now is the clock; default time.Now (tests move it to expire pages).
	Now func() time.Time
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
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
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
	s.index.mu.Lock()
	s.index.catalog = catalog
	s.index.mu.Unlock()
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
		case "audio":
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
	cfg, _, err := image.DecodeConfig(strings.NewReader(string(b)))
	if err != nil {
		return nil, wire.ParameterInvalid("The query media is not a PNG, JPEG or GIF image.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > 50_000_000 {
		return nil, wire.ParameterInvalid("The query image is empty or has more than 50 megapixels.")
	}
	img, _, err := image.Decode(strings.NewReader(string(b)))
	if err != nil {
		return nil, wire.ParameterInvalid("The query image is damaged: " + err.Error())
	}
	return img, nil
}

// item is one result: a clip, or a video with its clips.
type item struct {
	videoID    string
	start, end float64
	score      float64
	thumb      string
	clips      []item
	meta       map[string]any
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
	ok, err := catalog.IndexExists(r.Context(), req.indexID)
	if err != nil {
		return err
	}
	if !ok {
		return wire.NotFound(fmt.Sprintf("The index %s does not exist.", req.indexID))
	}
	rs, err := s.run(r.Context(), catalog, req)
	if err != nil {
		return err
	}
	s.pages.put(rs, s.cfg.Now())
	s.writePage(w, r, rs, 1)
	return nil
}

// run searches and orders the results into a result set.
func (s *Search) run(ctx context.Context, catalog pipeline.Catalog, req *searchRequest) (*resultSet, error) {
	rs := &resultSet{id: wire.NewID(), indexID: req.indexID, limit: req.pageLimit,
		expires: s.cfg.Now().Add(s.cfg.PageTTL), withMeta: req.withMeta}
	snap := s.index.snapshot(req.indexID)
	if snap == nil {
		return rs, nil
	}
	rs.poolCount, rs.poolSeconds = len(snap.videos), snap.duration
	hits := s.index.match(snap, req.q)

	// Keep what passes the threshold and the filter; metadata is looked up
	// once per video, fresh, so a PATCHed user_metadata filters at once.
	metas := map[int32]*pipeline.VideoMeta{}
	passes := func(v int32) bool {
		if req.filter == nil && !req.withMeta {
			return true
		}
		m, seen := metas[v]
		if !seen {
			got, err := catalog.FindVideo(ctx, snap.videos[v].VideoID)
			if err == nil && got != nil && got.IndexID == req.indexID {
				m = got
			}
			metas[v] = m
		}
		return m != nil && req.filter.match(m)
	}
	var clips []item
	byVideo := map[int32][]item{}
	var order []int32
	for _, h := range hits {
		if h.score < req.threshold || h.score <= 0 {
			continue
		}
		ref := snap.clips[h.clip]
		if !passes(ref.video) {
			continue
		}
		v := snap.videos[ref.video]
		c := v.Clips[ref.clip]
		it := item{videoID: v.VideoID, start: c.Start, end: c.End, score: h.score, thumb: c.Thumb}
		if m := metas[ref.video]; req.withMeta && m != nil {
			it.meta = m.UserMetadata
		}
		if _, ok := byVideo[ref.video]; !ok {
			order = append(order, ref.video)
		}
		byVideo[ref.video] = append(byVideo[ref.video], it)
		clips = append(clips, it)
	}
	byScore := func(a, b item) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		if a.videoID != b.videoID {
			return a.videoID < b.videoID
		}
		return a.start < b.start
	}
	if req.groupBy == "clip" {
		if req.sortOption == "clip_count" {
			count := map[string]int{}
			for _, c := range clips {
				count[c.videoID]++
			}
			sort.SliceStable(clips, func(i, j int) bool {
				if ci, cj := count[clips[i].videoID], count[clips[j].videoID]; ci != cj {
					return ci > cj
				}
				return byScore(clips[i], clips[j])
			})
		} else {
			sort.SliceStable(clips, func(i, j int) bool { return byScore(clips[i], clips[j]) })
		}
		rs.items = clips
		return rs, nil
	}
	for _, v := range order {
		cs := byVideo[v]
		sort.SliceStable(cs, func(i, j int) bool { return byScore(cs[i], cs[j]) })
		rs.items = append(rs.items, item{videoID: cs[0].videoID, score: cs[0].score, thumb: cs[0].thumb,
			start: cs[0].start, end: cs[0].end, clips: cs, meta: cs[0].meta})
		rs.innerTotal += len(cs)
	}
	sort.SliceStable(rs.items, func(i, j int) bool {
		a, b := rs.items[i], rs.items[j]
		if req.sortOption == "clip_count" && len(a.clips) != len(b.clips) {
			return len(a.clips) > len(b.clips)
		}
		return byScore(a, b)
	})
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
	base := wire.BaseURL(r, s.cfg.MountPath)
	lo := (page - 1) * rs.limit
	hi := min(lo+rs.limit, len(rs.items))
	out := pageJSON{
		SearchPool: searchPoolJSON{TotalCount: rs.poolCount, TotalDuration: round2(rs.poolSeconds), IndexID: rs.indexID},
		Data:       []resultJSON{},
		PageInfo: pageInfoJSON{LimitPerPage: rs.limit, Page: page, TotalResults: len(rs.items),
			TotalPage:         max(1, (len(rs.items)+rs.limit-1)/rs.limit),
			TotalInnerMatches: rs.innerTotal, PageExpiresAt: wire.Time(rs.expires)},
	}
	toJSON := func(it item, rank int) resultJSON {
		j := resultJSON{VideoID: it.videoID, Score: round2(it.score * 100), Start: round2(it.start),
			End: round2(it.end), Confidence: confidence(it.score), Rank: rank, UserMetadata: it.meta}
		if it.thumb != "" {
			j.ThumbnailURL = base + pipeline.MediaPath(it.videoID, it.thumb)
		}
		return j
	}
	for i := lo; i < hi; i++ {
		it := rs.items[i]
		j := toJSON(it, i+1)
		if it.clips != nil {
			j.ID = it.videoID
			for k, c := range it.clips {
				cj := toJSON(c, k+1)
				cj.UserMetadata = nil
				j.Clips = append(j.Clips, cj)
			}
		}
		out.Data = append(out.Data, j)
	}
	if hi < len(rs.items) {
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
