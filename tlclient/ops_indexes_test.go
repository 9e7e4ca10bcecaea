package tlclient

import (
	"context"
	"testing"
)

// indexOpCases are the cases of TestOperationsAgainstDescription for index operations: list, create, retrieve, update, delete.
func indexOpCases() []opCase {
	return []opCase{
		{
			name:    "listIndexes with filters and sorting",
			replies: []reply{{status: 200, body: `{"data":[` + indexJSON + `],` + pageInfo + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListIndexes(ctx, ListIndexesParams{Page: 2, PageLimit: 5, SortBy: "updated_at", SortOption: "asc", IndexName: "news"})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				q := oneReq(t, ex, "GET", "/indexes").query
				wantEq(t, "query", q.Encode(), "index_name=news&page=2&page_limit=5&sort_by=updated_at&sort_option=asc")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				p := got.(*IndexPage)
				if len(p.Data) != 1 {
					t.Fatalf("got %d indexes", len(p.Data))
				}
				ix := p.Data[0]
				wantEq(t, "index", ix, Index{ID: "6298d673f1090f1100476d4c", IndexName: "news",
					Models: []IndexModel{{"marengo3.0", []string{"visual", "audio"}}, {"pegasus1.2", []string{"visual", "audio"}}},
					Addons: []string{"thumbnail"}, VideoCount: 2, TotalDuration: 320.5,
					CreatedAt: ts("2026-11-30T04:00:00Z"), UpdatedAt: ts("2026-11-30T04:10:00.5Z")})
				wantEq(t, "total_page", p.PageInfo.TotalPage, 1)
			},
		},
		{
			name:    "createIndex with models and addons",
			replies: []reply{{status: 201, body: `{"_id":"6298d673f1090f1100476d4c"}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateIndex(ctx, CreateIndexRequest{IndexName: "news",
					Models: []IndexModel{{ModelName: "marengo3.0", ModelOptions: []string{"visual", "audio"}}}, Addons: []string{"thumbnail"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				b := oneReq(t, ex, "POST", "/indexes").jsonBody(t)
				wantEq(t, "body", b, map[string]any{"index_name": "news", "addons": []any{"thumbnail"},
					"models": []any{map[string]any{"model_name": "marengo3.0", "model_options": []any{"visual", "audio"}}}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "id", got.(string), "6298d673f1090f1100476d4c")
			},
		},
		{
			name:    "retrieveIndex",
			replies: []reply{{status: 200, body: indexJSON}},
			call:    func(ctx context.Context, c *Client) (any, error) { return c.GetIndex(ctx, "6298d673f1090f1100476d4c") },
			checkReq: func(t *testing.T, ex []exchange) {
				oneReq(t, ex, "GET", "/indexes/6298d673f1090f1100476d4c")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "name", got.(*Index).IndexName, "news")
				wantEq(t, "models", len(got.(*Index).Models), 2)
			},
		},
		{
			name: "updateIndex answered 200 empty",
			waive: waiver{full: "the seed's answer: PUT /indexes/{id} answers 200; the full description (the live API) " +
				"answers 204, the next case"},
			replies: []reply{{status: 200}},
			call:    func(ctx context.Context, c *Client) (any, error) { return nil, c.UpdateIndex(ctx, "ix1", "renamed") },
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "PUT", "/indexes/ix1").jsonBody(t), map[string]any{"index_name": "renamed"})
			},
			check: func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
		{
			name:     "updateIndex answered 204 empty",
			waive:    waiver{seed: "WIRE-NOTES: PUT /indexes/{id} and the DELETEs may answer 204 with an empty body"},
			replies:  []reply{{status: 204}},
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.UpdateIndex(ctx, "ix1", "renamed") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "PUT", "/indexes/ix1") },
			check:    func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
		{
			name:     "deleteIndex 204",
			replies:  []reply{{status: 204}},
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteIndex(ctx, "ix1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "DELETE", "/indexes/ix1") },
			check:    func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
	}
}
