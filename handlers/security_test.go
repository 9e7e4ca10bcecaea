package handlers_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"glimpse/internal/testwait"
)

// do sends one request to the app and returns its status and body.
func do(t *testing.T, method, path, host, key, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, app.URL+path, strings.NewReader(body))
	if host != "" {
		req.Host = host
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const newIndexJSON = `{"index_name":"cross-site","models":[{"model_name":"marengo3.0","model_options":["visual"]}]}`

// The embedded engine shares the app's origin, but its API answers only
// the app's own client, which holds a secret the browser never sees.
func TestEmbeddedEngineAnswersOnlyTheApp(t *testing.T) {
	form := url.Values{"index_name": {"cross-site"}}.Encode()
	tests := []struct {
		name, method, path, key, contentType, body string
		wantStatus                                 int
	}{
		{"anonymous read of indexes", "GET", "/engine/v1.3/indexes", "", "", "", http.StatusUnauthorized},
		{"anonymous read of tasks", "GET", "/engine/v1.3/tasks", "", "", "", http.StatusUnauthorized},
		{"read with a guessed key", "GET", "/engine/v1.3/indexes", "local", "", "", http.StatusUnauthorized},
		{"form post without a key", "POST", "/engine/v1.3/indexes", "", "application/x-www-form-urlencoded", form, http.StatusUnauthorized},
		{"text/plain JSON without a key", "POST", "/engine/v1.3/indexes", "", "text/plain", newIndexJSON, http.StatusUnauthorized},
		{"write with any key", "POST", "/engine/v1.3/indexes", "any", "application/json", newIndexJSON, http.StatusUnauthorized},
		{"delete with any key", "DELETE", "/engine/v1.3/indexes/000000000000000000000000", "x", "", "", http.StatusUnauthorized},
		{"unsigned media", "GET", "/engine/media/000000000000000000000000/stream.m3u8", "", "", "", http.StatusNotFound},
		{"the app's own key reads", "GET", "/engine/v1.3/indexes", app.EngineKey, "", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, tt.method, tt.path, "", tt.key, tt.contentType, tt.body)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if status == http.StatusUnauthorized && strings.Contains(body, app.EngineKey) {
				t.Error("the refusal names the engine's key")
			}
		})
	}
}

// A page on another site that points its own name at this machine (DNS
// rebinding) reaches nothing: not the pages, not the engine even with the
// right key, not static files.
func TestRebindingHostIsRefused(t *testing.T) {
	port := strings.TrimPrefix(app.URL[strings.LastIndex(app.URL, ":"):], ":")
	tests := []struct {
		name, method, path, host, key, contentType, body string
		wantStatus                                       int
	}{
		{"home page", "GET", "/", "rebind.evil.example", "", "", "", http.StatusMisdirectedRequest},
		{"settings", "GET", "/settings", "rebind.evil.example:" + port, "", "", "", http.StatusMisdirectedRequest},
		{"engine read", "GET", "/engine/v1.3/indexes", "rebind.evil.example", app.EngineKey, "", "", http.StatusMisdirectedRequest},
		{"engine write", "POST", "/engine/v1.3/indexes", "rebind.evil.example", app.EngineKey, "application/json", newIndexJSON, http.StatusMisdirectedRequest},
		{"health", "GET", "/healthz", "rebind.evil.example", "", "", "", http.StatusMisdirectedRequest},
		{"a name ending in localhost", "GET", "/", "localhost.evil.example", "", "", "", http.StatusMisdirectedRequest},
		{"localhost", "GET", "/healthz", "localhost:" + port, "", "", "", http.StatusOK},
		{"IPv6 loopback", "GET", "/healthz", "[::1]:" + port, "", "", "", http.StatusOK},
		{"loopback address", "GET", "/healthz", "127.0.0.1:" + port, "", "", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, tt.method, tt.path, tt.host, tt.key, tt.contentType, tt.body)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
		})
	}
}

