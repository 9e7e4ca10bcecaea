package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/internal/testredis"
	"glimpse/internal/testwait"
)

var (
	sseConnect = regexp.MustCompile(`sse-connect="(/events/[^"]+)"`)
	taskIDAttr = regexp.MustCompile(`data-task-id="([^"]+)"`)
	cardStatus = regexp.MustCompile(`data-task-id="([^"]+)"[^>]*data-status="([a-z]+)"`)
	watchLink  = regexp.MustCompile(`/videos/([^/"?]+)/watch`)
	answerSSE  = regexp.MustCompile(`sse-connect="([^"]+/answers/[^"]+/events)"`)
)

// Two web instances behind one Redis and one engine, as behind a load
// balancer: a browser uploads on A while its page's SSE stream is held by
// B, and B's stream carries the task's progress to ready; then a question
// asked on A is answered on B's answer stream.
func TestTwoInstancesShareTaskProgressOverRedis(t *testing.T) {
	redisURL := testredis.Start(t)
	const engineKey = "two-instances-engine-key"
	eng, err := full.New(full.Config{Config: engine.Config{
		DataDir: filepath.Join(t.TempDir(), "engine"), MountPath: "/engine", APIKey: engineKey, Workers: 1, Logger: discard(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	engSrv := httptest.NewServer(http.StripPrefix("/engine", eng.Handler()))
	t.Cleanup(engSrv.Close)
	env := map[string]string{
		"TWELVELABS_API_KEY":   engineKey,
		"TWELVELABS_BASE_URL":  engSrv.URL + "/engine/v1.3",
		"GLIMPSE_REDIS_URL":    redisURL,
		"GLIMPSE_SESSION_KEYS": "two-instances-session-secret-of-32-bytes",
	}
	a, logsA, _ := startRun(t, env)
	b, _, _ := startRun(t, env)
	if !strings.Contains(logsA.String(), "over redis") {
		t.Fatalf("instance A does not say it shares over Redis:\n%s", logsA)
	}

	// One browser: cookies are per host, not port, so A and B see one session.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(u string) string {
		t.Helper()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		return string(body)
	}
	m := csrfMeta.FindStringSubmatch(page(a + "/settings"))
	if m == nil {
		t.Fatal("no CSRF token")
	}
	csrf := m[1]
	resp, err := client.PostForm(a+"/indexes", url.Values{"csrf_token": {csrf}, "name": {"shared"}, "marengo": {"visual", "audio"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	indexPath := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(indexPath, "/indexes/") {
		t.Fatalf("creating the index on A: %s", resp.Status)
	}

	// The index page comes from B, and so does its SSE stream.
	s := sseConnect.FindStringSubmatch(page(b + indexPath))
	if s == nil {
		t.Fatal("B's index page names no task stream")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b+s[1], nil)
	req.Header.Set("Accept", "text/event-stream")
	stream, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != 200 {
		t.Fatalf("B's stream %s: %s", s[1], stream.Status)
	}
	statuses := make(chan [3]string, 100)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if m := cardStatus.FindStringSubmatch(sc.Text()); m != nil {
				statuses <- [3]string{m[1], m[2], sc.Text()}
			}
		}
		close(statuses)
	}()

	// The upload goes to A.
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=4",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("client_id", "c1")
	mw.WriteField("size", strconv.Itoa(len(data)))
	fw, _ := mw.CreateFormFile("file", "clip.mp4")
	fw.Write(data)
	mw.Close()
	up, _ := http.NewRequest(http.MethodPost, a+indexPath+"/upload", &form)
	up.Header.Set("Content-Type", mw.FormDataContentType())
	up.Header.Set("X-CSRF-Token", csrf)
	up.Header.Set("HX-Request", "true")
	resp, err = client.Do(up)
	if err != nil {
		t.Fatal(err)
	}
	card, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := taskIDAttr.FindSubmatch(card)
	if resp.StatusCode != 200 || id == nil {
		t.Fatalf("upload on A: %s %.300s", resp.Status, card)
	}
	taskID := string(id[1])

	// B's stream, fed by A's poller over Redis, follows it to ready.
	var seen []string
	timeout := time.After(testwait.Bound(t))
	for {
		select {
		case st, ok := <-statuses:
			if !ok {
				t.Fatalf("B's stream ended; statuses seen: %v", seen)
			}
			if st[0] != taskID {
				continue
			}
			seen = append(seen, st[1])
			if st[1] == "failed" {
				t.Fatalf("task failed; statuses seen on B: %v", seen)
			}
			if st[1] == "ready" {
				if len(seen) < 2 {
					t.Errorf("B saw only %v: no progress before ready", seen)
				}
				v := watchLink.FindStringSubmatch(st[2])
				if v == nil {
					t.Fatalf("B's ready card links to no video: %.300s", st[2])
				}
				askOnAStreamOnB(t, client, a, b, indexPath, v[1], csrf)
				return
			}
		case <-timeout:
			t.Fatalf("task %s not ready on B's stream; statuses seen: %v", taskID, seen)
		}
	}
}

// askOnAStreamOnB asks about the video on instance A and follows the
// answer's stream on instance B to its end.
func askOnAStreamOnB(t *testing.T, client *http.Client, a, b, indexPath, videoID, csrf string) {
	t.Helper()
	ask, _ := http.NewRequest(http.MethodPost, a+indexPath+"/videos/"+videoID+"/analysis/answers",
		strings.NewReader(url.Values{"prompt": {"What is shown in this video?"}}.Encode()))
	ask.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ask.Header.Set("X-CSRF-Token", csrf)
	ask.Header.Set("HX-Request", "true")
	resp, err := client.Do(ask)
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := answerSSE.FindSubmatch(frag)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("asking on A: %s %.300s", resp.Status, frag)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Bound(t))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b+string(m[1]), nil)
	req.Header.Set("Accept", "text/event-stream")
	stream, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != 200 {
		t.Fatalf("the answer's stream on B: %s (B does not know the question asked on A)", stream.Status)
	}
	sc := bufio.NewScanner(stream.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok && event == "done" {
			if !strings.Contains(d, `data-state="done"`) || !strings.Contains(d, `data-testid="answer-text"`) {
				t.Errorf("B's final answer: %.400s", d)
			}
			return
		}
	}
	t.Fatalf("B's answer stream ended without a final answer: %v", sc.Err())
}
