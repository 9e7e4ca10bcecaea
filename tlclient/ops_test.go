package tlclient

import (
	"context"
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
	// The cases, one file per part of the API (ops_*_test.go).
	cases := slices.Concat(indexOpCases(), videoOpCases(), taskOpCases(),
		searchOpCases(imgPath), generateOpCases(), embedOpCases(imgPath), errorOpCases())
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
