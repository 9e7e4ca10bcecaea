package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decode the config of JPEG query images
	_ "image/png"  // and PNG ones
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// SearchAPI is what the search and watch pages ask of the TwelveLabs API.
type SearchAPI interface {
	Search(ctx context.Context, r tlclient.SearchRequest) (*tlclient.SearchPage, error)
	SearchByToken(ctx context.Context, token string) (*tlclient.SearchPage, error)
	ListIndexes(ctx context.Context, p tlclient.ListIndexesParams) (*tlclient.IndexPage, error)
	watchAPI
}

const (
	// searchPageLimit fills a grid of 2, 3 or 4 columns evenly.
	searchPageLimit = 12
	// maxQueryImageBytes is the largest image the API takes as a query.
	maxQueryImageBytes = 5 << 20
	// maxSearchFormBytes bounds the whole search form: the image and the fields.
	maxSearchFormBytes = maxQueryImageBytes + 1<<20
	// maxSearchIndexes bounds how many indexes one search asks at once.
	maxSearchIndexes = 10
	// titleLookups bounds the concurrent GetVideo calls that name results.
	titleLookups = 6
	// codePageExpired is the API's error code for a page token past page_expires_at.
	codePageExpired = "search_page_token_expired"
)

// Search options the page offers, in the order it shows them.
var searchOptionNames = []string{"visual", "audio"}

// searchQuery is a search as the page URL holds it, so that it can be
// shared, bookmarked and replayed by the back button. An uploaded image is
// not part of it (it can't live in a URL).
type searchQuery struct {
	IndexIDs  []string
	Text      string
	ImageURL  string
	Options   []string // subset of searchOptionNames; empty means all
	Operator  string   // "" (or) | and
	GroupBy   string   // "" (clip) | video
	Threshold string   // "" (the API's default) | high | medium | low | none
	Filters   []FilterRow
}

// queryImage is an image uploaded as (part of) the query.
type queryImage struct {
	Name string
	Data []byte
}

