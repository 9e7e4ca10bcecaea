package main

import (
	"bufio"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// appSession is a cookie jar with the session's CSRF token.
type appSession struct {
	c    *http.Client
	csrf string
}

func newAppSession(t *testing.T, base string) *appSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &appSession{c: &http.Client{Jar: jar}}
	resp, err := s.c.Get(base + "/settings")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(b)
	if m == nil {
		t.Fatal("no CSRF token on the settings page")
	}
	s.csrf = string(m[1])
	return s
}

// createIndex makes an index through the app's form and returns its id.
func (s *appSession) createIndex(t *testing.T, base, name string) string {
	t.Helper()
	resp, err := s.c.PostForm(base+"/indexes", url.Values{"csrf_token": {s.csrf}, "name": {name}, "marengo": {"visual"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := strings.TrimPrefix(resp.Request.URL.Path, "/indexes/")
	if resp.StatusCode != 200 || id == "" || strings.Contains(id, "/") {
		t.Fatalf("create index: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return id
}

func (s *appSession) cookieHeader(t *testing.T, base string) string {
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range s.c.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// tempUploads lists the engine's uploads in flight under data.
func tempUploads(data string) []string {
	got, _ := filepath.Glob(filepath.Join(data, "engine", "tmp", "upload-*"))
	return got
}

// waitFor polls cond until it holds or bound passes.
func waitFor(bound time.Duration, cond func() bool) bool {
	for end := time.Now().Add(bound); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// A client that starts an upload and then sends nothing loses its
// connection once the body has been idle for -body-idle, and the engine's
// temp file of that upload goes; it does not hold them forever.
func TestStalledUploadEndsAndLeavesNoTempFile(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=5",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", clip).CombinedOutput(); err != nil {
		t.Fatalf("making the clip: %v %s", err, out)
	}
	video, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	base, _, _ := startRun(t, nil, "-data", data, "-body-idle", "2s")
	sess := newAppSession(t, base)
	indexID := sess.createIndex(t, base, "stall")

	// The request as a browser starts it: fields, then the first 64 KB of
	// the file, then nothing more.
	var head strings.Builder
	mw := multipart.NewWriter(&head)
	mw.WriteField("client_id", "stalled")
	mw.WriteField("size", fmt.Sprint(len(video)))
	fw, _ := mw.CreateFormFile("file", "stalled.mp4")
	fw.Write(video[:64<<10])
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /indexes/%s/upload HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nX-CSRF-Token: %s\r\nCookie: %s\r\n\r\n%s",
		indexID, strings.TrimPrefix(base, "http://"), mw.FormDataContentType(), head.Len()+len(video), sess.csrf, sess.cookieHeader(t, base), head.String())

	if !waitFor(testwait.Bound(t), func() bool { return len(tempUploads(data)) > 0 }) {
		t.Fatal("the upload never reached the engine")
	}
	stalledAt := time.Now()
	// The server answers (or closes) once the body has been idle too long.
	ended := make(chan error, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			resp.Body.Close()
		}
		ended <- err
	}()
	select {
	case <-ended:
	case <-time.After(testwait.Bound(t)):
		t.Fatal("the stalled upload is still open long after -body-idle 2s")
	}
	if !waitFor(testwait.Bound(t), func() bool { return len(tempUploads(data)) == 0 }) {
		t.Errorf("temp files left: %v", tempUploads(data))
	}
	t.Logf("stalled upload ended %s after it stalled", time.Since(stalledAt).Round(100*time.Millisecond))
}
