package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// TestRateLimitHeaders: every response reports the endpoint's window; past
// the limit a request is refused with 429 and Retry-After, except an
// upload; each endpoint counts on its own, and a new window starts afresh.
func TestRateLimitHeaders(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "engine.db"), filepath.Join(dir, "videos"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 10, 0, 20, 0, time.UTC)
	limits := &RateLimiter{Limit: 2, Window: time.Minute, Now: func() time.Time { return now }}
	h := (&Server{Store: st, Media: wire.NewMediaLinks("", nil, 0), APIKey: "k", Limits: limits,
		Logger: slog.New(slog.DiscardHandler)}).Handler()
	reset := strconv.FormatInt(time.Date(2026, 3, 1, 10, 1, 0, 0, time.UTC).Unix(), 10)

	do := func(method, path, key string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		req := httptest.NewRequest(method, "http://engine/v1.3"+path, &body)
		if method == "POST" { // an upload without index_id: a 400 from the handler
			mw := multipart.NewWriter(&body)
			mw.WriteField("video_url", "https://example.com/a.mp4")
			mw.Close()
			req = httptest.NewRequest(method, "http://engine/v1.3"+path, &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		req.Header.Set("x-api-key", key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	type want struct {
		code                  int
		limit, remaining, use string
	}
	for _, c := range []struct {
		name, method, path, key string
		want                    want
	}{
		{"first", "GET", "/indexes", "k", want{200, "2", "1", "1"}},
		{"second", "GET", "/indexes", "k", want{200, "2", "0", "2"}},
		{"past the limit", "GET", "/indexes", "k", want{429, "2", "0", "3"}},
		{"a wrong key counts for nothing", "GET", "/indexes", "bad", want{401, "", "", ""}},
		{"another endpoint", "GET", "/tasks", "k", want{200, "2", "1", "1"}},
		{"upload 1", "POST", "/tasks", "k", want{400, "2", "1", "1"}},
		{"upload 2", "POST", "/tasks", "k", want{400, "2", "0", "2"}},
		{"an upload past the limit still reaches the handler", "POST", "/tasks", "k", want{400, "2", "0", "3"}},
	} {
		rec := do(c.method, c.path, c.key)
		got := want{rec.Code, rec.Header().Get("X-Ratelimit-Limit"), rec.Header().Get("X-Ratelimit-Remaining"), rec.Header().Get("X-Ratelimit-Used")}
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		if c.want.limit != "" && rec.Header().Get("X-Ratelimit-Reset") != reset {
			t.Errorf("%s: X-Ratelimit-Reset %q, want %s", c.name, rec.Header().Get("X-Ratelimit-Reset"), reset)
		}
		if rec.Code == 429 {
			var e struct{ Code, Message string }
			json.Unmarshal(rec.Body.Bytes(), &e)
			if e.Code != "too_many_requests" || e.Message == "" || rec.Header().Get("Retry-After") != "40" {
				t.Errorf("%s: %s, Retry-After %q", c.name, rec.Body, rec.Header().Get("Retry-After"))
			}
		}
	}

	now = now.Add(40 * time.Second) // 10:01:00, the next window
	if rec := do("GET", "/indexes", "k"); rec.Code != http.StatusOK || rec.Header().Get("X-Ratelimit-Used") != "1" {
		t.Errorf("next window: %d used %s", rec.Code, rec.Header().Get("X-Ratelimit-Used"))
	}
}