// parseSearchQuery reads a search from URL or form values. It returns what
// it could read even with an error, so that the form shows it again.
func parseSearchQuery(v url.Values) (searchQuery, error) {
	q := searchQuery{
		Text:      strings.TrimSpace(v.Get("q")),
		ImageURL:  strings.TrimSpace(v.Get("image_url")),
		Operator:  v.Get("op"),
		GroupBy:   v.Get("group"),
		Threshold: v.Get("threshold"),
	}
	for _, id := range v["index"] {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(q.IndexIDs, id) {
			q.IndexIDs = append(q.IndexIDs, id)
		}
	}
	var errs []error
	if len(q.IndexIDs) > maxSearchIndexes {
		errs = append(errs, badRequest(fmt.Sprintf("Search at most %d indexes at once.", maxSearchIndexes)))
		q.IndexIDs = q.IndexIDs[:maxSearchIndexes]
	}
	for _, o := range v["opt"] {
		if !slices.Contains(searchOptionNames, o) {
			errs = append(errs, badRequest(fmt.Sprintf("Unknown search option %q: use visual or audio.", o)))
			continue
		}
		if !slices.Contains(q.Options, o) {
			q.Options = append(q.Options, o)
		}
	}
	// Both options is the default; keep one spelling of it.
	if len(q.Options) == len(searchOptionNames) {
		q.Options = nil
	} else {
		slices.SortFunc(q.Options, func(a, b string) int {
			return slices.Index(searchOptionNames, a) - slices.Index(searchOptionNames, b)
		})
	}
	if q.Operator == "or" {
		q.Operator = ""
	}
	if q.Operator != "" && q.Operator != "and" {
		errs = append(errs, badRequest(fmt.Sprintf("Unknown operator %q: use or / and.", q.Operator)))
		q.Operator = ""
	}
	if q.GroupBy == "clip" {
		q.GroupBy = ""
	}
	if q.GroupBy != "" && q.GroupBy != "video" {
		errs = append(errs, badRequest(fmt.Sprintf("Unknown grouping %q: use clip or video.", q.GroupBy)))
		q.GroupBy = ""
	}
	switch q.Threshold {
	case "", "high", "medium", "low", "none":
	default:
		errs = append(errs, badRequest(fmt.Sprintf("Unknown threshold %q: use high, medium, low or none.", q.Threshold)))
		q.Threshold = ""
	}
	keys, ops, vals := v["fk"], v["fo"], v["fv"]
	for i := range max(len(keys), len(vals)) {
		row := FilterRow{Key: strings.TrimSpace(at(keys, i)), Op: at(ops, i), Value: strings.TrimSpace(at(vals, i))}
		if row.Op == filterEq {
			row.Op = ""
		}
		if row.Key == "" && row.Value == "" {
			continue
		}
		q.Filters = append(q.Filters, row)
	}
	if q.ImageURL != "" {
		if u, err := url.Parse(q.ImageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, badRequest("The image URL must be a full http(s) address."))
		}
	}
	return q, errors.Join(errs...)
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// values is the canonical URL form of q: defaults left out, filter rows as
// parallel fk/fo/fv lists.
func (q searchQuery) values() url.Values {
	v := url.Values{}
	for _, id := range q.IndexIDs {
		v.Add("index", id)
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", q.Text)
	set("image_url", q.ImageURL)
	for _, o := range q.Options {
		v.Add("opt", o)
	}
	set("op", q.Operator)
	set("group", q.GroupBy)
	set("threshold", q.Threshold)
	for _, f := range q.Filters {
		op := f.Op
		if op == "" {
			op = filterEq
		}
		v.Add("fk", f.Key)
		v.Add("fo", op)
		v.Add("fv", f.Value)
	}
	return v
}

// URL is the shareable address of the search page showing q.
func (q searchQuery) URL() string {
	if enc := q.values().Encode(); enc != "" {
		return "/search?" + enc
	}
	return "/search"
}

// watchValues is q as the watch page's link carries it: everything but the
// indexes (the watch page searches its video's index for the other matches).
func (q searchQuery) watchValues() url.Values {
	v := q.values()
	v.Del("index")
	return v
}

// empty reports whether q asks nothing (the search page then shows the form only).
func (q searchQuery) empty() bool { return q.Text == "" && q.ImageURL == "" }

// searchOptions are the options to send, all of them by default.
func (q searchQuery) searchOptions() []string {
	if len(q.Options) == 0 {
		return searchOptionNames
	}
	return q.Options
}

// request builds the API request for one index.
func (q searchQuery) request(indexID string, img *queryImage, filter map[string]any, limit int) tlclient.SearchRequest {
	r := tlclient.SearchRequest{
		IndexID:       indexID,
		QueryText:     q.Text,
		QueryMediaURL: q.ImageURL,
		SearchOptions: q.searchOptions(),
		GroupBy:       q.GroupBy,
		Threshold:     q.Threshold,
		PageLimit:     limit,
		Filter:        filter,
	}
	if len(r.SearchOptions) > 1 && q.Operator != "" {
		r.Operator = q.Operator
	}
	if img != nil {
		// A file wins over a URL; each index gets its own reader.
		r.QueryMediaURL = ""
		r.QueryMedia = tlclient.ReaderUpload(bytes.NewReader(img.Data), img.Name, int64(len(img.Data)))
	}
	if r.QueryMedia != nil || r.QueryMediaURL != "" {
		r.QueryMediaType = "image"
	}
	return r
}

// searchPage serves GET /search: the form, and the results when the URL holds a query.
func (s *Server) searchPage(c *gin.Context) error {
	return s.serveSearch(c, nil)
}

// searchPost serves POST /search, the form's submission. Without an image
// file it is the same search as the GET URL (htmx pushes that URL; a
// browser without JS is redirected to it). With a file the results come
// back here and the pushed URL holds the text part of the query.
func (s *Server) searchPost(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxSearchFormBytes)
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		formErr := badRequest("The search form couldn't be read.")
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			formErr = badRequest("The image is larger than 5 MB; use a smaller one.")
		}
		q, _ := parseSearchQuery(c.Request.PostForm)
		return s.renderSearch(c, q, nil, formErr)
	}
	img, err := readQueryImage(c.Request)
	if err != nil {
		q, _ := parseSearchQuery(c.Request.PostForm)
		return s.renderSearch(c, q, nil, err)
	}
	if img == nil && !isHTMX(c) {
		q, _ := parseSearchQuery(c.Request.PostForm)
		c.Redirect(http.StatusSeeOther, q.URL())
		return nil
	}
	return s.serveSearch(c, img)
}