// Every HTML page carries the standard headers, with a policy that allows
// no inline script.
func TestSecurityHeadersOnEveryPage(t *testing.T) {
	b := newBrowser(t)
	indexID := b.createIndex("headers")
	pages := []string{"/", "/tasks", "/settings", "/search", "/search?q=anything", "/indexes/" + indexID, "/no-such-page"}
	for _, p := range pages {
		t.Run(p, func(t *testing.T) {
			resp, err := b.c.Get(app.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type %q, want an HTML page", ct)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline code: %q", csp)
			}
			for name, want := range map[string]string{
				"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// stalledUpload starts an upload that sends its fields and the start of
// the file, then nothing, until the returned func ends it.
func stalledUpload(t *testing.T, b *browser, indexID, clientID string, got chan<- int) (end func()) {
	t.Helper()
	head := make([]byte, 64<<10)
	f, err := os.Open(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.ReadFull(f, head)
	info, _ := f.Stat()
	f.Close()
	pr, pw := io.Pipe()
	mw := newMultipart(pw)
	go func() {
		mw.field("client_id", clientID)
		mw.field("size", fmt.Sprint(info.Size()))
		// The server may refuse before it reads: then writes fail.
		if fw, err := mw.w.CreateFormFile("file", clientID+".mp4"); err == nil {
			fw.Write(head[:n])
		}
	}()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/indexes/"+indexID+"/upload", pr)
	req.Header.Set("Content-Type", mw.contentType())
	req.Header.Set("X-CSRF-Token", b.token())
	// A connection of its own, and no client timeout: the stall lasts as
	// long as the test wants.
	c := &http.Client{Jar: b.c.Jar, Transport: &http.Transport{}}
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	return func() { pw.CloseWithError(io.ErrUnexpectedEOF) }
}

// One client cannot hold more than six uploads in flight: of seven that
// stall, one is told to wait, and once the others end new uploads are
// taken again.
func TestUploadsInFlightPerClientAreCapped(t *testing.T) {
	b := newBrowser(t)
	indexID := b.createIndex("upload cap")
	done := make(chan int, 16)
	var ends []func()
	endAll := func() {
		for _, end := range ends {
			end()
		}
		ends = nil
	}
	defer endAll()
	for i := range 7 {
		ends = append(ends, stalledUpload(t, b, indexID, fmt.Sprintf("stall%d", i), done))
	}
	var ended []int
	select {
	case status := <-done:
		ended = append(ended, status)
	case <-time.After(testwait.Bound(t)):
		t.Fatal("seven stalled uploads from one client were all taken")
	}
	if ended[0] != http.StatusTooManyRequests {
		t.Fatalf("a stalled upload ended with %d, want 429", ended[0])
	}
	endAll()
	for len(ended) < 7 {
		ended = append(ended, <-done)
	}
	// A slot is given back once its handler returns, which may be just
	// after its client has read the answer: a 429 may still come for a
	// moment, never for long.
	deadline := time.Now().Add(testwait.Bound(t))
	for attempt := 1; ; attempt++ {
		f, _ := os.Open(app.Clip)
		info, _ := f.Stat()
		doc, status := b.upload(indexID, fmt.Sprintf("after%d", attempt), "after.mp4", f, info.Size())
		f.Close()
		if status == http.StatusOK {
			return
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("an upload after the stalled ones ended (attempt %d): %d %s", attempt, status, text(doc, "body"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rawPost sends a request whose Content-Length promises length bytes but
// whose body is only body, then closes its sending side.
func rawPost(t *testing.T, b *browser, path, contentType string, length int64, body string) (int, string) {
	t.Helper()
	u, _ := url.Parse(app.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, c := range b.c.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nX-CSRF-Token: %s\r\nCookie: %s\r\n\r\n%s",
		path, u.Host, contentType, length, b.token(), strings.Join(cookies, "; "), body)
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(doc.Find("body").Text())
}

// A request that announces more than the app takes is refused before it
// is read, and one whose body breaks off is told so: a clear 4xx page,
// never an empty 200 or 500.
func TestOversizedAndShortBodiesGetAClearAnswer(t *testing.T) {
	b := newBrowser(t)
	indexID := b.createIndex("bodies")
	form := "application/x-www-form-urlencoded"
	multi := "multipart/form-data; boundary=XX"
	tests := []struct {
		name, path, contentType string
		length                  int64
		body                    string
		wantStatus              int
		wantSays                string
	}{
		{"5 GB form", "/indexes", form, 5 << 30, "name=x", http.StatusRequestEntityTooLarge, "5.0 GB"},
		{"5 GB upload", "/indexes/" + indexID + "/upload", multi, 5 << 30, "--XX\r\n", http.StatusRequestEntityTooLarge, "5.0 GB"},
		{"short form", "/indexes", form, 100000, "name=x", http.StatusBadRequest, "ended before all of it arrived"},
		{"short search image", "/search", multi, 100000, "--XX\r\n", http.StatusBadRequest, "ended before all of it arrived"},
		{"short upload", "/indexes/" + indexID + "/upload", multi, 100000, "--XX\r\n", http.StatusBadRequest, "cut off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, says := rawPost(t, b, tt.path, tt.contentType, tt.length, tt.body)
			if status != tt.wantStatus || !strings.Contains(says, tt.wantSays) {
				t.Errorf("%d %q; want %d saying %q", status, says, tt.wantStatus, tt.wantSays)
			}
		})
	}
}
