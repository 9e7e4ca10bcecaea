package tlclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	okTask     = `{"_id":"t1","video_id":"v1"}`
	busyBody   = `{"code":"too_many_requests","message":"slow down"}`
	brokenBody = `{"code":"internal_error","message":"try again"}`
	// createTaskIs200 names why the created task's 200 is beyond the seed.
	createTaskIs200 = "full description (what the live API does): POST /tasks answers 200; the seed says 201"
)

func TestRetriedFileUploadResendsWholeFile(t *testing.T) {
	srv := newSpecServer(t)
	path := filepath.Join(t.TempDir(), "movie.mp4")
	content := make([]byte, 3<<20+123) // several pipe chunks, odd length
	rand.Read(content)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{408, 429, 500, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv.t = t
			srv.queue(waiver{seed: createTaskIs200}, nil, reply{status: status, body: brokenBody}, reply{status: 200, body: okTask})
			var progress []int64
			res, err := srv.client().CreateTask(context.Background(), CreateTaskRequest{IndexID: "ix1", Video: FileUpload(path),
				OnUploadProgress: func(sent int64) { progress = append(progress, sent) }})
			wantOK(t, err)
			wantEq(t, "task id", res.ID, "t1")
			ex := srv.exchanges()
			if len(ex) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(ex))
			}
			for i, e := range ex {
				got := e.form(t)["video_file"]
				if len(got) != 1 || got[0] != "file:movie.mp4:"+string(content) {
					t.Errorf("attempt %d: video_file part is not the whole file (%d parts)", i+1, len(got))
				}
			}
			if n := len(progress); n == 0 || progress[n-1] != int64(len(content)) {
				t.Errorf("last progress report = %v, want %d", progress[max(0, len(progress)-1):], len(content))
			}
		})
	}
}

func TestOneShotReaderIsNotResent(t *testing.T) {
	srv := newSpecServer(t)
	for _, status := range []int{408, 429, 502} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv.t = t
			srv.queue(waiver{seed: createTaskIs200}, nil, reply{status: status, body: busyBody}, reply{status: 200, body: okTask})
			_, err := srv.client().CreateTask(context.Background(), CreateTaskRequest{IndexID: "ix1",
				Video: ReaderUpload(strings.NewReader("one-shot bytes"), "pipe.mp4", -1)})
			if !errors.Is(err, ErrNotReplayable) {
				t.Fatalf("error %v, want ErrNotReplayable", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != status {
				t.Errorf("error %v does not carry the server's %d", err, status)
			}
			if n := len(srv.exchanges()); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	srv := newSpecServer(t)
	cases := []struct {
		name     string
		retries  int
		replies  []reply
		wantReqs int
		wantErr  error
	}{
		{"408 then ok", 2, []reply{{status: 408, body: brokenBody}, {status: 200, body: indexJSON}}, 2, nil},
		{"429 then ok", 2, []reply{{status: 429, body: busyBody}, {status: 200, body: indexJSON}}, 2, nil},
		{"500, 503 then ok", 2, []reply{{status: 500, body: brokenBody}, {status: 503, body: brokenBody}, {status: 200, body: indexJSON}}, 3, nil},
		{"retries spent", 1, []reply{{status: 503, body: brokenBody}, {status: 503, body: brokenBody}}, 2, &APIError{}},
		{"400 is not retried", 2, []reply{{status: 400, body: `{"code":"parameter_invalid","message":"bad id"}`}}, 1, ErrInvalidParameter},
		{"404 is not retried", 2, []reply{{status: 404, body: `{"code":"resource_not_exist","message":"no"}`}}, 1, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.t = t
			srv.queue(waiver{}, nil, tc.replies...)
			ix, err := srv.client(WithMaxRetries(tc.retries)).GetIndex(context.Background(), "ix1")
			switch want := tc.wantErr.(type) {
			case nil:
				wantOK(t, err)
				wantEq(t, "name", ix.IndexName, "news")
			case *APIError:
				if !errors.As(err, &want) || want.StatusCode != 503 {
					t.Errorf("error %v, want the last 503", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("error %v, want %v", err, want)
				}
			}
			wantEq(t, "requests", len(srv.exchanges()), tc.wantReqs)
		})
	}
}

func TestServerDelayIsHonoured(t *testing.T) {
	srv := newSpecServer(t)
	cases := []struct {
		name    string
		header  map[string]string
		timeout time.Duration
		wantOK  bool
	}{
		// The backoff is an hour: only the server's short delay lets the retry happen.
		{"Retry-After seconds", map[string]string{"Retry-After": "1"}, 10 * time.Second, true},
		{"X-Ratelimit-Reset epoch", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(time.Now().Unix()+1, 10)}, 10 * time.Second, true},
		// A delay past the deadline gives the 429 back at once instead of sleeping into the deadline.
		{"Retry-After past the deadline", map[string]string{"Retry-After": "30"}, 3 * time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.t = t
			srv.queue(waiver{}, nil, reply{status: 429, header: tc.header, body: busyBody}, reply{status: 200, body: indexJSON})
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			_, err := srv.client(WithBackoff(time.Hour, time.Hour)).GetIndex(ctx, "ix1")
			if tc.wantOK {
				wantOK(t, err)
				wantEq(t, "requests", len(srv.exchanges()), 2)
				return
			}
			if !errors.Is(err, ErrRateLimited) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v, want the 429 itself", err)
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter != 30*time.Second {
				t.Errorf("RetryAfter = %v, want 30s", ae.RetryAfter)
			}
			wantEq(t, "requests", len(srv.exchanges()), 1)
		})
	}
}

