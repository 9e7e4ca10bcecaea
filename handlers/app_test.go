package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"glimpse/analysisstore"
	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/events"
	"glimpse/handlers"
	"glimpse/internal/testwait"
	"glimpse/sessions"
	"glimpse/static"
	"glimpse/tlclient"
	"glimpse/webapp"
)

// The tests run the real router against the real local engine, mounted at
// /engine as cmd/web does; only the video is made here, with ffmpeg.
var app struct {
	URL      string
	Clip     string // a 5 s 640x360 H.264/AAC video
	MaxBytes int64
	// EngineKey is the embedded engine's secret, known to the app's client.
	EngineKey string
	// Cloud is where a pasted key goes: a fake TwelveLabs cloud at
	// /fake-cloud/v1.3 on the app's own listener (fakecloud_test.go).
	Cloud *fakeCloud
	// Logs holds every line the app logged, to look for secrets in.
	Logs *syncBuffer
}

const testMaxUpload = 8 << 20

// answerPace slows the engine's answers to a word every so often, so that
// a browser can watch one arrive, and stop it, as a person would.
const answerPace = 80 * time.Millisecond

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "handlers tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "glimpse-handlers-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	app.Clip = filepath.Join(dir, "clip.mp4")
	out, err := exec.Command("ffmpeg", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=5",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=5",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", app.Clip).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("making the test video (is ffmpeg installed? run make test): %v: %s", err, out)
	}

	app.Logs = &syncBuffer{}
	var logTo io.Writer = app.Logs
	if os.Getenv("GLIMPSE_TEST_LOG") != "" {
		logTo = io.MultiWriter(app.Logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	app.Cloud = newFakeCloud()
	srv := httptest.NewUnstartedServer(nil)
	app.URL = "http://" + srv.Listener.Addr().String()
	app.MaxBytes = testMaxUpload
	app.EngineKey = "handlers-test-engine-secret"

	eng, err := full.New(full.Config{Config: engine.Config{
		DataDir: filepath.Join(dir, "engine"), MountPath: "/engine", APIKey: app.EngineKey, Workers: 1, Logger: log,
	}, StreamPace: answerPace})
	if err != nil {
		return 0, err
	}
	defer eng.Close()
	store, err := sessions.New([][]byte{[]byte("test-secret-test-secret-test-secret!")}, log)
	if err != nil {
		return 0, err
	}
	analyses, err := analysisstore.New(filepath.Join(dir, "analyses"))
	if err != nil {
		return 0, err
	}
	hub := events.New(events.Options{Owner: func(r *http.Request) string { return store.Get(r).ID }, Log: log})
	watcher := webapp.NewTaskWatcher(hub, log)
	watcher.MinInterval = 200 * time.Millisecond
	watcher.MaxInterval = time.Second
	s := &handlers.Server{
		Log: log,
		Backends: &handlers.ClientBackends{
			Base: tlclient.New(app.EngineKey, tlclient.WithBaseURL(app.URL+"/engine/v1.3"),
				tlclient.WithHTTPClient(&http.Client{Transport: handlers.NoteTrouble(nil)})),
			BaseName: handlers.BackendLocal,
			// A pasted key goes to the fake cloud, which knows the keys
			// tests give it (fakecloud_test.go).
			CloudURL: app.URL + "/fake-cloud/v1.3",
		},
		Sessions: store, Events: hub, Static: static.Handler(), Engine: eng.Handler(),
		Watcher: watcher, MaxUploadBytes: testMaxUpload, Analyses: analyses,
	}
	routes := s.Routes()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/fake-cloud"); ok {
			r.URL.Path = rest
			app.Cloud.ServeHTTP(w, r)
			return
		}
		routes.ServeHTTP(w, r)
	})
	srv.Start()
	defer func() {
		watcher.Close()
		hub.Shutdown()
		srv.Close()
	}()
	return m.Run(), nil
}

// browser is one person: a cookie jar and the CSRF token of the last page.
type browser struct {
	t    testing.TB
	c    *http.Client
	csrf string
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: testwait.Bound(t)}}
}

// get loads a page (following redirects) and parses it.
func (b *browser) get(path string) (*goquery.Document, int) {
	b.t.Helper()
	resp, err := b.c.Get(app.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.parse(resp)
}

func (b *browser) parse(resp *http.Response) (*goquery.Document, int) {
	b.t.Helper()
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok {
		b.csrf = tok
	}
	return doc, resp.StatusCode
}

// post submits a form with the session's CSRF token, as the page's form does.
func (b *browser) post(path string, form url.Values) (*goquery.Document, int) {
	b.t.Helper()
	if b.csrf == "" {
		b.get("/settings")
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", b.csrf)
	resp, err := b.c.PostForm(app.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.parse(resp)
}

func text(doc *goquery.Document, sel string) string {
	return strings.TrimSpace(doc.Find(sel).Text())
}

// createIndex makes an index through the form and returns its id.
func (b *browser) createIndex(name string) string {
	b.t.Helper()
	resp, err := b.c.PostForm(app.URL+"/indexes", url.Values{
		"csrf_token": {b.token()}, "name": {name},
		"marengo": {"visual", "audio"}, "pegasus": {"visual", "audio"}, "thumbnail": {"on"},
	})
	if err != nil {
		b.t.Fatal(err)
	}
	doc, status := b.parse(resp)
	if status != 200 {
		b.t.Fatalf("create index: %d %s", status, text(doc, "[data-testid=error-message]"))
	}
	id := strings.TrimPrefix(resp.Request.URL.Path, "/indexes/")
	if id == "" || strings.Contains(id, "/") {
		b.t.Fatalf("create index landed on %s", resp.Request.URL)
	}
	return id
}

func (b *browser) token() string {
	if b.csrf == "" {
		b.get("/settings")
	}
	return b.csrf
}

// upload sends a file as app.js does: client_id, size, then the file.
func (b *browser) upload(indexID, clientID, name string, body io.Reader, size int64) (*goquery.Document, int) {
	b.t.Helper()
	pr, pw := io.Pipe()
	mw := newMultipart(pw)
	go func() {
		mw.field("client_id", clientID)
		mw.field("size", fmt.Sprint(size))
		mw.file("file", name, body)
		pw.CloseWithError(mw.close())
	}()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/indexes/"+indexID+"/upload", pr)
	req.Header.Set("Content-Type", mw.contentType())
	req.Header.Set("X-CSRF-Token", b.token())
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.parse(resp)
}

// sse opens the page's task stream and returns its events one at a time.
func (b *browser) sse(ctx context.Context, streamURL string) (<-chan sseEvent, int) {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, app.URL+streamURL, nil)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	ch := make(chan sseEvent, 64)
	if resp.StatusCode != 200 {
		resp.Body.Close()
		close(ch)
		return ch, resp.StatusCode
	}
	go func() {
		defer resp.Body.Close()
		defer close(ch)
		r := bufio.NewReader(resp.Body)
		var ev sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if ev.Data != "" {
					ev.Data += "\n"
				}
				ev.Data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch, 200
}

type sseEvent struct{ Name, Data string }