// serveSearch runs the query in the request (URL or form values) and the
// optional image, and answers with the page or, for htmx, the results.
func (s *Server) serveSearch(c *gin.Context, img *queryImage) error {
	values := c.Request.URL.Query()
	if c.Request.Method == http.MethodPost {
		values = c.Request.PostForm
	}
	// A search that names no index searches every index with videos (see
	// renderSearch), not the session's current index: making a new, empty
	// index must not quietly narrow it.
	q, err := parseSearchQuery(values)
	return s.renderSearch(c, q, img, err)
}

// renderSearch searches (unless the query is empty or invalid) and renders.
func (s *Server) renderSearch(c *gin.Context, q searchQuery, img *queryImage, queryErr error) error {
	ctx := c.Request.Context()
	api := s.backend(c).Client
	fragment := wantsFragment(c, "results")

	var indexes []tlclient.Index
	var listErr error
	allWithVideos := false
	if !fragment || len(q.IndexIDs) != 1 {
		// The form lists the indexes; results name them when there are several.
		indexes, listErr = listAllIndexes(ctx, api)
		if len(q.IndexIDs) == 0 {
			q.IndexIDs, allWithVideos = searchableWithVideos(indexes), true
		}
	}

	var results *templates.SearchResultsView
	status := http.StatusOK
	switch {
	case queryErr != nil:
		status, _ = classify(queryErr)
		results = &templates.SearchResultsView{Error: errorMessage(queryErr)}
	case q.empty() && img == nil:
		if c.Request.Method == http.MethodPost {
			status = http.StatusBadRequest
			results = &templates.SearchResultsView{Error: "Type what you're looking for, or give an image."}
		}
	case len(q.IndexIDs) == 0 && allWithVideos && len(indexes) > 0:
		status = http.StatusBadRequest
		results = &templates.SearchResultsView{Error: "None of your indexes has a video to search yet: upload one first."}
	case len(q.IndexIDs) == 0:
		status = http.StatusBadRequest
		results = &templates.SearchResultsView{Error: "Choose an index to search."}
	default:
		results, status = s.runSearch(ctx, api, q, img, indexes)
	}

	if c.Request.Method == http.MethodPost && isHTMX(c) {
		// The address bar gets the shareable part of the query.
		c.Header("HX-Push-Url", q.URL())
	}
	if fragment {
		// htmx swaps only 2xx; the results say what went wrong.
		c.Status(http.StatusOK)
		return render(c, templates.SearchResults(results))
	}
	c.Status(status)
	view := templates.SearchView{
		Form:          searchForm(q, img != nil),
		Indexes:       indexOptions(indexes, q.IndexIDs),
		AllWithVideos: allWithVideos,
		Results:       results,
	}
	if listErr != nil {
		view.IndexesError = errorMessage(listErr)
	}
	title := "Search"
	if q.Text != "" {
		title = q.Text + " · Search"
	}
	return render(c, templates.SearchPage(s.page(c, title), view))
}

// runSearch searches every chosen index at once and names the results' videos.
func (s *Server) runSearch(ctx context.Context, api SearchAPI, q searchQuery, img *queryImage, indexes []tlclient.Index) (*templates.SearchResultsView, int) {
	filter, err := buildFilter(q.Filters)
	if err != nil {
		status, _ := classify(err)
		return &templates.SearchResultsView{Error: errorMessage(err)}, status
	}
	pages := make([]*tlclient.SearchPage, len(q.IndexIDs))
	errs := make([]error, len(q.IndexIDs))
	var wg sync.WaitGroup
	for i, indexID := range q.IndexIDs {
		wg.Go(func() {
			pages[i], errs[i] = api.Search(ctx, q.request(indexID, img, filter, searchPageLimit))
		})
	}
	wg.Wait()

	titles := videoTitles(ctx, api, q.IndexIDs, pages)
	view := &templates.SearchResultsView{
		Query:         describeQuery(q, img != nil),
		ImageNotInURL: img != nil,
		GroupByVideo:  q.GroupBy == "video",
	}
	status := http.StatusOK
	failed := 0
	for i, indexID := range q.IndexIDs {
		sec := templates.ResultSection{
			IndexID:   indexID,
			IndexName: indexName(indexes, indexID),
			Heading:   len(q.IndexIDs) > 1,
		}
		if errs[i] != nil {
			failed++
			status, _ = classify(errs[i])
			sec.Error = errorMessage(errs[i])
			sec.RetryURL = q.URL()
			s.Log.Info("search failed", "index", indexID, "err", errs[i])
		} else {
			sec.Total = pages[i].PageInfo.TotalResults
			sec.Items = s.resultItems(q, img != nil, indexID, pages[i], titles, 0)
			sec.More = moreView(q, img != nil, indexID, pages[i], len(sec.Items))
		}
		view.Sections = append(view.Sections, sec)
	}
	if failed < len(q.IndexIDs) {
		status = http.StatusOK
	}
	return view, status
}

