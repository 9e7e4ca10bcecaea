package handlers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"glimpse/tlclient"
)

// fakeMarengo stands in for the TwelveLabs cloud's search and video
// endpoints. Each request's fields are checked against the API description
// (api/twelvelabs-openapi.yml) and each JSON answer against both that and
// TwelveLabs' full description, so the fake can't drift from the real API.
type fakeMarengo struct {
	t     *testing.T
	seed  *openapi3.T
	full  *openapi3.T
	srv   *httptest.Server
	mu    sync.Mutex
	clips []fakeClip
	// videos by id; a video without an hls block has no stream.
	videos map[string]map[string]any
	// rank answers like marengo3.0: rank instead of score and confidence.
	rank bool
	// why gives clips (by "video@start") the local engine's extension
	// field x_glimpse_match; the cloud sends none.
	why map[string][]map[string]any
	// failSearch answers POST /search with this status and code.
	failSearch     int
	failSearchCode string
	// expireTokens answers GET /search/{token} with search_page_token_expired.
	expireTokens bool
	// requests records every search form received.
	searches []url.Values
	images   [][]byte
	patches  []map[string]any
	// mediaBase is where the fake says media lives; tests never fetch it.
	mediaBase string
}

type fakeClip struct {
	VideoID    string
	Start, End float64
	Score      float64
	Confidence string
}

const fakeIndexID = "6650a1b2c3d4e5f6a7b8c9d0"

func newFakeMarengo(t *testing.T) *fakeMarengo {
	t.Helper()
	root := searchTestRoot()
	load := func(name string) *openapi3.T {
		doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(root, "api", name))
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		return doc
	}
	f := &fakeMarengo{t: t, mediaBase: "https://media.example.test/", seed: load("twelvelabs-openapi.yml"), full: loadFullSchemas(t, filepath.Join(root, "api", "twelvelabs-openapi-1.3-full.yaml"))}
	f.videos = map[string]map[string]any{}
	f.addVideo("v1", "Derailment report.mp4", 160, true)
	f.addVideo("v2", "Anchors.mp4", 95, true)
	f.addVideo("v3", "Drone footage.mp4", 60, true)
	// Clips in the order a search ranks them.
	f.clips = []fakeClip{
		{"v1", 12, 18.5, 83.41, "high"},
		{"v2", 40, 46, 80.2, "high"},
		{"v1", 75, 80, 77.9, "medium"},
		{"v3", 3, 9, 70.1, "medium"},
		{"v1", 120, 126, 61.3, "low"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.3/search", f.search)
	mux.HandleFunc("GET /v1.3/search/{token}", f.searchPage)
	mux.HandleFunc("GET /v1.3/indexes", f.listIndexes)
	mux.HandleFunc("GET /v1.3/indexes/{index}/videos/{video}", f.getVideo)
	mux.HandleFunc("PATCH /v1.3/indexes/{index}/videos/{video}", f.patchVideo)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func searchTestRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func (f *fakeMarengo) addVideo(id, filename string, duration float64, stream bool) {
	v := map[string]any{
		"_id":        id,
		"created_at": "2026-11-30T04:00:00Z",
		"updated_at": "2026-11-30T04:00:00Z",
		"indexed_at": "2026-11-30T04:01:00Z",
		"system_metadata": map[string]any{
			"filename": filename, "duration": duration, "fps": 25, "width": 640, "height": 360, "size": 21_500_000,
		},
		"user_metadata": map[string]any{"topic": "news", "batch": 5},
	}
	if stream {
		v["hls"] = map[string]any{
			"video_url":      f.mediaURL(id + "/stream.m3u8"),
			"thumbnail_urls": []string{f.mediaURL(id + "/poster.jpg")},
			"status":         "COMPLETE",
			"updated_at":     "2026-11-30T04:01:00Z",
		}
	}
	f.videos[id] = v
}

func (f *fakeMarengo) mediaURL(rel string) string { return f.mediaBase + rel }

func (f *fakeMarengo) client() *tlclient.Client {
	return tlclient.New("test-key", tlclient.WithBaseURL(f.srv.URL+"/v1.3"), tlclient.WithMaxRetries(0))
}

func (f *fakeMarengo) writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

func (f *fakeMarengo) search(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		f.t.Errorf("search request is not multipart: %v", err)
		f.writeError(w, 400, "parameter_invalid", "not multipart")
		return
	}
	form := url.Values(r.MultipartForm.Value)
	var image []byte
	if fh := r.MultipartForm.File["query_media_file"]; len(fh) > 0 {
		file, _ := fh[0].Open()
		image, _ = io.ReadAll(file)
		file.Close()
	}
	f.checkRequest(form, image != nil)
	f.mu.Lock()
	f.searches = append(f.searches, form)
	if image != nil {
		f.images = append(f.images, image)
	}
	fail, failCode := f.failSearch, f.failSearchCode
	f.mu.Unlock()
	if fail != 0 {
		f.writeError(w, fail, failCode, "The search service is unavailable.")
		return
	}
	if form.Get("index_id") != fakeIndexID {
		f.writeError(w, 404, "resource_not_exist", "The index does not exist.")
		return
	}
	limit, _ := strconv.Atoi(form.Get("page_limit"))
	if limit == 0 {
		limit = 10
	}
	matches := f.clips
	if form.Get("query_text") == "nothing like this" {
		matches = nil
	}
	f.answerPage(w, matches, form.Get("group_by"), 0, limit)
}

// searchPage serves tokens of the form "<offset>.<limit>.<group_by>".
func (f *fakeMarengo) searchPage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	expired := f.expireTokens
	f.mu.Unlock()
	if expired {
		// The search-page endpoint's errors have their own shape (WIRE-NOTES).
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error_code": codePageExpired, "message": "The page token has expired."})
		return
	}
	parts := strings.Split(r.PathValue("token"), ".")
	if len(parts) != 3 {
		f.writeError(w, 400, "parameter_invalid", "bad token")
		return
	}
	offset, _ := strconv.Atoi(parts[0])
	limit, _ := strconv.Atoi(parts[1])
	f.answerPage(w, f.clips, parts[2], offset, limit)
}