func TestServerDelayParsing(t *testing.T) {
	now := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"reset epoch", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(12*time.Second).Unix(), 10)}, 12 * time.Second},
		{"reset as delta", map[string]string{"X-Ratelimit-Reset": "5"}, 5 * time.Second},
		{"Retry-After wins", map[string]string{"Retry-After": "2", "X-Ratelimit-Reset": "9"}, 2 * time.Second},
		{"garbage", map[string]string{"Retry-After": "soon", "X-Ratelimit-Reset": "later"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, ok := serverDelay(h, now)
			wantEq(t, "delay", got, tc.want)
			wantEq(t, "given", ok, tc.name != "none" && tc.name != "garbage")
		})
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	c := New("k", WithBackoff(100*time.Millisecond, time.Second))
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		if attempt == 4 || attempt == 5 {
			base = time.Second
		}
		for range 50 {
			d := c.backoff(attempt)
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, base/2, base)
			}
		}
	}
}

func TestRetryLogsNeverCarryTheKey(t *testing.T) {
	srv := newSpecServer(t)
	var logs bytes.Buffer
	srv.queue(waiver{}, nil, reply{status: 503, body: `{"code":"internal_error","message":"key ` + testKey + ` rejected"}`}, reply{status: 503, body: brokenBody})
	_, err := srv.client(WithMaxRetries(1), WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))).GetTask(context.Background(), "t1")
	if err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(logs.String(), "tlclient retry") {
		t.Errorf("retry not logged: %q", logs.String())
	}
	for what, s := range map[string]string{"log": logs.String(), "error": err.Error()} {
		if strings.Contains(s, testKey) {
			t.Errorf("%s carries the API key: %s", what, s)
		}
	}
}

func TestRateLimitHeadersExposed(t *testing.T) {
	srv := newSpecServer(t)
	srv.queue(waiver{}, nil, reply{status: 200, body: indexJSON, header: map[string]string{
		"X-Ratelimit-Limit": "600", "X-Ratelimit-Remaining": "599", "X-Ratelimit-Used": "1", "X-Ratelimit-Reset": "4102444800"}})
	c := srv.client()
	if _, ok := c.RateLimit(); ok {
		t.Error("rate limit known before any response")
	}
	_, err := c.GetIndex(context.Background(), "ix1")
	wantOK(t, err)
	rl, ok := c.RateLimit()
	if !ok {
		t.Fatal("rate limit not recorded")
	}
	wantEq(t, "rate limit", rl, RateLimit{Limit: 600, Remaining: 599, Used: 1, Reset: time.Unix(4102444800, 0)})
}
