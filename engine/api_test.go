package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"glimpse/engine"
	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

type index struct {
	ID            string  `json:"_id"`
	IndexName     string  `json:"index_name"`
	VideoCount    int     `json:"video_count"`
	TotalDuration float64 `json:"total_duration"`
	Addons        []string
	Models        []struct {
		ModelName    string   `json:"model_name"`
		ModelOptions []string `json:"model_options"`
	} `json:"models"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type pageInfo struct {
	Page         int `json:"page"`
	LimitPerPage int `json:"limit_per_page"`
	TotalPage    int `json:"total_page"`
	TotalResults int `json:"total_results"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func TestIndexes(t *testing.T) {
	e := startEngine(t, engine.Config{})
	ids := []string{e.createIndex(t, "alpha", "thumbnail"), e.createIndex(t, "beta"), e.createIndex(t, "gamma")}

	var ix index
	if code, b := e.call(t, "GET", "/indexes/"+ids[0], nil, &ix); code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	if !hexID.MatchString(ix.ID) || ix.IndexName != "alpha" || !rfc3339.MatchString(ix.CreatedAt) ||
		len(ix.Models) != 1 || ix.Models[0].ModelName != "marengo2.7" || !slices.Equal(ix.Addons, []string{"thumbnail"}) {
		t.Errorf("index %+v", ix)
	}

	// Pages, newest first by default; past the end is an empty 200.
	var page struct {
		Data     []index  `json:"data"`
		PageInfo pageInfo `json:"page_info"`
	}
	for _, c := range []struct {
		query string
		names []string
		info  pageInfo
	}{
		{"?page_limit=2", []string{"gamma", "beta"}, pageInfo{1, 2, 2, 3}},
		{"?page_limit=2&page=2", []string{"alpha"}, pageInfo{2, 2, 2, 3}},
		{"?page_limit=2&page=3", nil, pageInfo{3, 2, 2, 3}},
		// A page so far out that page*limit overflows is still past the end.
		{"?page_limit=2&page=9223372036854775807", nil, pageInfo{9223372036854775807, 2, 2, 3}},
		{"?sort_option=asc", []string{"alpha", "beta", "gamma"}, pageInfo{1, 10, 1, 3}},
		{"?index_name=beta", []string{"beta"}, pageInfo{1, 10, 1, 1}},
	} {
		page.Data = nil
		code, b := e.call(t, "GET", "/indexes"+c.query, nil, &page)
		var names []string
		for _, d := range page.Data {
			names = append(names, d.IndexName)
		}
		if code != 200 || !slices.Equal(names, c.names) || page.PageInfo != c.info || !strings.Contains(string(b), `"data":[`) {
			t.Errorf("%s: %d %v %+v (%s)", c.query, code, names, page.PageInfo, b)
		}
	}

	// Update and delete answer 204 with no body.
	if code, b := e.call(t, "PUT", "/indexes/"+ids[1], map[string]string{"index_name": "beta2"}, nil); code != 204 || len(b) != 0 {
		t.Errorf("rename: %d %s", code, b)
	}
	e.call(t, "GET", "/indexes/"+ids[1], nil, &ix)
	if ix.IndexName != "beta2" {
		t.Errorf("renamed index is %q", ix.IndexName)
	}
	if code, _ := e.call(t, "DELETE", "/indexes/"+ids[2], nil, nil); code != 204 {
		t.Errorf("delete: %d", code)
	}

	// Errors carry the live codes.
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"GET", "/indexes/" + ids[2], nil, 404, "resource_not_exist"},
		{"DELETE", "/indexes/" + ids[2], nil, 404, "resource_not_exist"},
		{"POST", "/indexes", map[string]any{"models": []any{}}, 400, "parameter_not_provided"},
		{"POST", "/indexes", map[string]any{"index_name": "x"}, 400, "parameter_not_provided"},
		{"POST", "/indexes", map[string]any{"index_name": "x", "models": []any{map[string]any{"model_name": "gpt", "model_options": []string{"visual"}}}}, 400, "parameter_invalid"},
		{"POST", "/indexes", map[string]any{"index_name": "x", "models": []any{map[string]any{"model_name": "marengo3.0", "model_options": []string{"smell"}}}}, 400, "parameter_invalid"},
		{"POST", "/indexes", map[string]any{"index_name": "x", "engine_id": "marengo", "models": []any{map[string]any{"model_name": "marengo3.0", "model_options": []string{"visual"}}}}, 400, "parameter_unknown"},
		{"POST", "/indexes", map[string]any{"index_name": "x", "models": []any{map[string]any{"model_name": "marengo3.0", "model_option": []string{"visual"}}}}, 400, "parameter_unknown"},
		{"POST", "/indexes", map[string]any{"index_name": "alpha", "models": []any{map[string]any{"model_name": "marengo3.0", "model_options": []string{"visual"}}}}, 409, "index_name_already_exists"},
		{"PUT", "/indexes/" + ids[0], map[string]any{"index_name": "beta2"}, 409, "index_name_already_exists"},
		{"GET", "/indexes?page_limit=51", nil, 400, "parameter_invalid"},
		{"GET", "/indexes?page=0", nil, 400, "parameter_invalid"},
		{"GET", "/indexes?sort_by=name", nil, 400, "parameter_invalid"},
		{"GET", "/nothing-here", nil, 404, "resource_not_exist"},
	} {
		var ae apiError
		code, b := e.call(t, c.method, c.path, c.body, &ae)
		if code != c.status || ae.Code != c.code || ae.Message == "" {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, code, b, c.status, c.code)
		}
	}

	// A wrong key is 401 api_key_invalid, and the key is not echoed.
	e.key = "wrong-key-123"
	var ae apiError
	code, b := e.call(t, "GET", "/indexes", nil, &ae)
	if code != 401 || ae.Code != "api_key_invalid" || strings.Contains(string(b), "wrong-key-123") {
		t.Errorf("wrong key: %d %s", code, b)
	}
}

