package tlclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
)

func (r SearchRequest) form() (*multipartForm, error) {
	if r.IndexID == "" {
		return nil, errors.New("tlclient: Search needs an IndexID")
	}
	if len(r.SearchOptions) == 0 {
		return nil, errors.New("tlclient: Search needs at least one search option (visual, audio, ...)")
	}
	if r.QueryText == "" && r.QueryMedia == nil && r.QueryMediaURL == "" {
		return nil, errors.New("tlclient: Search needs a text or media query")
	}
	f := &multipartForm{}
	f.add("index_id", r.IndexID)
	for _, o := range r.SearchOptions {
		f.add("search_options", o)
	}
	for _, o := range r.TranscriptionOptions {
		f.add("transcription_options", o)
	}
	f.addIf("query_text", r.QueryText)
	mediaType := r.QueryMediaType
	if mediaType == "" && (r.QueryMedia != nil || r.QueryMediaURL != "") {
		mediaType = "image"
	}
	f.addIf("query_media_type", mediaType)
	f.addIf("query_media_url", r.QueryMediaURL)
	f.addIf("group_by", r.GroupBy)
	f.addIf("operator", r.Operator)
	if r.PageLimit > 0 {
		f.add("page_limit", strconv.Itoa(r.PageLimit))
	}
	if r.Filter != nil {
		b, err := json.Marshal(r.Filter)
		if err != nil {
			return nil, fmt.Errorf("tlclient: encode search filter: %w", err)
		}
		f.add("filter", string(b))
	}
	f.addIf("threshold", r.Threshold)
	f.addIf("sort_option", r.SortOption)
	if r.AdjustConfidenceLevel != nil {
		f.add("adjust_confidence_level", strconv.FormatFloat(*r.AdjustConfidenceLevel, 'f', -1, 64))
	}
	if r.IncludeUserMetadata != nil {
		f.add("include_user_metadata", strconv.FormatBool(*r.IncludeUserMetadata))
	}
	f.addFile("query_media_file", r.QueryMedia, nil)
	return f, nil
}

// Search runs a text and/or image query (POST /search) and returns the first page.
func (c *Client) Search(ctx context.Context, r SearchRequest) (*SearchPage, error) {
	form, err := r.form()
	if err != nil {
		return nil, err
	}
	var out SearchPage
	if err := c.do(ctx, request{method: http.MethodPost, path: "/search", form: form}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SearchByToken fetches the page a next_page_token (or prev_page_token) names (GET /search/{token}).
func (c *Client) SearchByToken(ctx context.Context, token string) (*SearchPage, error) {
	if err := needID("page token", token); err != nil {
		return nil, err
	}
	var out SearchPage
	if err := c.do(ctx, request{method: http.MethodGet, path: pathf("/search/%s", token)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SearchAll iterates over every result of a search, following next_page_token
// lazily until a page has none.
func (c *Client) SearchAll(ctx context.Context, r SearchRequest) iter.Seq2[SearchResult, error] {
	return func(yield func(SearchResult, error) bool) {
		page, err := c.Search(ctx, r)
		seen := map[string]bool{}
		for {
			if err != nil {
				yield(SearchResult{}, err)
				return
			}
			for _, res := range page.Data {
				if !yield(res, nil) {
					return
				}
			}
			next := page.PageInfo.NextPageToken
			if next == "" || seen[next] {
				return
			}
			seen[next] = true
			page, err = c.SearchByToken(ctx, next)
		}
	}
}
