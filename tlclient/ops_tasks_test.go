package tlclient

import (
	"context"
	"strings"
	"testing"
)

// taskOpCases are the cases of TestOperationsAgainstDescription for indexing task operations: list, create (reader, URL), retrieve, delete.
func taskOpCases() []opCase {
	return []opCase{
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
	}
}
