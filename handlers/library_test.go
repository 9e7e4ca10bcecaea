package handlers_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"glimpse/internal/testwait"
)

func TestHealthz(t *testing.T) {
	resp, err := http.Get(app.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
}

func TestEveryPageNamesTheBackend(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Backend label")
	for _, path := range []string{"/", "/indexes/" + ix, "/tasks", "/settings"} {
		doc, status := b.get(path)
		if status != 200 {
			t.Errorf("%s: status %d", path, status)
		}
		if got := text(doc, "[data-testid=backend]"); got != "Local engine" {
			t.Errorf("%s: backend %q", path, got)
		}
	}
}

func TestCSRFIsRequiredForChanges(t *testing.T) {
	b := newBrowser(t)
	b.get("/")
	other := newBrowser(t)
	other.get("/")
	tests := []struct {
		name   string
		token  string
		header bool
		want   int
	}{
		{"no token", "", false, http.StatusForbidden},
		{"another session's token", other.csrf, false, http.StatusForbidden},
		{"wrong header", "0000", true, http.StatusForbidden},
		{"form token", b.csrf, false, http.StatusOK},
		{"header token", b.csrf, true, http.StatusOK},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"name": {"csrf " + tc.name}, "marengo": {"visual"}}
			if !tc.header && tc.token != "" {
				form.Set("csrf_token", tc.token)
			}
			req, _ := http.NewRequest("POST", app.URL+"/indexes", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header {
				req.Header.Set("X-CSRF-Token", tc.token)
			}
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("case %d: status %d, want %d", i, resp.StatusCode, tc.want)
			}
		})
	}
}

func TestIndexLifecycle(t *testing.T) {
	b := newBrowser(t)
	id := b.createIndex("Holiday clips")

	doc, _ := b.get("/")
	row := doc.Find(`[data-testid=index-row][data-index-id="` + id + `"]`)
	if got := strings.TrimSpace(row.Find("[data-testid=index-name]").Text()); got != "Holiday clips" {
		t.Fatalf("index row name %q", got)
	}
	// Creating it made it the current index.
	if row.Find("[data-testid=current-index]").Length() != 1 {
		t.Error("new index is not the current one")
	}
	if !strings.Contains(row.Text(), "marengo3.0: visual, audio") || !strings.Contains(row.Text(), "thumbnails") {
		t.Errorf("models not shown: %q", row.Text())
	}

	doc, _ = b.post("/indexes/"+id+"/rename", url.Values{"name": {"Summer clips"}})
	if got := text(doc, `[data-index-id="`+id+`"] [data-testid=index-name]`); got != "Summer clips" {
		t.Errorf("after rename: %q", got)
	}
	if !strings.Contains(text(doc, "#flash"), "renamed") {
		t.Errorf("no flash after rename: %q", text(doc, "#flash"))
	}

	other := b.createIndex("Other")
	doc, _ = b.post("/indexes/"+id+"/select", nil)
	if doc.Find(`[data-index-id="`+id+`"] [data-testid=current-index]`).Length() != 1 ||
		doc.Find(`[data-index-id="`+other+`"] [data-testid=current-index]`).Length() != 0 {
		t.Error("select did not move the current index")
	}

	doc, status := b.get("/indexes/" + id + "/delete")
	if status != 200 || doc.Find("[data-testid=confirm] form").AttrOr("action", "") != "/indexes/"+id+"/delete" {
		t.Fatalf("no confirmation page (%d)", status)
	}
	// Nothing is deleted by looking at the confirmation.
	if doc, _ := b.get("/"); doc.Find(`[data-index-id="`+id+`"]`).Length() != 1 {
		t.Fatal("index gone before confirming")
	}
	doc, _ = b.post("/indexes/"+id+"/delete", nil)
	if doc.Find(`[data-index-id="`+id+`"]`).Length() != 0 {
		t.Error("index still listed after delete")
	}
	if _, status := b.get("/indexes/" + id); status != http.StatusNotFound {
		t.Errorf("deleted index page: %d", status)
	}
}

