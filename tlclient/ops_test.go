package tlclient

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"glimpse/internal/apispec"
	"glimpse/internal/testwait"
)

const (
	indexJSON = `{"_id":"6298d673f1090f1100476d4c","index_name":"news","models":[{"model_name":"marengo3.0","model_options":["visual","audio"]},{"model_name":"pegasus1.2","model_options":["visual","audio"]}],"video_count":2,"total_duration":320.5,"addons":["thumbnail"],"created_at":"2026-11-30T04:00:00Z","updated_at":"2026-11-30T04:10:00.5Z","expires_at":"2027-01-01T00:00:00Z"}`
	videoJSON = `{"_id":"66a0aa11b2c3d4e5f6a7b8c9","created_at":"2026-11-30T04:00:00Z","updated_at":"2026-11-30T04:05:00Z","indexed_at":"2026-11-30T04:06:00Z","system_metadata":{"filename":"example.mp4","duration":160.2,"fps":29.97,"width":640,"height":360,"size":12345678,"video_title":"Train derailment"},"user_metadata":{"topic":"news","views":3},"hls":{"video_url":"https://cdn.example/v/master.m3u8","thumbnail_urls":["https://cdn.example/v/t0.jpg"],"status":"COMPLETE","updated_at":"2026-11-30T04:06:00Z"},"transcription":[{"start":0.5,"end":3.25,"value":"Good evening."}]}`
	taskJSON  = `{"_id":"66b0aa11b2c3d4e5f6a7b8c9","index_id":"6298d673f1090f1100476d4c","video_id":"66a0aa11b2c3d4e5f6a7b8c9","status":"indexing","created_at":"2026-11-30T04:00:00Z","updated_at":"2026-11-30T04:01:00Z","system_metadata":{"filename":"example.mp4","duration":160.2,"width":640,"height":360},"hls":{"video_url":"https://cdn.example/v/master.m3u8","thumbnail_urls":[],"status":"PROCESSING","updated_at":"2026-11-30T04:01:00Z"},"progress":42.5}`
	failJSON  = `{"_id":"66b0aa11b2c3d4e5f6a7b8ca","index_id":"6298d673f1090f1100476d4c","status":"failed","created_at":"2026-11-30T04:00:00Z","updated_at":"2026-11-30T04:01:00Z","system_metadata":{"filename":"short.mp4","duration":2},"failure":{"code":"video_duration_too_short","message":"The video is 2.0 s long; videos must be 4 s to 2 h."}}`
	pageInfo  = `"page_info":{"limit_per_page":10,"total_results":1,"page":1,"total_page":1}`
	searchP1  = `{"search_pool":{"total_count":2,"total_duration":320.5,"index_id":"6298d673f1090f1100476d4c"},"data":[{"score":84.2,"start":10.5,"end":18,"video_id":"66a0aa11b2c3d4e5f6a7b8c9","confidence":"high","thumbnail_url":"https://cdn.example/t1.jpg"},{"score":61,"start":40,"end":44.5,"video_id":"66a0aa11b2c3d4e5f6a7b8c9","confidence":"medium","thumbnail_url":"https://cdn.example/t2.jpg","user_metadata":{"topic":"news"}}],"page_info":{"limit_per_page":2,"total_results":3,"page_expires_at":"2026-11-30T05:00:00Z","next_page_token":"tok-2","total_inner_matches":3}}`
	searchP2  = `{"search_pool":{"total_count":2,"total_duration":320.5,"index_id":"6298d673f1090f1100476d4c"},"data":[{"score":40.1,"start":90,"end":95,"video_id":"66a0aa11b2c3d4e5f6a7b8d0","confidence":"low"}],"page_info":{"limit_per_page":2,"total_results":3,"page_expires_at":"2026-11-30T05:00:00Z","prev_page_token":"tok-1"}}`
	embSegs   = `{"segments":[{"float":[0.25,-0.5,0.125],"start_offset_sec":0,"end_offset_sec":6,"embedding_scope":"clip"}]}`
	// embSegsOpt are a video's segments of two embedding options.
	embSegsOpt = `{"segments":[{"float":[0.25,-0.5],"start_offset_sec":0,"end_offset_sec":6,"embedding_scope":"clip","embedding_option":"visual"},` +
		`{"float":[0.5,0.125],"start_offset_sec":0,"end_offset_sec":6,"embedding_scope":"clip","embedding_option":"audio"}]}`
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// opCase is one call through the client against the spec-checking server.
type opCase struct {
	name string
	// waive names, per description, the WIRE-NOTES fact or the difference
	// between the descriptions that the case exercises when it leaves one.
	waive waiver
	// partAlias maps a live multipart field name to the seed's for validation.
	partAlias map[string]string
	replies   []reply
	call      func(ctx context.Context, c *Client) (any, error)
	checkReq  func(t *testing.T, ex []exchange)
	check     func(t *testing.T, got any, err error)
}

func wantOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantEq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func oneReq(t *testing.T, ex []exchange, method, path string) exchange {
	t.Helper()
	if len(ex) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(ex))
	}
	if ex[0].method != method || ex[0].path != path {
		t.Fatalf("request %s %s, want %s %s", ex[0].method, ex[0].path, method, path)
	}
	return ex[0]
}

