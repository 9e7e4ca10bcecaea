package tlclient

import (
	"context"
	"strings"
	"testing"
)

// videoOpCases are the cases of TestOperationsAgainstDescription for video operations: list, retrieve (transcription, embeddings), update, patch, delete.
func videoOpCases() []opCase {
	return []opCase{
		{
			name:    "listVideos",
			replies: []reply{{status: 200, body: `{"data":[` + videoJSON + `],` + pageInfo + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListVideos(ctx, "ix1", ListVideosParams{Page: 1, PageLimit: 50, SortBy: "created_at", SortOption: "desc"})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "query", oneReq(t, ex, "GET", "/indexes/ix1/videos").query.Encode(), "page=1&page_limit=50&sort_by=created_at&sort_option=desc")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				v := got.(*VideoPage).Data[0]
				wantEq(t, "system_metadata", v.SystemMetadata, VideoSystemMetadata{Filename: "example.mp4", Duration: 160.2, FPS: 29.97,
					Width: 640, Height: 360, Size: 12345678, VideoTitle: "Train derailment"})
			},
		},
		{
			name:    "retrieveVideo with transcription",
			replies: []reply{{status: 200, body: videoJSON}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetVideo(ctx, "ix1", "66a0aa11b2c3d4e5f6a7b8c9", GetVideoParams{Transcription: true})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "query", oneReq(t, ex, "GET", "/indexes/ix1/videos/66a0aa11b2c3d4e5f6a7b8c9").query.Get("transcription"), "true")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				v := got.(*Video)
				wantEq(t, "hls", *v.HLS, HLS{VideoURL: "https://cdn.example/v/master.m3u8", ThumbnailURLs: []string{"https://cdn.example/v/t0.jpg"},
					Status: "COMPLETE", UpdatedAt: ts("2026-11-30T04:06:00Z")})
				wantEq(t, "transcription", v.Transcription, []TranscriptionSpan{{0.5, 3.25, "Good evening."}})
				wantEq(t, "user_metadata", v.UserMetadata, map[string]any{"topic": "news", "views": float64(3)})
				wantEq(t, "indexed_at", v.IndexedAt, ts("2026-11-30T04:06:00Z"))
			},
		},
		{
			name:    "retrieveVideo with embeddings",
			replies: []reply{{status: 200, body: strings.TrimSuffix(videoJSON, "}") + `,"embedding":{"model_name":"marengo3.0","video_embedding":` + embSegsOpt + `}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetVideo(ctx, "ix1", "v1", GetVideoParams{EmbeddingOptions: []string{"visual", "audio"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "query", oneReq(t, ex, "GET", "/indexes/ix1/videos/v1").query.Encode(), "embedding_option=visual&embedding_option=audio")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				e := got.(*Video).Embedding
				if e == nil || e.VideoEmbedding == nil {
					t.Fatalf("embedding = %+v, want the video's segments", e)
				}
				wantEq(t, "model", e.ModelName, "marengo3.0")
				wantEq(t, "segments", e.VideoEmbedding.Segments, []EmbeddingSegment{
					{Float: []float64{0.25, -0.5}, EndOffsetSec: 6, EmbeddingScope: "clip", EmbeddingOption: "visual"},
					{Float: []float64{0.5, 0.125}, EndOffsetSec: 6, EmbeddingScope: "clip", EmbeddingOption: "audio"}})
			},
		},
		{
			name: "updateVideo (PUT of the description)",
			waive: waiver{full: "the seed's PUT {video_title, user_metadata}: the full description has only PATCH {user_metadata} " +
				"(the next case); WIRE-NOTES: accept both"},
			replies: []reply{{status: 200}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.UpdateVideo(ctx, "ix1", "v1", UpdateVideoRequest{VideoTitle: "New title", UserMetadata: map[string]any{"topic": "rail"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "PUT", "/indexes/ix1/videos/v1").jsonBody(t),
					map[string]any{"video_title": "New title", "user_metadata": map[string]any{"topic": "rail"}})
			},
			check: func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
		{
			name: "PATCH video user_metadata, null deletes a key",
			waive: waiver{seed: "WIRE-NOTES: the live API updates a video with PATCH {user_metadata}; a null value deletes a key",
				full: "the full description says a null deletes a key, and its value schema {} admits null under OpenAPI 3.1; " +
					"kin-openapi checks schemas with internal $refs by 3.0 rules, where {} refuses null"},
			replies: []reply{{status: 204}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.PatchVideoMetadata(ctx, "ix1", "v1", map[string]any{"topic": "rail", "views": nil})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				e := oneReq(t, ex, "PATCH", "/indexes/ix1/videos/v1")
				wantEq(t, "content-type", e.header.Get("Content-Type"), "application/json")
				wantEq(t, "body", string(e.body), `{"user_metadata":{"topic":"rail","views":null}}`)
			},
			check: func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
		{
			name:     "deleteVideo 204",
			replies:  []reply{{status: 204}},
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteVideo(ctx, "ix1", "v1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "DELETE", "/indexes/ix1/videos/v1") },
			check:    func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
	}
}
