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