func TestOperationsAgainstDescription(t *testing.T) {
	srv := newSpecServer(t)
	dir := t.TempDir()
	imgPath := filepath.Join(dir, "query.png")
	if err := os.WriteFile(imgPath, []byte("\x89PNG fake image bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []opCase{
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
		{
			name:    "listTasks with filters, engine progress and failure decoded",
			replies: []reply{{status: 200, body: `{"data":[` + taskJSON + `,` + failJSON + `],` + pageInfo + `}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListTasks(ctx, ListTasksParams{IndexID: "ix1", Status: []string{"failed"}, Page: 1, PageLimit: 10})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "query", oneReq(t, ex, "GET", "/tasks").query.Encode(), "index_id=ix1&page=1&page_limit=10&status=failed")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				d := got.(*TaskPage).Data
				wantEq(t, "progress", d[0].Progress, ptr(42.5))
				wantEq(t, "failure", d[1].Failure, &TaskFailure{"video_duration_too_short", "The video is 2.0 s long; videos must be 4 s to 2 h."})
				wantEq(t, "done", []bool{d[0].Done(), d[1].Done()}, []bool{false, true})
			},
		},
		{
			name:    "createTask from a reader, with enable_video_stream and user_metadata",
			waive:   waiver{seed: "full description (what the live API does): POST /tasks answers 200; the seed says 201"},
			replies: []reply{{status: 200, body: `{"_id":"66b0aa11b2c3d4e5f6a7b8c9","video_id":"66a0aa11b2c3d4e5f6a7b8c9"}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateTask(ctx, CreateTaskRequest{IndexID: "ix1", Video: ReaderUpload(strings.NewReader("fake mp4 bytes"), "clip.mp4", 14),
					EnableVideoStream: ptr(false), UserMetadata: map[string]any{"topic": "news"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				e := oneReq(t, ex, "POST", "/tasks")
				wantEq(t, "form", e.form(t), map[string][]string{"index_id": {"ix1"}, "enable_video_stream": {"false"},
					"user_metadata": {`{"topic":"news"}`}, "video_file": {"file:clip.mp4:fake mp4 bytes"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "task", *got.(*CreateTaskResponse), CreateTaskResponse{"66b0aa11b2c3d4e5f6a7b8c9", "66a0aa11b2c3d4e5f6a7b8c9"})
			},
		},
		{
			name:    "createTask from a URL",
			waive:   waiver{seed: "full description (what the live API does): POST /tasks answers 200; the seed says 201"},
			replies: []reply{{status: 200, body: `{"_id":"t2","video_id":"v2"}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateTask(ctx, CreateTaskRequest{IndexID: "ix1", VideoURL: "https://media.example/a.mp4"})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "form", oneReq(t, ex, "POST", "/tasks").form(t), map[string][]string{"index_id": {"ix1"}, "video_url": {"https://media.example/a.mp4"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "id", got.(*CreateTaskResponse).ID, "t2")
			},
		},
		{
			name:     "retrieveTask with hls",
			replies:  []reply{{status: 200, body: taskJSON}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetTask(ctx, "66b0aa11b2c3d4e5f6a7b8c9") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/tasks/66b0aa11b2c3d4e5f6a7b8c9") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				tk := got.(*Task)
				wantEq(t, "status", tk.Status, "indexing")
				wantEq(t, "hls status", tk.HLS.Status, "PROCESSING")
				wantEq(t, "system_metadata", tk.SystemMetadata, TaskSystemMetadata{"example.mp4", 160.2, 640, 360})
			},
		},
		{
			name:     "retrieveTask while uploading",
			waive:    waiver{seed: "WIRE-NOTES: task statuses seen include uploading, which the seed's enum lacks"},
			replies:  []reply{{status: 200, body: `{"_id":"t3","index_id":"ix1","status":"uploading","progress":0}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetTask(ctx, "t3") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/tasks/t3") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "status", got.(*Task).Status, TaskUploading)
				wantEq(t, "progress", got.(*Task).Progress, ptr(0.0))
			},
		},
		{
			name:     "deleteTask 204",
			replies:  []reply{{status: 204}},
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteTask(ctx, "t1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "DELETE", "/tasks/t1") },
			check:    func(t *testing.T, _ any, err error) { wantOK(t, err) },
		},
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
		{
			name:    "analyze, single response",
			replies: []reply{{status: 200, body: `{"id":"gen1","data":"A train derailed.","finish_reason":"stop","usage":{"output_tokens":5}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyze(ctx, AnalyzeRequest{VideoID: "v1", Prompt: "What happens?", Temperature: ptr(0.3), MaxTokens: 100})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/analyze").jsonBody(t),
					map[string]any{"video_id": "v1", "prompt": "What happens?", "temperature": 0.3, "stream": false, "max_tokens": float64(100)})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "analysis", *got.(*AnalyzeResponse), AnalyzeResponse{"gen1", "A train derailed.", "stop", Usage{OutputTokens: 5}})
			},
		},
		{
			name: "analyze, NDJSON stream",
			replies: []reply{{status: 200, ndjson: true, body: `{"event_type":"stream_start","metadata":{"generation_id":"gen1"}}` + "\n" +
				`{"event_type":"text_generation","text":"A train "}` + "\n" + `{"event_type":"text_generation","text":"derailed."}` + "\n" +
				`{"event_type":"stream_end","finish_reason":"stop","metadata":{"generation_id":"gen1","usage":{"output_tokens":4}}}` + "\n"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				var evs []StreamEvent
				for ev, err := range c.AnalyzeStream(ctx, AnalyzeRequest{VideoID: "v1", Prompt: "What happens?"}) {
					if err != nil {
						return evs, err
					}
					evs = append(evs, ev)
				}
				return evs, nil
			},
			checkReq: func(t *testing.T, ex []exchange) {
				e := oneReq(t, ex, "POST", "/analyze")
				wantEq(t, "body", e.jsonBody(t), map[string]any{"video_id": "v1", "prompt": "What happens?", "stream": true})
				wantEq(t, "accept", e.header.Get("Accept"), "application/x-ndjson, application/json")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "events", got.([]StreamEvent), []StreamEvent{
					{EventType: "stream_start", Metadata: StreamMetadata{GenerationID: "gen1"}},
					{EventType: "text_generation", Text: "A train "}, {EventType: "text_generation", Text: "derailed."},
					{EventType: "stream_end", FinishReason: "stop", Metadata: StreamMetadata{GenerationID: "gen1", Usage: &Usage{OutputTokens: 4}}}})
			},
		},
		{
			name:    "gist",
			replies: []reply{{status: 200, body: `{"id":"g1","title":"Train derails","topics":["rail","accident"],"hashtags":["#train"],"usage":{"output_tokens":12}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Gist(ctx, GistRequest{VideoID: "v1", Types: []string{"title", "topic", "hashtag"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/gist").jsonBody(t), map[string]any{"video_id": "v1", "types": []any{"title", "topic", "hashtag"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "gist", *got.(*Gist), Gist{"g1", "Train derails", []string{"rail", "accident"}, []string{"#train"}, Usage{OutputTokens: 12}})
			},
		},
		{
			name:    "summarize: summary",
			replies: []reply{{status: 200, body: `{"id":"s1","summarize_type":"summary","summary":"A freight train derailed.","usage":{"output_tokens":6}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "summary", Prompt: "Short", Temperature: ptr(0.2)})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/summarize").jsonBody(t), map[string]any{"video_id": "v1", "type": "summary", "prompt": "Short", "temperature": 0.2})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "summary", got.(*Summary).Summary, "A freight train derailed.")
			},
		},
		{
			name: "summarize: chapters with start/end of the description",
			waive: waiver{full: "the seed's shape: no summarize_type, fractional start/end; the full description requires " +
				"summarize_type and keeps start/end as deprecated whole seconds (start_sec/end_sec carry fractions)"},
			replies: []reply{{status: 200, body: `{"id":"s2","chapters":[{"chapter_number":1,"start":0,"end":42.5,"chapter_title":"Intro","chapter_summary":"Anchors open."}]}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "chapter"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				s := got.(*Summary)
				wantEq(t, "type", s.SummarizeType, "chapter")
				wantEq(t, "chapters", s.Chapters, []Chapter{{1, 0, 42.5, "Intro", "Anchors open."}})
			},
		},
		{
			name: "summarize: chapters in the full description's shape",
			replies: []reply{{status: 200, body: `{"id":"s4","summarize_type":"chapter","chapters":[{"chapter_number":1,"start":0,"end":42,` +
				`"start_sec":0.5,"end_sec":42.75,"chapter_title":"Intro","chapter_summary":"Anchors open."}],"usage":{"output_tokens":9}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "chapter"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				// start_sec/end_sec win over the deprecated whole seconds.
				wantEq(t, "chapters", got.(*Summary).Chapters, []Chapter{{1, 0.5, 42.75, "Intro", "Anchors open."}})
			},
		},
		{
			name:    "summarize: highlights with start_sec/end_sec",
			replies: []reply{{status: 200, body: `{"id":"s3","summarize_type":"highlight","highlights":[{"start_sec":12,"end_sec":20.5,"highlight":"Derailment","highlight_summary":"Cars off the track."}]}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "highlight"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "highlights", got.(*Summary).Highlights, []Highlight{{12, 20.5, "Derailment", "Cars off the track."}})
			},
		},
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
		{
			name: "429 with an empty body and X-Ratelimit headers",
			waive: waiver{seed: "WIRE-NOTES: a 429 may have an empty body; X-Ratelimit-* headers",
				full: "WIRE-NOTES: a 429 may have an empty body on any operation; the full description declares that " +
					"for /analyze only, and no 429 for GET /indexes/{id}"},
			replies: []reply{{status: 429, header: map[string]string{"X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "0",
				"X-Ratelimit-Used": "50", "X-Ratelimit-Reset": "4102444800"}}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetIndex(ctx, "ix1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes/ix1") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrRateLimited) {
					t.Fatalf("error %v is not ErrRateLimited", err)
				}
				var ae *APIError
				errors.As(err, &ae)
				wantEq(t, "rate limit", ae.RateLimit, RateLimit{Limit: 50, Remaining: 0, Used: 50, Reset: time.Unix(4102444800, 0)})
				if ae.RetryAfter <= 0 {
					t.Errorf("RetryAfter = %v, want the time until X-Ratelimit-Reset", ae.RetryAfter)
				}
			},
		},
		{
			name:     "404 resource_not_exist",
			replies:  []reply{{status: 404, body: `{"code":"resource_not_exist","message":"The index ix9 does not exist.","docs_url":"https://docs.twelvelabs.io/errors"}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetIndex(ctx, "ix9") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes/ix9") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrRateLimited) {
					t.Fatalf("error %v: want ErrNotFound only", err)
				}
				var ae *APIError
				errors.As(err, &ae)
				wantEq(t, "docs", ae.DocsURL, "https://docs.twelvelabs.io/errors")
			},
		},
		{
			name:     "401 echoing the key never shows it",
			replies:  []reply{{status: 401, body: `{"code":"api_key_invalid","message":"The API key ` + testKey + ` is invalid."}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.ListIndexes(ctx, ListIndexesParams{}) },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrInvalidAPIKey) {
					t.Fatalf("error %v is not ErrInvalidAPIKey", err)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error message leaks the API key: %v", err)
				}
			},
		},
		{
			name: "502 with an HTML body, not retried once retries are spent",
			waive: waiver{seed: "WIRE-NOTES: error bodies may be empty or not JSON (proxies)",
				full: "WIRE-NOTES: error bodies may be empty or not JSON (proxies)"},
			replies:  []reply{{status: 502, rawBody: true, body: "<html><body>Bad gateway</body></html>"}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetTask(ctx, "t1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/tasks/t1") },
			check: func(t *testing.T, _ any, err error) {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				wantEq(t, "message", ae.Message, "<html><body>Bad gateway</body></html>")
			},
		},
	}
	ops := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.t = t
			srv.queue(tc.waive, tc.partAlias, tc.replies...)
			c := srv.client(WithMaxRetries(0))
			ctx, cancel := context.WithTimeout(context.Background(), testwait.Bound(t))
			defer cancel()
			got, err := tc.call(ctx, c)
			ex := srv.exchanges()
			tc.checkReq(t, ex)
			tc.check(t, got, err)
			srv.checkWaivers(t)
			for _, e := range ex {
				ops[e.method+" "+e.path] = true
			}
		})
	}
	srv.t = t
	// Every operation of the seed was exercised, and every one of the 22
	// of the full description.
	both := specs(t)
	var missing []string
	for path, item := range both[0].Doc.Paths.Map() {
		for method := range item.Operations() {
			re := "^" + strings.NewReplacer("{index_id}", "[^/]+", "{video_id}", "[^/]+", "{task_id}", "[^/]+", "{page_token}", "[^/]+").Replace(path) + "$"
			found := false
			for op := range ops {
				m, p, _ := strings.Cut(op, " ")
				if m == method && matchRe(re, p) {
					found = true
				}
			}
			if !found {
				missing = append(missing, method+" "+path)
			}
		}
	}
	covered := map[string]bool{}
	for op := range ops {
		m, p, _ := strings.Cut(op, " ")
		req, _ := http.NewRequest(m, "https://api.twelvelabs.io/v1.3"+p, nil)
		if route, _, err := both[1].Router.FindRoute(req); err == nil {
			covered[route.Operation.OperationID] = true
		}
	}
	for _, id := range apispec.ProductOperations {
		if !covered[id] {
			missing = append(missing, "full description's "+id)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("operations not covered: %v", missing)
	}
}