func (f *fakeMarengo) answerPage(w http.ResponseWriter, matches []fakeClip, groupBy string, offset, limit int) {
	var items []map[string]any
	if groupBy == "video" {
		var order []string
		for _, c := range matches {
			if !slices.Contains(order, c.VideoID) {
				order = append(order, c.VideoID)
			}
		}
		for _, id := range order {
			var clips []map[string]any
			for _, c := range matches {
				if c.VideoID == id {
					clips = append(clips, f.item(c))
				}
			}
			items = append(items, map[string]any{"id": id, "clips": clips})
		}
	} else {
		for _, c := range matches {
			items = append(items, f.item(c))
		}
	}
	total := len(items)
	end := min(offset+limit, total)
	pageInfo := map[string]any{
		"limit_per_page":  limit,
		"total_results":   total,
		"page_expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	}
	if end < total {
		pageInfo["next_page_token"] = fmt.Sprintf("%d.%d.%s", end, limit, groupBy)
	}
	data := []map[string]any{}
	if offset < total {
		data = items[offset:end]
	}
	out := map[string]any{
		"search_pool": map[string]any{"total_count": len(f.videos), "total_duration": 315, "index_id": fakeIndexID},
		"data":        data,
		"page_info":   pageInfo,
	}
	f.conform("/search", "SearchResults", http.MethodPost, out)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (f *fakeMarengo) item(c fakeClip) map[string]any {
	it := map[string]any{
		"video_id":      c.VideoID,
		"start":         c.Start,
		"end":           c.End,
		"thumbnail_url": f.mediaURL(fmt.Sprintf("%s/clip-%g.jpg", c.VideoID, c.Start)),
	}
	if m, ok := f.why[fmt.Sprintf("%s@%g", c.VideoID, c.Start)]; ok {
		it["x_glimpse_match"] = m
	}
	if f.rank {
		it["rank"] = slices.Index(f.clips, c) + 1
	} else {
		it["score"] = c.Score
		it["confidence"] = c.Confidence
	}
	return it
}

func (f *fakeMarengo) listIndexes(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{
		"data": []map[string]any{{
			"_id": fakeIndexID, "index_name": "Newsroom", "video_count": len(f.videos), "total_duration": 315,
			"models":     []map[string]any{{"model_name": "marengo2.7", "model_options": []string{"visual", "audio"}}},
			"created_at": "2026-11-30T04:00:00Z", "updated_at": "2026-11-30T04:00:00Z",
		}},
		"page_info": map[string]any{"limit_per_page": 50, "total_results": 1, "page": 1, "total_page": 1},
	}
	f.conform("/indexes", "", http.MethodGet, out)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (f *fakeMarengo) getVideo(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	v, ok := f.videos[r.PathValue("video")]
	var out []byte
	if ok {
		out, _ = json.Marshal(v)
	}
	f.mu.Unlock()
	if !ok || r.PathValue("index") != fakeIndexID {
		f.writeError(w, 404, "resource_not_exist", "The video does not exist.")
		return
	}
	var doc any
	json.Unmarshal(out, &doc)
	f.conform("/indexes/{index_id}/videos/{video_id}", "", http.MethodGet, doc)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

func (f *fakeMarengo) patchVideo(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("PATCH body is not JSON: %v", err)
	}
	md, ok := body["user_metadata"].(map[string]any)
	if !ok || len(body) != 1 {
		f.t.Errorf("PATCH body = %v, want only {user_metadata: {...}}", body)
		f.writeError(w, 400, "parameter_invalid", "user_metadata")
		return
	}
	f.mu.Lock()
	f.patches = append(f.patches, md)
	v := f.videos[r.PathValue("video")]
	cur, _ := v["user_metadata"].(map[string]any)
	next := map[string]any{}
	for k, val := range cur {
		next[k] = val
	}
	for k, val := range md {
		if val == nil {
			delete(next, k)
		} else {
			next[k] = val
		}
	}
	v["user_metadata"] = next
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeMarengo) lastSearch(t *testing.T) url.Values {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.searches) == 0 {
		t.Fatal("the API was never searched")
	}
	return f.searches[len(f.searches)-1]
}

func (f *fakeMarengo) searchCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.searches)
}

// Quiet gin's route listing in test output.
func init() { gin.SetMode(gin.TestMode) }