type video struct {
	ID             string `json:"_id"`
	CreatedAt      string `json:"created_at"`
	IndexedAt      string `json:"indexed_at"`
	SystemMetadata struct {
		Filename   string  `json:"filename"`
		Duration   float64 `json:"duration"`
		FPS        float64 `json:"fps"`
		Width      int     `json:"width"`
		Height     int     `json:"height"`
		Size       int64   `json:"size"`
		VideoTitle string  `json:"video_title"`
	} `json:"system_metadata"`
	UserMetadata map[string]any `json:"user_metadata"`
	HLS          *struct {
		VideoURL      string   `json:"video_url"`
		ThumbnailURLs []string `json:"thumbnail_urls"`
		Status        string   `json:"status"`
	} `json:"hls"`
	Transcription []pipeline.Span `json:"transcription"`
}

// TestVideosAndTasks walks a video through its life: stages and listeners,
// retrieve, update both ways, transcription, lists, deletes that remove files.
func TestVideosAndTasks(t *testing.T) {
	listener := &recordingListener{}
	e := startEngine(t, engine.Config{Parts: fixedParts(engine.Parts{Stages: []pipeline.Stage{transcriptStage{}}, Listeners: []pipeline.Listener{listener}})})
	ixID := e.createIndex(t, "life")
	code, out := e.upload(t, map[string]string{"index_id": ixID, "user_metadata": `{"topic":"test","rank":3}`}, fixture(t, "good.mp4"))
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	tk := e.waitTask(t, out["_id"].(string))
	if tk.Status != "ready" {
		t.Fatalf("task %+v", tk)
	}
	vid, vpath := tk.VideoID, "/indexes/"+ixID+"/videos/"+tk.VideoID

	var v video
	if code, b := e.call(t, "GET", vpath, nil, &v); code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	st, _ := os.Stat(fixture(t, "good.mp4"))
	sm := v.SystemMetadata
	if v.ID != vid || sm.Filename != "good.mp4" || sm.Width != 640 || sm.Height != 360 || sm.FPS != 25 || sm.Size != st.Size() ||
		sm.Duration < 4.9 || sm.VideoTitle != "good" || !rfc3339.MatchString(v.IndexedAt) || v.UserMetadata["topic"] != "test" ||
		v.HLS == nil || v.HLS.Status != "COMPLETE" || v.Transcription != nil {
		t.Errorf("video %+v", v)
	}

	// The player loads media by the signed link the API handed out; the
	// bare path, or the link of another video, is refused.
	playlist := v.HLS.VideoURL
	signed := playlist[:strings.Index(playlist, "/hls/")] // .../media/{id}/{token}
	token := signed[strings.LastIndex(signed, "/")+1:]
	if resp, body := get(t, playlist); resp.StatusCode != 200 || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("signed playlist: %d %.40s", resp.StatusCode, body)
	}
	for _, p := range []string{"/media/" + vid + "/hls/index.m3u8", "/media/" + strings.Repeat("c", 24) + "/" + token + "/hls/index.m3u8", "/media/" + vid + "/0~x/hls/index.m3u8"} {
		if resp, _ := get(t, e.srv.URL+p); resp.StatusCode != 403 {
			t.Errorf("%s: %d, want 403", p, resp.StatusCode)
		}
	}

	_, raw := e.call(t, "GET", vpath+"?transcription=true", nil, &v)
	if len(v.Transcription) != 5 || v.Transcription[2].Start != 2 || v.Transcription[2].Text != "second 2" {
		t.Errorf("transcription %+v", v.Transcription)
	}
	// Items are {start, end, value} on the wire: the word confidences stay inside.
	if bytes.Contains(raw, []byte(`"conf"`)) {
		t.Errorf("transcription carries the engine's word confidences: %s", raw)
	}

	// PATCH merges, null deletes; PUT sets the title.
	if code, _ := e.call(t, "PATCH", vpath, map[string]any{"user_metadata": map[string]any{"rank": nil, "lang": "en"}}, nil); code != 204 {
		t.Errorf("patch: %d", code)
	}
	if code, _ := e.call(t, "PUT", vpath, map[string]any{"video_title": "Test pattern"}, nil); code != 204 {
		t.Errorf("put: %d", code)
	}
	v = video{}
	e.call(t, "GET", vpath, nil, &v)
	if v.SystemMetadata.VideoTitle != "Test pattern" || v.UserMetadata["lang"] != "en" || v.UserMetadata["topic"] != "test" || v.UserMetadata["rank"] != nil {
		t.Errorf("after updates: %+v", v)
	}
	var ae apiError
	if code, _ := e.call(t, "PATCH", vpath, map[string]any{"user_metadata": map[string]any{"nested": map[string]any{}}}, &ae); code != 400 || ae.Code != "parameter_invalid" {
		t.Errorf("nested metadata: %d %v", code, ae)
	}

	// Lists: the video list carries no hls; the task list filters.
	var vl struct {
		Data     []map[string]any `json:"data"`
		PageInfo pageInfo         `json:"page_info"`
	}
	e.call(t, "GET", "/indexes/"+ixID+"/videos", nil, &vl)
	if len(vl.Data) != 1 || vl.Data[0]["hls"] != nil || vl.PageInfo.TotalResults != 1 {
		t.Errorf("videos %+v", vl)
	}
	for q, want := range map[string]int{"?filename=good.mp4": 1, "?filename=other.mp4": 0} {
		vl.Data = nil
		e.call(t, "GET", "/indexes/"+ixID+"/videos"+q, nil, &vl)
		if len(vl.Data) != want {
			t.Errorf("videos%s: %d, want %d", q, len(vl.Data), want)
		}
	}
	var ix index
	e.call(t, "GET", "/indexes/"+ixID, nil, &ix)
	if ix.VideoCount != 1 || ix.TotalDuration < 4.9 {
		t.Errorf("index totals %+v", ix)
	}
	for q, want := range map[string]int{"?index_id=" + ixID: 1, "?status=ready": 1, "?status=failed,queued": 0, "?index_id=" + strings.Repeat("0", 24): 0} {
		var tl struct{ Data []task }
		e.call(t, "GET", "/tasks"+q, nil, &tl)
		if len(tl.Data) != want {
			t.Errorf("tasks%s: %d, want %d", q, len(tl.Data), want)
		}
	}

	// Task creation errors.
	for _, c := range []struct {
		fields map[string]string
		file   string
		status int
		code   string
	}{
		{map[string]string{}, fixture(t, "good.mp4"), 400, "parameter_not_provided"},
		{map[string]string{"index_id": ixID}, "", 400, "parameter_not_provided"},
		{map[string]string{"index_id": strings.Repeat("a", 24)}, fixture(t, "good.mp4"), 404, "resource_not_exist"},
		{map[string]string{"index_id": ixID, "video_url": "http://example.com/a.mp4"}, fixture(t, "good.mp4"), 400, "parameter_invalid"},
		{map[string]string{"index_id": ixID, "enable_video_stream": "maybe"}, fixture(t, "good.mp4"), 400, "parameter_invalid"},
		{map[string]string{"index_id": ixID, "user_metadata": "[1]"}, fixture(t, "good.mp4"), 400, "parameter_invalid"},
	} {
		code, out := e.upload(t, c.fields, c.file)
		if code != c.status || out["code"] != c.code {
			t.Errorf("%v: %d %v, want %d %s", c.fields, code, out, c.status, c.code)
		}
	}

	// The catalog that search and generation read sees the ready video.
	ctx := t.Context()
	ready, err := e.Catalog().ReadyVideos(ctx)
	if err != nil || len(ready) != 1 || ready[0].VideoID != vid || ready[0].Dir != filepath.Join(e.dataDir, "videos", vid) || ready[0].Title != "Test pattern" {
		t.Errorf("ReadyVideos: %v %+v", err, ready)
	}
	if m, err := e.Catalog().FindVideo(ctx, vid); err != nil || !m.Ready || m.IndexID != ixID || m.UserMetadata["lang"] != "en" {
		t.Errorf("FindVideo: %v %+v", err, m)
	}
	var we *wire.Error
	if _, err := e.Catalog().FindVideo(ctx, strings.Repeat("b", 24)); !errors.As(err, &we) || we.Status != 404 {
		t.Errorf("FindVideo of a missing video: %v", err)
	}
	if models, err := e.Catalog().IndexModels(ctx, ixID); len(models) != 1 || models[0] != "marengo2.7" || err != nil {
		t.Errorf("IndexModels: %v %v", models, err)
	}
	if _, err := e.Catalog().IndexModels(ctx, strings.Repeat("b", 24)); !errors.As(err, &we) || we.Status != 404 {
		t.Errorf("IndexModels of a missing index: %v", err)
	}

	// Deleting the video removes its files and tells the listeners.
	dir := filepath.Join(e.dataDir, "videos", vid)
	if _, err := os.Stat(filepath.Join(dir, "hls", "index.m3u8")); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.call(t, "DELETE", vpath, nil, nil); code != 204 {
		t.Errorf("delete video: %d", code)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("video folder still there: %v", err)
	}
	if code, _ := e.call(t, "GET", vpath, nil, nil); code != 404 {
		t.Errorf("deleted video: %d", code)
	}
	// Its task stays until it is deleted (the documented order).
	if code, b := e.call(t, "GET", "/tasks/"+tk.ID, nil, nil); code != 200 {
		t.Errorf("task of deleted video: %d %s", code, b)
	}
	resp, _ := get(t, playlist)
	if resp.StatusCode != 404 {
		t.Errorf("media of deleted video: %d", resp.StatusCode)
	}

	// Deleting a video and then its task, and an index, removes theirs too.
	_, out = e.upload(t, map[string]string{"index_id": ixID}, fixture(t, "good.mp4"))
	tk2 := e.waitTask(t, out["_id"].(string))
	for _, p := range []string{"/indexes/" + ixID + "/videos/" + tk2.VideoID, "/tasks/" + tk2.ID} {
		if code, b := e.call(t, "DELETE", p, nil, nil); code != 204 {
			t.Errorf("delete %s: %d %s", p, code, b)
		}
	}
	_, out = e.upload(t, map[string]string{"index_id": ixID}, fixture(t, "good.mp4"))
	tk3 := e.waitTask(t, out["_id"].(string))
	if code, _ := e.call(t, "DELETE", "/indexes/"+ixID, nil, nil); code != 204 {
		t.Errorf("delete index: %d", code)
	}
	for _, id := range []string{tk2.VideoID, tk3.VideoID} {
		if _, err := os.Stat(filepath.Join(e.dataDir, "videos", id)); !os.IsNotExist(err) {
			t.Errorf("folder of %s still there", id)
		}
	}
	listener.mu.Lock()
	events := strings.Join(listener.events, "\n")
	listener.mu.Unlock()
	for _, want := range []string{"ready " + vid, "deleted " + ixID + "/" + vid, "deleted " + ixID + "/" + tk2.VideoID, "index deleted " + ixID} {
		mustContain(t, events, want)
	}

	// Media paths outside the served folders are not served.
	for _, p := range []string{signed + "/source.mp4", e.srv.URL + "/media/../engine.db", signed + "/hls/../../x.m3u8"} {
		if resp, _ := get(t, p); resp.StatusCode != 404 && resp.StatusCode != 403 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// TestTaskFormLimits: the small fields of POST /tasks are held in memory,
// so both each one and all of them together are bounded.
func TestTaskFormLimits(t *testing.T) {
	e := startEngine(t, engine.Config{})
	index := e.createIndex(t, "form-limits")
	many := map[string]string{"index_id": index}
	for i := range 40 {
		many[fmt.Sprintf("extra_%02d", i)] = strings.Repeat("x", 60<<10)
	}
	for _, c := range []struct {
		name   string
		fields map[string]string
		code   string
	}{
		{"one field too long", map[string]string{"index_id": index, "user_metadata": strings.Repeat("x", 65<<10)}, "parameter_invalid"},
		{"many fields, 2.4 MB in all", many, "parameter_invalid"},
	} {
		status, out := e.upload(t, c.fields, "")
		if status != 400 || out["code"] != c.code {
			t.Errorf("%s: %d %v, want 400 %s", c.name, status, out["code"], c.code)
		}
	}
}