func TestCreateIndexRejectsBadInput(t *testing.T) {
	b := newBrowser(t)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {"  "}, "marengo": {"visual"}}, "Give the index a name."},
		{"long name", url.Values{"name": {strings.Repeat("x", 101)}, "marengo": {"visual"}}, "too long"},
		{"no model", url.Values{"name": {"x"}}, "Pick at least one model option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, status := b.post("/indexes", tc.form)
			if status != http.StatusBadRequest {
				t.Errorf("status %d", status)
			}
			if got := text(doc, "[data-testid=error-message]"); !strings.Contains(got, tc.want) {
				t.Errorf("message %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUploadRejectsBadFiles(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Rejects")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	big := bytes.Repeat([]byte{0}, testMaxUpload+1)
	tests := []struct {
		name       string
		file       string
		body       []byte
		size       int64
		wantStatus int
		want       string
	}{
		{"empty", "empty.mp4", nil, 0, http.StatusUnprocessableEntity, "empty.mp4 is empty."},
		{"text named .mp4", "notes.mp4", []byte("just some notes, not a video\n"), 29, http.StatusUnprocessableEntity, "not a video (it looks like text)"},
		{"image", "photo.png", png, int64(len(png)), http.StatusUnprocessableEntity, "not a video (it looks like an image)"},
		{"declared over the limit", "huge.mp4", []byte("x"), testMaxUpload + 1, http.StatusRequestEntityTooLarge, "the limit is 8.0 MB"},
		{"over the limit, size not declared", "huge.mp4", append([]byte("\x00\x00\x00\x18ftypmp42"), big...), -1, http.StatusRequestEntityTooLarge, "larger than the limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, status := b.upload(ix, "c1", tc.file, bytes.NewReader(tc.body), tc.size)
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d", status, tc.wantStatus)
			}
			card := doc.Find("[data-testid=task-card]")
			if card.AttrOr("id", "") != "up-c1" || card.AttrOr("data-status", "") != "rejected" {
				t.Errorf("card %q status %q", card.AttrOr("id", ""), card.AttrOr("data-status", ""))
			}
			if got := text(doc, "[data-testid=task-reason]"); !strings.Contains(got, tc.want) {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
	// None of them became a task.
	doc, _ := b.get("/tasks?index=" + ix)
	if n := doc.Find("[data-testid=task-card]").Length(); n != 0 {
		t.Errorf("%d tasks made from bad files", n)
	}
}

func TestUploadURLBadInput(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("URLs")
	tests := []struct {
		name, url, want string
	}{
		{"not a URL", "not a url", "not a web address"},
		{"ftp", "ftp://example.com/a.mp4", "not a web address"},
		// The engine will not fetch private addresses; the API's reason shows.
		{"unreachable", "http://127.0.0.1:9/clip.mp4", "loopback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", app.URL+"/indexes/"+ix+"/upload-url",
				strings.NewReader(url.Values{"video_url": {tc.url}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", b.token())
			req.Header.Set("HX-Request", "true")
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			doc, status := b.parse(resp)
			if status != 200 {
				t.Errorf("status %d (htmx swaps 2xx only)", status)
			}
			reason := text(doc, "[data-testid=task-reason]")
			if reason == "" {
				// Accepted at first: the task must then fail with a reason.
				id := doc.Find("[data-testid=task-card]").AttrOr("data-task-id", "")
				if id == "" {
					t.Fatalf("neither a reason nor a task: %q", text(doc, "body"))
				}
				reason = waitTaskDone(t, b, id).Find("[data-testid=task-reason]").Text()
			}
			if reason == "" || !strings.Contains(reason, tc.want) {
				t.Errorf("reason %q, want %q", reason, tc.want)
			}
		})
	}
}

// waitTaskDone polls the card fragment until the task is ready or failed.
func waitTaskDone(t *testing.T, b *browser, taskID string) *goquery.Selection {
	t.Helper()
	deadline := time.Now().Add(testwait.Bound(t))
	for time.Now().Before(deadline) {
		doc, status := b.get("/tasks/" + taskID + "/card")
		if status != 200 {
			t.Fatalf("card: %d", status)
		}
		card := doc.Find("[data-testid=task-card]")
		if s := card.AttrOr("data-status", ""); s == "ready" || s == "failed" {
			return card
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("task %s never finished", taskID)
	return nil
}

// TestUploadGoesLiveToReady uploads the clip and follows its card over
// SSE, as the index page does, from the first status to ready; a second
// tab of the same session sees the same events, another session gets 404.
func TestUploadGoesLiveToReady(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Live")
	doc, _ := b.get("/indexes/" + ix)
	stream, ok := doc.Find("[sse-connect]").Attr("sse-connect")
	if !ok {
		t.Fatal("index page has no SSE stream")
	}

	ctx, cancel := context.WithTimeout(t.Context(), testwait.Bound(t))
	defer cancel()
	tab1, _ := b.sse(ctx, stream)
	tab2, _ := b.sse(ctx, stream)
	if _, status := newBrowser(t).sse(ctx, stream); status != http.StatusNotFound {
		t.Errorf("another session opened the stream: %d", status)
	}
	time.Sleep(100 * time.Millisecond) // both tabs attached

	f, err := os.Open(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	doc, status := b.upload(ix, "clip1", "clip.mp4", f, fi.Size())
	if status != 200 {
		t.Fatalf("upload: %d %s", status, text(doc, "[data-testid=task-reason]"))
	}
	card := doc.Find("[data-testid=task-card]")
	taskID := card.AttrOr("data-task-id", "")
	if taskID == "" || card.AttrOr("sse-swap", "") != "task-"+taskID {
		t.Fatalf("answer is not a live task card: %q", text(doc, "body"))
	}

	follow := func(name string, ch <-chan sseEvent) []string {
		var statuses []string
		sawSending, sawNew := false, false
		for ev := range ch {
			if ev.Name == "task-new" && strings.Contains(ev.Data, `data-task-id="`+taskID+`"`) {
				sawNew = true
			}
			if ev.Name == "upload-clip1" && strings.Contains(ev.Data, "Sending to the API") {
				sawSending = true
			}
			if ev.Name != "task-"+taskID {
				continue
			}
			d, _ := goquery.NewDocumentFromReader(strings.NewReader(ev.Data))
			c := d.Find("[data-testid=task-card]")
			st := c.AttrOr("data-status", "")
			statuses = append(statuses, st)
			if st == "ready" {
				if c.Find("[data-testid=watch-link]").AttrOr("href", "") == "" {
					t.Errorf("%s: ready card without a watch link", name)
				}
				if c.Find("img").AttrOr("src", "") == "" {
					t.Errorf("%s: ready card without a thumbnail", name)
				}
				if _, live := c.Attr("sse-swap"); live {
					t.Errorf("%s: finished card still listens", name)
				}
				if !sawSending {
					t.Errorf("%s: no sending-to-API progress seen", name)
				}
				if !sawNew {
					t.Errorf("%s: the new task's card was not announced", name)
				}
				return statuses
			}
			if st == "failed" {
				t.Fatalf("%s: task failed: %s", name, c.Find("[data-testid=task-reason]").Text())
			}
		}
		t.Fatalf("%s: stream ended before ready; saw %v", name, statuses)
		return nil
	}
	var wg sync.WaitGroup
	var s1, s2 []string
	wg.Go(func() { s1 = follow("tab 1", tab1) })
	wg.Go(func() { s2 = follow("tab 2", tab2) })
	wg.Wait()
	if len(s1) < 2 || len(s2) < 2 {
		t.Errorf("expected the card to change more than once: %v / %v", s1, s2)
	}

	// A reload keeps the session's task, now ready.
	doc, _ = b.get("/indexes/" + ix)
	c := doc.Find(`[data-testid=task-card][data-task-id="` + taskID + `"]`)
	if c.AttrOr("data-status", "") != "ready" {
		t.Errorf("after reload the task card is %q", c.AttrOr("data-status", "missing"))
	}
	if doc.Find("[data-testid=video-card]").Length() != 1 {
		t.Error("the video grid does not show the video")
	}
}

// uploadReady uploads the clip and waits for its task to be ready.
func uploadReady(t *testing.T, b *browser, ix string) (taskID string) {
	t.Helper()
	f, err := os.Open(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	doc, status := b.upload(ix, "c", "clip.mp4", f, fi.Size())
	if status != 200 {
		t.Fatalf("upload: %d %s", status, text(doc, "[data-testid=task-reason]"))
	}
	taskID = doc.Find("[data-testid=task-card]").AttrOr("data-task-id", "")
	if st := waitTaskDone(t, b, taskID).AttrOr("data-status", ""); st != "ready" {
		t.Fatalf("task %s", st)
	}
	return taskID
}

func TestVideosAndTasksPages(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Pages")
	taskID := uploadReady(t, b, ix)

	t.Run("tasks filters", func(t *testing.T) {
		tests := []struct {
			query      string
			wantStatus int
			wantTask   bool
		}{
			{"?index=" + ix, 200, true},
			{"?index=" + ix + "&status=ready", 200, true},
			{"?index=" + ix + "&status=failed", 200, false},
			{"?status=bogus", 400, false},
		}
		for _, tc := range tests {
			doc, status := b.get("/tasks" + tc.query)
			if status != tc.wantStatus {
				t.Errorf("%s: status %d", tc.query, status)
			}
			found := doc.Find(`[data-testid=task-card][data-task-id="`+taskID+`"]`).Length() == 1
			if found != tc.wantTask {
				t.Errorf("%s: task listed = %v", tc.query, found)
			}
		}
	})

	t.Run("task details", func(t *testing.T) {
		doc, status := b.get("/tasks/" + taskID)
		details := text(doc, "[data-testid=task-details]")
		if status != 200 || !strings.Contains(details, "clip.mp4") || !strings.Contains(details, "Ready") ||
			!strings.Contains(details, "Pages") || !strings.Contains(details, "0:05") {
			t.Errorf("details (%d): %q", status, details)
		}
		if _, status := b.get("/tasks/000000000000000000000000"); status != 404 {
			t.Errorf("unknown task: %d", status)
		}
	})

	t.Run("video grid, rename, delete", func(t *testing.T) {
		doc, _ := b.get("/indexes/" + ix)
		card := doc.Find("[data-testid=video-card]")
		if card.Length() != 1 {
			t.Fatalf("%d video cards", card.Length())
		}
		vid := card.AttrOr("data-video-id", "")
		if got := strings.TrimSpace(card.Find("[data-testid=video-title]").Text()); got != "clip" && got != "clip.mp4" {
			t.Errorf("title %q", got)
		}
		if card.Find("img").AttrOr("src", "") == "" || !strings.Contains(card.Text(), "0:05") {
			t.Errorf("card lacks thumbnail or duration: %q", card.Text())
		}
		if card.Find("a.video-title").AttrOr("href", "") != "/indexes/"+ix+"/videos/"+vid+"/watch" {
			t.Errorf("watch link %q", card.Find("a.video-title").AttrOr("href", ""))
		}

		doc, _ = b.post("/indexes/"+ix+"/videos/"+vid+"/rename", url.Values{"title": {"Beach day"}})
		if got := text(doc, `[data-video-id="`+vid+`"] [data-testid=video-title]`); got != "Beach day" {
			t.Errorf("after rename %q", got)
		}
		if _, status := b.post("/indexes/"+ix+"/videos/"+vid+"/rename", url.Values{"title": {" "}}); status != 400 {
			t.Errorf("empty title: %d", status)
		}

		doc, _ = b.get("/indexes/" + ix + "/videos/" + vid + "/delete")
		if !strings.Contains(text(doc, "[data-testid=confirm]"), "Beach day") {
			t.Errorf("confirmation: %q", text(doc, "[data-testid=confirm]"))
		}
		doc, _ = b.post("/indexes/"+ix+"/videos/"+vid+"/delete", nil)
		if doc.Find("[data-testid=video-card]").Length() != 0 {
			t.Error("video still in the grid after delete")
		}
	})
	t.Run("delete task", func(t *testing.T) {
		taskID := uploadReady(t, b, ix)
		doc, status := b.get("/tasks/" + taskID + "/delete")
		if status != 200 || doc.Find("[data-testid=confirm]").Length() != 1 {
			t.Fatalf("no confirmation (%d)", status)
		}
		doc, _ = b.post("/tasks/"+taskID+"/delete", nil)
		if doc.Find(`[data-task-id="`+taskID+`"]`).Length() != 0 {
			t.Error("task still listed")
		}
		// And the index page no longer shows it among recent uploads.
		doc, _ = b.get("/indexes/" + ix)
		if doc.Find(`[data-task-id="`+taskID+`"]`).Length() != 0 {
			t.Error("deleted task still among recent uploads")
		}
		// Deleting a task deletes its video with it.
		if n := doc.Find("[data-testid=video-card]").Length(); n != 0 {
			t.Errorf("%d videos left after deleting the task", n)
		}
	})
}

func TestSettingsKeyIsKeptSecret(t *testing.T) {
	const key = "tlk_TESTKEY_never_shown_0123456789"
	app.Cloud.set(key, keyOK)
	b := newBrowser(t)
	doc, _ := b.get("/settings")
	if !strings.Contains(text(doc, "[data-testid=key-state]"), "No key of yours") {
		t.Errorf("fresh state: %q", text(doc, "[data-testid=key-state]"))
	}
	resp, err := b.c.PostForm(app.URL+"/settings/key", url.Values{"csrf_token": {b.csrf}, "api_key": {key}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if strings.Contains(body, key) {
		t.Fatal("the key is on the page")
	}
	for _, c := range b.c.Jar.Cookies(resp.Request.URL) {
		if strings.Contains(c.Value, "TESTKEY") {
			t.Fatal("the key is readable in the cookie")
		}
	}
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := text(doc, "[data-testid=backend]"); got != "TwelveLabs cloud (your key)" {
		t.Errorf("backend %q", got)
	}
	if !strings.Contains(text(doc, "[data-testid=key-scope]"), "this browser only") {
		t.Errorf("the page does not say what forgetting the key does: %q", text(doc, "[data-testid=key-scope]"))
	}
	if !strings.Contains(text(doc, "[data-testid=sharing]"), "shares one library") {
		t.Errorf("the page suggests a private library: %q", text(doc, "[data-testid=sharing]"))
	}
	if !strings.Contains(text(doc, "[data-testid=key-state]"), "saved") {
		t.Errorf("state %q", text(doc, "[data-testid=key-state]"))
	}
	// The cloud now refuses the key; its refusal reads plainly, without the key.
	app.Cloud.set(key, keyRevoked)
	resp, err = b.c.Get(app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "refused the API key") || strings.Contains(page, key) {
		t.Errorf("with a refused key: %d", resp.StatusCode)
	}

	doc, _ = b.post("/settings/clear", nil)
	if got := text(doc, "[data-testid=backend]"); got != "Local engine" {
		t.Errorf("after clearing, backend %q", got)
	}
	if _, status := b.get("/"); status != 200 {
		t.Errorf("after clearing: %d", status)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return buf.String()
}

func TestStaticAssets(t *testing.T) {
	b := newBrowser(t)
	doc, _ := b.get("/settings")
	css, _ := doc.Find(`link[rel=stylesheet]`).Attr("href")
	htmx, _ := doc.Find(`script[src*="htmx.min.js"]`).Attr("src")
	tests := []struct {
		path, wantType, wantCache string
		wantStatus                int
	}{
		{css, "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{htmx, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/oldversion/app.js", "text/javascript; charset=utf-8", "no-cache", 200},
		{"/static/" + strings.Split(css, "/")[2] + "/nope.js", "", "", 404},
		{"/static/x/../static.go", "", "", 404},
	}
	for _, tc := range tests {
		resp, err := http.Get(app.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("%s: status %d", tc.path, resp.StatusCode)
			continue
		}
		if tc.wantStatus == 200 && (resp.Header.Get("Content-Type") != tc.wantType || resp.Header.Get("Cache-Control") != tc.wantCache) {
			t.Errorf("%s: type %q cache %q", tc.path, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
	}
}

func TestUnknownPageIsAPage(t *testing.T) {
	doc, status := newBrowser(t).get("/no/such/page")
	if status != http.StatusNotFound || text(doc, "[data-testid=error-message]") != "There is no page at this address." {
		t.Errorf("status %d, message %q", status, text(doc, "[data-testid=error-message]"))
	}
}

// A refused new-index form comes back filled in as it was sent, with the
// reason beside it, instead of on an error page that drops it.
func TestCreateIndexErrorKeepsTheForm(t *testing.T) {
	b := newBrowser(t)
	tests := []struct {
		name        string
		form        url.Values
		wantName    string
		wantChecked []string // name=value of the ticked boxes
		wantError   string
	}{
		{"no model",
			url.Values{"name": {"Product demos"}, "thumbnail": {"on"}},
			"Product demos", []string{"thumbnail=on"}, "Pick at least one model option"},
		{"long name",
			url.Values{"name": {strings.Repeat("x", 101)}, "pegasus": {"audio"}},
			strings.Repeat("x", 101), []string{"pegasus=audio"}, "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, status := b.post("/indexes", tc.form)
			if status != http.StatusBadRequest {
				t.Errorf("status %d", status)
			}
			form := doc.Find("form[data-testid=create-index]")
			if form.Length() == 0 {
				t.Fatal("the answer has no new-index form")
			}
			if got := form.Find("input[name=name]").AttrOr("value", ""); got != tc.wantName {
				t.Errorf("name %q, want %q", got, tc.wantName)
			}
			var checked []string
			form.Find("input[type=checkbox][checked]").Each(func(_ int, s *goquery.Selection) {
				checked = append(checked, s.AttrOr("name", "")+"="+s.AttrOr("value", ""))
			})
			if strings.Join(checked, " ") != strings.Join(tc.wantChecked, " ") {
				t.Errorf("ticked %v, want %v", checked, tc.wantChecked)
			}
			if got := strings.TrimSpace(form.Find("[data-testid=error-message]").Text()); !strings.Contains(got, tc.wantError) {
				t.Errorf("form error %q, want %q", got, tc.wantError)
			}
		})
	}
}

// A file name can carry control characters (RFC 2231 encodes any byte):
// they are dropped before the name reaches a card, an SSE event or the API.
func TestUploadFileNameLosesControlCharacters(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Control names")
	tests := []struct {
		name, encoded, want string
	}{
		{"CR LF", "bad%0D%0Aevent%3A%20x.txt", "badevent: x.txt"},
		{"NUL and tab", "a%00b%09c.txt", "abc.txt"},
		{"plain", "notes.txt", "notes.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("client_id", "c1")
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+tc.encoded)
			pw, _ := mw.CreatePart(h)
			pw.Write([]byte("just some notes, not a video\n"))
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/indexes/"+ix+"/upload", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("X-CSRF-Token", b.token())
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := b.parse(resp)
			got := doc.Find("[data-testid=task-card] .task-name").First().Text()
			reason := text(doc, "[data-testid=task-reason]")
			if strings.TrimSpace(got) != tc.want || !strings.HasPrefix(reason, tc.want+" is not a video") {
				t.Errorf("card name %q, reason %q; want the name %q", got, reason, tc.want)
			}
		})
	}
}
