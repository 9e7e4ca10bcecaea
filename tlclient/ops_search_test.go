package tlclient

import (
	"context"
	"errors"
	"testing"
)

// searchOpCases are the cases of TestOperationsAgainstDescription for search: by text, by image file or URL, rank, next pages and their errors.
func searchOpCases(imgPath string) []opCase {
	return []opCase{
		{
			name:    "search by text with every option",
			replies: []reply{{status: 200, body: searchP1}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Search(ctx, SearchRequest{IndexID: "ix1", QueryText: "train derailment", SearchOptions: []string{"visual", "audio"},
					Operator: "and", GroupBy: "clip", Threshold: "medium", SortOption: "score", PageLimit: 2,
					Filter: map[string]any{"duration": map[string]any{"gte": 10}}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/search").form(t), map[string][]string{"index_id": {"ix1"},
					"search_options": {"visual", "audio"}, "query_text": {"train derailment"}, "operator": {"and"}, "group_by": {"clip"},
					"threshold": {"medium"}, "sort_option": {"score"}, "page_limit": {"2"}, "filter": {`{"duration":{"gte":10}}`}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				p := got.(*SearchPage)
				wantEq(t, "first", p.Data[0], SearchResult{VideoID: "66a0aa11b2c3d4e5f6a7b8c9", Start: 10.5, End: 18, Score: ptr(84.2),
					Confidence: "high", ThumbnailURL: "https://cdn.example/t1.jpg"})
				wantEq(t, "page_info", p.PageInfo, SearchPageInfo{LimitPerPage: 2, TotalResults: 3, TotalInnerMatches: 3,
					PageExpiresAt: ts("2026-11-30T05:00:00Z"), NextPageToken: "tok-2"})
				wantEq(t, "pool", p.SearchPool, SearchPool{2, 320.5, "6298d673f1090f1100476d4c"})
			},
		},
		{
			name:    "search by image file, grouped by video",
			replies: []reply{{status: 200, body: `{"data":[{"video_id":"v1","clips":[{"score":80,"start":1,"end":2,"video_id":"v1","confidence":"high"}]}],"page_info":{"limit_per_page":10,"total_results":1}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Search(ctx, SearchRequest{IndexID: "ix1", QueryMedia: FileUpload(imgPath), SearchOptions: []string{"visual"}, GroupBy: "video"})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/search").form(t), map[string][]string{"index_id": {"ix1"}, "search_options": {"visual"},
					"query_media_type": {"image"}, "group_by": {"video"}, "query_media_file": {"file:query.png:\x89PNG fake image bytes"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "clips", got.(*SearchPage).Data[0].Clips, []SearchResult{{VideoID: "v1", Start: 1, End: 2, Score: ptr(80.0), Confidence: "high"}})
			},
		},
		{
			name:    "search by image URL",
			replies: []reply{{status: 200, body: searchP2}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Search(ctx, SearchRequest{IndexID: "ix1", QueryMediaURL: "https://media.example/q.png", QueryMediaType: "image", SearchOptions: []string{"visual"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/search").form(t), map[string][]string{"index_id": {"ix1"}, "search_options": {"visual"},
					"query_media_type": {"image"}, "query_media_url": {"https://media.example/q.png"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "prev", got.(*SearchPage).PageInfo.PrevPageToken, "tok-1")
			},
		},
		{
			name:    "search results with rank instead of score",
			replies: []reply{{status: 200, body: `{"data":[{"rank":1,"start":3,"end":9,"video_id":"v1"},{"rank":2,"start_sec":12,"end_sec":15.5,"video_id":"v2"}],"page_info":{"limit_per_page":10,"total_results":2}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Search(ctx, SearchRequest{IndexID: "ix1", QueryText: "anchor", SearchOptions: []string{"visual"}})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/search") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "data", got.(*SearchPage).Data, []SearchResult{{VideoID: "v1", Start: 3, End: 9, Rank: ptr(1)}, {VideoID: "v2", Start: 12, End: 15.5, Rank: ptr(2)}})
			},
		},
		{
			name:     "retrieveSearchPage by token",
			replies:  []reply{{status: 200, body: searchP2}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.SearchByToken(ctx, "tok-2") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/search/tok-2") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "video", got.(*SearchPage).Data[0].VideoID, "66a0aa11b2c3d4e5f6a7b8d0")
			},
		},
		{
			name: "retrieveSearchPage error in the {error_code,message} shape",
			waive: waiver{seed: "WIRE-NOTES: the search-page endpoint answers errors as {error_code, message}",
				full: "WIRE-NOTES: its error_code is a string seen live (search_page_token_expired); the full description " +
					"types it an integer (example 104), the next case"},
			replies:  []reply{{status: 400, body: `{"error_code":"search_page_token_expired","message":"The page token has expired."}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.SearchByToken(ctx, "tok-old") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/search/tok-old") },
			check: func(t *testing.T, _ any, err error) {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				wantEq(t, "code", ae.Code, "search_page_token_expired")
				wantEq(t, "message", ae.Message, "The page token has expired.")
				wantEq(t, "status", ae.StatusCode, 400)
			},
		},
		{
			name:     "retrieveSearchPage error with the full description's integer error_code",
			waive:    waiver{seed: "the full description's searchResultsError {error_code: integer, message}; the seed declares {code, message}"},
			replies:  []reply{{status: 400, body: `{"error_code":104,"message":"The page token has expired."}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.SearchByToken(ctx, "tok-old") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/search/tok-old") },
			check: func(t *testing.T, _ any, err error) {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				wantEq(t, "code", ae.Code, "104")
				wantEq(t, "message", ae.Message, "The page token has expired.")
			},
		},
	}
}
