package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// site is what every simulated user knows of the app after the set-up.
type site struct {
	base      string
	transport http.RoundTripper
	indexID   string
	videoIDs  []string
	queries   []string
	rec       *recorder
	// searchHits counts search fragments that listed results.
	searchHits atomic.Int64
}

// user is one browser: its own cookie jar (so its own session, CSRF token
// and SSE stream) over the shared transport, as browsers share nothing.
type user struct {
	s      *site
	client *http.Client
	csrf   string
	stream string // the session's task stream, /events/tasks-<session>
	rng    *rand.Rand

	mu     sync.Mutex
	done   map[string]chan struct{} // task id -> closed when SSE said ready or failed
	status map[string]string        // task id -> ready or failed
}

func newUser(s *site, seed uint64) *user {
	jar, _ := cookiejar.New(nil)
	return &user{
		s:      s,
		client: &http.Client{Jar: jar, Transport: s.transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		rng:    rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		done:   map[string]chan struct{}{},
		status: map[string]string{},
	}
}

var (
	csrfMeta   = regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`)
	sseConnect = regexp.MustCompile(`sse-connect="(/events/[^"]+)"`)
	watchLink  = regexp.MustCompile(`/indexes/([^/"]+)/videos/([^/"?]+)/watch`)
	taskIDAttr = regexp.MustCompile(`data-task-id="([^"]+)"`)
	doneCard   = regexp.MustCompile(`data-task-id="([^"]+)"[^>]*data-status="(ready|failed)"`)
)

// page is one request of kind that must answer 200 with marker in its
// body; it is timed and recorded. It returns the body.
func (u *user) page(ctx context.Context, kind string, req *http.Request, marker string) ([]byte, error) {
	start := time.Now()
	body, err := u.do(ctx, req, marker)
	u.s.rec.done(kind, time.Since(start), err)
	return body, err
}

// do sends req to the end: a request in flight when the run ends is
// finished, not cut off (ctx only says who asked).
func (u *user) do(ctx context.Context, req *http.Request, marker string) ([]byte, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	resp, err := u.client.Do(req.WithContext(rctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("%s %s: %s: %.200s", req.Method, req.URL.Path, resp.Status, body)
	}
	if bytes.Contains(body, []byte(`data-testid="search-error"`)) {
		return body, fmt.Errorf("%s %s: the page says the search failed", req.Method, req.URL.Path)
	}
	if !bytes.Contains(body, []byte(marker)) {
		return body, fmt.Errorf("%s %s: 200 without %q", req.Method, req.URL.Path, marker)
	}
	return body, nil
}

func (u *user) get(path string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, u.s.base+path, nil)
	return req
}

// start loads the index page as a person arriving would: it gives the
// session, its CSRF token and its task stream.
func (u *user) start(ctx context.Context) error {
	body, err := u.page(ctx, "index page", u.get("/indexes/"+u.s.indexID), "</html>")
	if err != nil {
		return err
	}
	m := csrfMeta.FindSubmatch(body)
	s := sseConnect.FindSubmatch(body)
	if m == nil || s == nil {
		return errors.New("index page without a CSRF token or a task stream")
	}
	u.csrf, u.stream = string(m[1]), string(s[1])
	return nil
}

// subscribe holds the session's task stream open until ctx ends, as the
// index page's EventSource does, and notes the tasks it reports ready.
// The time to the stream's response headers is recorded as "sse connect".
func (u *user) subscribe(ctx context.Context) {
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.s.base+u.stream, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := u.client.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		err = fmt.Errorf("stream %s: %s", u.stream, resp.Status)
	}
	if err != nil {
		if ctx.Err() == nil {
			u.s.rec.done("sse connect", 0, err)
		}
		return
	}
	u.s.rec.done("sse connect", time.Since(start), nil)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if m := doneCard.FindSubmatch(sc.Bytes()); m != nil {
			u.taskDone(string(m[1]), string(m[2]))
		}
	}
	if ctx.Err() == nil {
		// The hub ended a stream nobody asked to end.
		u.s.rec.done("sse connect", 0, fmt.Errorf("stream ended early: %v", sc.Err()))
	}
}

func (u *user) doneChan(taskID string) chan struct{} {
	u.mu.Lock()
	defer u.mu.Unlock()
	ch := u.done[taskID]
	if ch == nil {
		ch = make(chan struct{})
		u.done[taskID] = ch
	}
	return ch
}

func (u *user) taskDone(taskID, status string) {
	ch := u.doneChan(taskID)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.status[taskID] == "" {
		u.status[taskID] = status
		close(ch)
	}
}

// browse is one person's visit until ctx ends: a page or a search, then
// a pause (uniform 0.5..1.5 of think), and again.
func (u *user) browse(ctx context.Context, think time.Duration) {
	for ctx.Err() == nil {
		u.step(ctx)
		pause := time.Duration(float64(think) * (0.5 + u.rng.Float64()))
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

func (u *user) step(ctx context.Context) {
	q := u.s.queries[u.rng.IntN(len(u.s.queries))]
	video := u.s.videoIDs[u.rng.IntN(len(u.s.videoIDs))]
	var err error
	switch n := u.rng.IntN(100); {
	case n < 20:
		_, err = u.page(ctx, "home", u.get("/"), "</html>")
	case n < 30:
		_, err = u.page(ctx, "index page", u.get("/indexes/"+u.s.indexID), "</html>")
	case n < 45:
		_, err = u.page(ctx, "search page", u.get("/search?q="+url.QueryEscape(q)), "</html>")
	case n < 80:
		// What the search box sends as one types: htmx asks for the
		// results fragment only.
		req := u.get("/search?" + url.Values{"q": {q}, "index": {u.s.indexID}}.Encode())
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "results")
		var body []byte
		body, err = u.page(ctx, "search", req, "results-summary")
		if bytes.Contains(body, []byte("results-grid")) {
			u.s.searchHits.Add(1)
		}
	default:
		_, err = u.page(ctx, "watch page", u.get("/indexes/"+u.s.indexID+"/videos/"+video+"/watch?t=1"), "<video")
	}
	_ = err // recorded by page
}

// upload posts file the way app.js does and waits until this user's SSE
// stream reports the task ready ("upload ready" is upload start to that).
func (u *user) upload(ctx context.Context, file string, readyWithin time.Duration) (taskID string, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("client_id", "load"+strconv.Itoa(u.rng.IntN(1e9)))
	mw.WriteField("size", strconv.Itoa(len(data)))
	fw, _ := mw.CreateFormFile("file", filepath.Base(file))
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.s.base+"/indexes/"+u.s.indexID+"/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", u.csrf)
	req.Header.Set("HX-Request", "true")
	start := time.Now()
	body, err := u.page(ctx, "upload", req, "data-task-id")
	if err != nil {
		return "", err
	}
	m := taskIDAttr.FindSubmatch(body)
	if m == nil {
		return "", errors.New("upload card without a task id")
	}
	taskID = string(m[1])
	select {
	case <-u.doneChan(taskID):
		u.mu.Lock()
		status := u.status[taskID]
		u.mu.Unlock()
		if status != "ready" {
			err = fmt.Errorf("task %s: %s", taskID, status)
		}
		u.s.rec.done("upload ready (SSE)", time.Since(start), err)
	case <-time.After(readyWithin):
		err = fmt.Errorf("task %s: not ready on SSE within %s", taskID, readyWithin)
		u.s.rec.done("upload ready (SSE)", 0, err)
	}
	return taskID, err
}