// resultItems turns one API page into cards, followed by the "more" sentinel
// when the API has a next page.
func (s *Server) resultItems(q searchQuery, imageFile bool, indexID string, page *tlclient.SearchPage, titles map[string]string, offset int) []templates.ResultCard {
	watchQuery := q.watchValues()
	if imageFile {
		// The watch page can't repeat an uploaded image's search.
		watchQuery = url.Values{}
	}
	cards := make([]templates.ResultCard, 0, len(page.Data))
	for i, r := range page.Data {
		videoID := resultVideoID(r)
		card := templates.ResultCard{
			Position: offset + i + 1,
			VideoID:  videoID,
			Title:    titleFor(titles, indexID, videoID),
		}
		best := r
		if len(r.Clips) > 0 && r.Start == 0 && r.End == 0 {
			best = r.Clips[0]
		}
		card.Clip = clipView(indexID, videoID, best, watchQuery)
		if card.Clip.ThumbnailURL == "" && r.ThumbnailURL != "" {
			card.Clip.ThumbnailURL = r.ThumbnailURL
		}
		if q.GroupBy == "video" {
			for _, clip := range r.Clips {
				card.Clips = append(card.Clips, clipView(indexID, videoID, clip, watchQuery))
			}
		}
		cards = append(cards, card)
	}
	return cards
}

// moreView is the sentinel that loads the page after this one.
func moreView(q searchQuery, imageFile bool, indexID string, page *tlclient.SearchPage, offset int) *templates.MoreView {
	token := page.PageInfo.NextPageToken
	if token == "" {
		return nil
	}
	v := q.values()
	if imageFile {
		v.Set("img", "1")
	}
	v.Set("in", indexID)
	v.Set("token", token)
	v.Set("offset", strconv.Itoa(offset))
	if !page.PageInfo.PageExpiresAt.IsZero() {
		v.Set("exp", strconv.FormatInt(page.PageInfo.PageExpiresAt.Unix(), 10))
	}
	return &templates.MoreView{URL: "/search/more?" + v.Encode()}
}

func clipView(indexID, videoID string, r tlclient.SearchResult, watchQuery url.Values) templates.ClipView {
	v := url.Values{}
	for k, vals := range watchQuery {
		v[k] = vals
	}
	v.Set("t", formatSeconds(r.Start))
	v.Set("end", formatSeconds(r.End))
	clip := templates.ClipView{
		Start:        r.Start,
		End:          r.End,
		Range:        webfmt.Clock(r.Start) + "–" + webfmt.Clock(r.End),
		ThumbnailURL: r.ThumbnailURL,
		RefreshURL:   webfmt.VideoURL(indexID, videoID) + "/thumbnail",
		WatchURL:     webfmt.VideoURL(indexID, videoID) + "/watch?" + v.Encode(),
		Confidence:   r.Confidence,
	}
	if r.Score != nil {
		clip.Score = strconv.FormatFloat(*r.Score, 'f', 2, 64)
	}
	if r.Rank != nil {
		clip.Rank = *r.Rank
	}
	return clip
}

