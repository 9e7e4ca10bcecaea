// The search page: the form, its submission and the results.

package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
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
