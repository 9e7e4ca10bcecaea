package tlclient

import (
	"context"
	"testing"
)

// embedOpCases are the cases of TestOperationsAgainstDescription for embeddings: /embed text and image, embedding tasks.
func embedOpCases(imgPath string) []opCase {
	return []opCase{
		{
			name:    "embed text",
			replies: []reply{{status: 200, body: `{"model_name":"Marengo-retrieval-2.7","text_embedding":` + embSegs + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Embed(ctx, EmbedRequest{ModelName: "Marengo-retrieval-2.7", Text: "a train"})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/embed").form(t), map[string][]string{"model_name": {"Marengo-retrieval-2.7"}, "text": {"a train"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				r := got.(*EmbedResponse)
				wantEq(t, "model", r.ModelName, "Marengo-retrieval-2.7")
				wantEq(t, "segments", r.TextEmbedding.Segments, []EmbeddingSegment{{Float: []float64{0.25, -0.5, 0.125}, EndOffsetSec: 6, EmbeddingScope: "clip"}})
			},
		},
		{
			name:    "embed image file",
			replies: []reply{{status: 200, body: `{"model_name":"Marengo-retrieval-2.7","image_embedding":` + embSegs + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Embed(ctx, EmbedRequest{ModelName: "Marengo-retrieval-2.7", ImageFile: FileUpload(imgPath)})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/embed").form(t), map[string][]string{"model_name": {"Marengo-retrieval-2.7"}, "image_file": {"file:query.png:\x89PNG fake image bytes"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "segments", len(got.(*EmbedResponse).ImageEmbedding.Segments), 1)
			},
		},
		{
			name:      "createEmbeddingTask from URL with scopes",
			waive:     waiver{seed: "full description (what the live API does): the scope field is video_embedding_scope, repeated; the seed calls it video_embedding_scopes"},
			partAlias: map[string]string{"video_embedding_scope": "video_embedding_scopes"},
			replies:   []reply{{status: 200, body: `{"_id":"et1"}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateEmbeddingTask(ctx, CreateEmbeddingTaskRequest{ModelName: "Marengo-retrieval-2.7", VideoURL: "https://media.example/a.mp4", VideoEmbeddingScopes: []string{"clip", "video"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/embed/tasks").form(t), map[string][]string{"model_name": {"Marengo-retrieval-2.7"},
					"video_url": {"https://media.example/a.mp4"}, "video_embedding_scope": {"clip", "video"}})
			},
			check: func(t *testing.T, got any, err error) { wantOK(t, err); wantEq(t, "id", got.(string), "et1") },
		},
		{
			name:    "listEmbeddingTasks",
			replies: []reply{{status: 200, body: `{"data":[{"_id":"et1","model_name":"Marengo-retrieval-2.7","status":"processing","created_at":"2026-11-30T04:00:00Z"}],` + pageInfo + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListEmbeddingTasks(ctx, ListEmbeddingTasksParams{Page: 1, PageLimit: 20})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "query", oneReq(t, ex, "GET", "/embed/tasks").query.Encode(), "page=1&page_limit=20")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "task", got.(*EmbeddingTaskPage).Data[0], EmbeddingTask{ID: "et1", ModelName: "Marengo-retrieval-2.7", Status: "processing", CreatedAt: ts("2026-11-30T04:00:00Z")})
			},
		},
		{
			name:     "retrieveEmbeddingTask",
			replies:  []reply{{status: 200, body: `{"_id":"et1","model_name":"Marengo-retrieval-2.7","status":"ready","created_at":"2026-11-30T04:00:00Z","video_embedding":` + embSegs + `}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetEmbeddingTask(ctx, "et1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/embed/tasks/et1") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "status", got.(*EmbeddingTask).Status, "ready")
				wantEq(t, "vector", got.(*EmbeddingTask).VideoEmbedding.Segments[0].Float, []float64{0.25, -0.5, 0.125})
			},
		},
		{
			name:     "embedding task status",
			waive:    waiver{seed: "WIRE-NOTES: GET /embed/tasks/{id}/status exists beside GET /embed/tasks/{id}"},
			replies:  []reply{{status: 200, body: `{"_id":"et1","model_name":"Marengo-retrieval-2.7","status":"processing"}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetEmbeddingTaskStatus(ctx, "et1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/embed/tasks/et1/status") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "status", *got.(*EmbeddingTaskStatus), EmbeddingTaskStatus{"et1", "Marengo-retrieval-2.7", "processing"})
			},
		},
	}
}