// searchMore serves GET /search/more: the next page of one index's results
// (the sentinel replaces itself with them), or a clear state when the page
// expired or the API failed.
func (s *Server) searchMore(c *gin.Context) error {
	values := c.Request.URL.Query()
	q, _ := parseSearchQuery(values)
	if !isHTMX(c) {
		c.Redirect(http.StatusSeeOther, q.URL())
		return nil
	}
	indexID, token := values.Get("in"), values.Get("token")
	if indexID == "" || token == "" {
		return badRequest("This link to more results is incomplete.")
	}
	offset, _ := strconv.Atoi(values.Get("offset"))
	if exp, err := strconv.ParseInt(values.Get("exp"), 10, 64); err == nil && time.Now().Unix() >= exp {
		return render(c, templates.MoreExpired(q.URL()))
	}
	ctx := c.Request.Context()
	api := s.backend(c).Client
	page, err := api.SearchByToken(ctx, token)
	if err != nil {
		var apiErr *tlclient.APIError
		if errors.As(err, &apiErr) && apiErr.Code == codePageExpired {
			return render(c, templates.MoreExpired(q.URL()))
		}
		s.Log.Info("search page failed", "index", indexID, "err", err)
		return render(c, templates.MoreError(errorMessage(err), c.Request.URL.String()))
	}
	titles := videoTitles(ctx, api, []string{indexID}, []*tlclient.SearchPage{page})
	imageFile := values.Get("img") == "1"
	items := s.resultItems(q, imageFile, indexID, page, titles, offset)
	more := moreView(q, imageFile, indexID, page, offset+len(items))
	return render(c, templates.ResultItems(items, q.GroupBy == "video", more))
}

// searchThumbnail serves GET .../thumbnail: a fresh thumbnail URL for a
// video, for result and poster images whose signed URL expired.
func (s *Server) searchThumbnail(c *gin.Context) error {
	v, err := s.backend(c).Client.GetVideo(c.Request.Context(), c.Param("indexID"), c.Param("videoID"), tlclient.GetVideoParams{})
	if err != nil {
		return err
	}
	if v.HLS == nil || len(v.HLS.ThumbnailURLs) == 0 {
		return notFound("This video has no thumbnail.")
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, v.HLS.ThumbnailURLs[0])
	return nil
}

// readQueryImage reads the uploaded query image, if any, and checks that it
// is a JPEG or PNG the API can take.
func readQueryImage(r *http.Request) (*queryImage, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	f, hdr, err := r.FormFile("image")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, badRequest("The image couldn't be read.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxQueryImageBytes+1))
	if err != nil {
		return nil, badRequest("The image couldn't be read.")
	}
	if len(data) == 0 {
		// Browsers send an empty part when no file was chosen.
		return nil, nil
	}
	if len(data) > maxQueryImageBytes {
		return nil, badRequest("The image is larger than 5 MB; use a smaller one.")
	}
	switch http.DetectContentType(data) {
	case "image/png", "image/jpeg":
	default:
		return nil, badRequest(fmt.Sprintf("%q isn't a JPEG or PNG image.", hdr.Filename))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, badRequest(fmt.Sprintf("%q isn't a readable image.", hdr.Filename))
	}
	if cfg.Width < 64 || cfg.Height < 64 {
		return nil, badRequest(fmt.Sprintf("The image is %dx%d pixels; it must be at least 64x64.", cfg.Width, cfg.Height))
	}
	name := hdr.Filename
	if name == "" {
		name = "query.png"
	}
	return &queryImage{Name: name, Data: data}, nil
}

// videoTitles names the distinct videos of the pages (a search result
// carries only the video's id), a few lookups at a time. A video that
// can't be fetched keeps no title; the card then shows its id.
func videoTitles(ctx context.Context, api watchAPI, indexIDs []string, pages []*tlclient.SearchPage) map[string]string {
	type key struct{ index, video string }
	var keys []key
	seen := map[key]bool{}
	for i, p := range pages {
		if p == nil {
			continue
		}
		for _, r := range p.Data {
			k := key{indexIDs[i], resultVideoID(r)}
			if k.video != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	titles := make([]string, len(keys))
	sem := make(chan struct{}, titleLookups)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if v, err := api.GetVideo(ctx, k.index, k.video, tlclient.GetVideoParams{}); err == nil {
				titles[i] = videoTitle(v)
			}
		})
	}
	wg.Wait()
	out := make(map[string]string, len(keys))
	for i, k := range keys {
		if titles[i] != "" {
			out[k.index+"/"+k.video] = titles[i]
		}
	}
	return out
}

func titleFor(titles map[string]string, indexID, videoID string) string {
	if t := titles[indexID+"/"+videoID]; t != "" {
		return t
	}
	return "Video " + videoID
}

// videoTitle is the name a person gave the video, else its file name.
func videoTitle(v *tlclient.Video) string {
	if t := strings.TrimSpace(v.SystemMetadata.VideoTitle); t != "" {
		return t
	}
	if f := strings.TrimSpace(v.SystemMetadata.Filename); f != "" {
		return f
	}
	return "Video " + v.ID
}

// resultVideoID is the result's video; grouped results name it in their clips.
func resultVideoID(r tlclient.SearchResult) string {
	if r.VideoID != "" {
		return r.VideoID
	}
	for _, c := range r.Clips {
		if c.VideoID != "" {
			return c.VideoID
		}
	}
	return ""
}

// listAllIndexes lists the indexes for the form's choice (the first 50 is plenty for a form).
func listAllIndexes(ctx context.Context, api SearchAPI) ([]tlclient.Index, error) {
	page, err := api.ListIndexes(ctx, tlclient.ListIndexesParams{PageLimit: 50})
	if err != nil {
		return nil, err
	}
	return page.Data, nil
}

// searchableWithVideos are the indexes a search names no index for: every
// one that has videos and a Marengo model (the search model), at most
// maxSearchIndexes.
func searchableWithVideos(indexes []tlclient.Index) []string {
	var ids []string
	for _, ix := range indexes {
		searchable := slices.ContainsFunc(ix.Models, func(m tlclient.IndexModel) bool {
			return strings.HasPrefix(m.ModelName, "marengo")
		})
		if ix.VideoCount > 0 && searchable && len(ids) < maxSearchIndexes {
			ids = append(ids, ix.ID)
		}
	}
	return ids
}

func indexName(indexes []tlclient.Index, id string) string {
	for _, ix := range indexes {
		if ix.ID == id {
			return ix.IndexName
		}
	}
	return "Index " + id
}

func indexOptions(indexes []tlclient.Index, selected []string) []templates.IndexOption {
	opts := make([]templates.IndexOption, 0, len(indexes))
	for _, ix := range indexes {
		opts = append(opts, templates.IndexOption{
			ID: ix.ID, Name: ix.IndexName, VideoCount: ix.VideoCount,
			Selected: slices.Contains(selected, ix.ID),
		})
	}
	// An index in the URL that the list doesn't hold still shows, checked.
	for _, id := range selected {
		if !slices.ContainsFunc(opts, func(o templates.IndexOption) bool { return o.ID == id }) {
			opts = append(opts, templates.IndexOption{ID: id, Name: "Index " + id, Selected: true})
		}
	}
	return opts
}

func searchForm(q searchQuery, hadImage bool) templates.SearchForm {
	f := templates.SearchForm{
		Text:      q.Text,
		ImageURL:  q.ImageURL,
		Visual:    len(q.Options) == 0 || slices.Contains(q.Options, "visual"),
		Audio:     len(q.Options) == 0 || slices.Contains(q.Options, "audio"),
		And:       q.Operator == "and",
		ByVideo:   q.GroupBy == "video",
		Threshold: q.Threshold,
		HadImage:  hadImage,
	}
	for _, r := range q.Filters {
		f.Filters = append(f.Filters, templates.FilterRowView{Key: r.Key, Op: r.Op, Value: r.Value})
	}
	return f
}

// describeQuery says in words what was searched, for the results heading.
func describeQuery(q searchQuery, imageFile bool) string {
	var parts []string
	if q.Text != "" {
		parts = append(parts, "“"+q.Text+"”")
	}
	if imageFile || q.ImageURL != "" {
		parts = append(parts, "your image")
	}
	return strings.Join(parts, " + ")
}

// wantsFragment reports whether htmx asked to swap only target (a history
// restore asks for the whole page).
func wantsFragment(c *gin.Context, target string) bool {
	return isHTMX(c) && c.GetHeader("HX-History-Restore-Request") != "true" && c.GetHeader("HX-Target") == target
}

// errorMessage is what the person reads about err (details stay in the log).
func errorMessage(err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		// Several validation errors joined: show them all.
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
	_, msg := classify(err)
	return msg
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }
