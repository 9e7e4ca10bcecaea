package tlclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"glimpse/internal/testwait"
)

func TestNDJSONLines(t *testing.T) {
	long := strings.Repeat("x", 3<<20) // far past any buffer
	cases := []struct {
		name  string
		input string
		want  []string
	}{
		{"empty", "", nil},
		{"one line", "{\"a\":1}\n", []string{`{"a":1}`}},
		{"last line without newline", "{\"a\":1}\n{\"b\":2}", []string{`{"a":1}`, `{"b":2}`}},
		{"CRLF and blank lines", "\r\n{\"a\":1}\r\n\n  \n{\"b\":2}\r\n", []string{`{"a":1}`, `{"b":2}`}},
		{"3 MiB line", "{\"t\":\"" + long + "\"}\n{\"end\":true}", []string{`{"t":"` + long + `"}`, `{"end":true}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range map[string]io.Reader{"whole": strings.NewReader(tc.input), "byte by byte": iotest.OneByteReader(strings.NewReader(tc.input))} {
				nr := newNDJSONReader(src)
				var got []string
				for {
					line, err := nr.next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, string(line))
				}
				if len(got) != len(tc.want) {
					t.Fatalf("got %d lines, want %d", len(got), len(tc.want))
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Errorf("line %d differs (len %d vs %d)", i, len(got[i]), len(tc.want[i]))
					}
				}
			}
		})
	}
}

func TestDecodeEvents(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		want    []StreamEvent
		wantErr string
	}{
		{"unterminated last event is kept", `{"event_type":"text_generation","text":"a"}` + "\n" + `{"event_type":"stream_end","finish_reason":"length"}`,
			[]StreamEvent{{EventType: "text_generation", Text: "a"}, {EventType: "stream_end", FinishReason: "length"}}, ""},
		{"unknown fields and event types pass", `{"event_type":"keepalive","extra":{"x":1}}` + "\n",
			[]StreamEvent{{EventType: "keepalive"}}, ""},
		{"bad line stops with an error", `{"event_type":"text_generation","text":"a"}` + "\nnot json\n" + `{"event_type":"stream_end"}`,
			[]StreamEvent{{EventType: "text_generation", Text: "a"}}, "bad event"},
		{"cut connection", "", nil, "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(tc.input)
			if tc.name == "cut connection" {
				r = io.MultiReader(strings.NewReader(`{"event_type":"text_gen`), iotest.ErrReader(io.ErrUnexpectedEOF))
			}
			var got []StreamEvent
			var gotErr error
			for ev, err := range decodeEvents(r) {
				if err != nil {
					gotErr = err
					break
				}
				got = append(got, ev)
			}
			wantEq(t, "events", got, tc.want)
			if tc.wantErr == "" && gotErr != nil || tc.wantErr != "" && (gotErr == nil || !strings.Contains(gotErr.Error(), tc.wantErr)) {
				t.Errorf("error %v, want one containing %q", gotErr, tc.wantErr)
			}
		})
	}
}

// streamServer writes one event, then holds the stream open until the client
// goes away, and reports that it saw the client go.
func streamServer(t *testing.T) (*httptest.Server, <-chan struct{}) {
	gone := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		fmt.Fprintln(w, `{"event_type":"stream_start","metadata":{"generation_id":"g1"}}`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			gone <- struct{}{}
		case <-time.After(testwait.Bound(t)):
		}
	}))
	t.Cleanup(srv.Close)
	return srv, gone
}

func TestCancelledStreamClosesTheConnection(t *testing.T) {
	cases := []struct {
		name   string
		cancel bool // cancel the context; else stop the loop
	}{{"context cancelled", true}, {"loop stopped", false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, gone := streamServer(t)
			c := New(testKey, WithBaseURL(srv.URL))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var events int
			var lastErr error
			for ev, err := range c.AnalyzeStream(ctx, AnalyzeRequest{VideoID: "v1", Prompt: "p"}) {
				if err != nil {
					lastErr = err
					break
				}
				events++
				if ev.EventType != EventStreamStart {
					t.Errorf("event %q, want stream_start", ev.EventType)
				}
				if !tc.cancel {
					break
				}
				cancel()
			}
			wantEq(t, "events", events, 1)
			if tc.cancel && !errors.Is(lastErr, context.Canceled) {
				t.Errorf("stream ended with %v, want context.Canceled", lastErr)
			}
			select {
			case <-gone:
			case <-time.After(testwait.Bound(t)):
				t.Fatal("the server never saw the connection close")
			}
		})
	}
}

func TestListIteratorsStopOnEmptyPage(t *testing.T) {
	srv := newSpecServer(t)
	page := func(ids ...string) reply {
		var items []string
		for _, id := range ids {
			items = append(items, `{"_id":"`+id+`","index_name":"n`+id+`"}`)
		}
		// total_page deliberately lies: only an empty page ends the list.
		return reply{status: 200, body: `{"data":[` + strings.Join(items, ",") + `],"page_info":{"page":1,"total_page":1}}`}
	}
	cases := []struct {
		name      string
		replies   []reply
		stopAfter int
		want      []string
		wantPages []string
		wantErr   bool
	}{
		{"walks until an empty page", []reply{page("a", "b"), page("c"), page()}, 0, []string{"a", "b", "c"}, []string{"1", "2", "3"}, false},
		{"stopping early fetches no more", []reply{page("a", "b"), page("c")}, 1, []string{"a"}, []string{"1"}, false},
		{"an error ends the walk", []reply{page("a"), {status: 500, body: brokenBody}}, 0, []string{"a"}, []string{"1", "2"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.t = t
			srv.queue(waiver{}, nil, tc.replies...)
			var got []string
			var gotErr error
			for ix, err := range srv.client(WithMaxRetries(0)).Indexes(context.Background(), ListIndexesParams{PageLimit: 2}) {
				if err != nil {
					gotErr = err
					break
				}
				got = append(got, ix.ID)
				if tc.stopAfter > 0 && len(got) == tc.stopAfter {
					break
				}
			}
			wantEq(t, "ids", got, tc.want)
			var pages []string
			for _, e := range srv.exchanges() {
				pages = append(pages, e.query.Get("page"))
				wantEq(t, "page_limit", e.query.Get("page_limit"), "2")
			}
			wantEq(t, "pages fetched", pages, tc.wantPages)
			wantEq(t, "error", gotErr != nil, tc.wantErr)
		})
	}
}

func TestOtherListIterators(t *testing.T) {
	srv := newSpecServer(t)
	ctx := context.Background()
	collect := func(seq func(func(string, error) bool)) []string {
		var ids []string
		for id, err := range seq {
			wantOK(t, err)
			ids = append(ids, id)
		}
		return ids
	}
	srv.queue(waiver{}, nil, reply{status: 200, body: `{"data":[` + videoJSON + `]}`}, reply{status: 200, body: `{"data":[]}`})
	wantEq(t, "videos", collect(func(y func(string, error) bool) {
		for v, err := range srv.client().Videos(ctx, "ix1", ListVideosParams{}) {
			if !y(v.ID, err) {
				return
			}
		}
	}), []string{"66a0aa11b2c3d4e5f6a7b8c9"})
	srv.queue(waiver{}, nil, reply{status: 200, body: `{"data":[` + taskJSON + `]}`}, reply{status: 200, body: `{"data":[]}`})
	wantEq(t, "tasks", collect(func(y func(string, error) bool) {
		for v, err := range srv.client().Tasks(ctx, ListTasksParams{IndexID: "ix1"}) {
			if !y(v.ID, err) {
				return
			}
		}
	}), []string{"66b0aa11b2c3d4e5f6a7b8c9"})
	srv.queue(waiver{}, nil, reply{status: 200, body: `{"data":[{"_id":"et1","status":"ready"}]}`}, reply{status: 200, body: `{"data":[]}`})
	wantEq(t, "embedding tasks", collect(func(y func(string, error) bool) {
		for v, err := range srv.client().EmbeddingTasks(ctx, ListEmbeddingTasksParams{}) {
			if !y(v.ID, err) {
				return
			}
		}
	}), []string{"et1"})
}

func TestSearchAllFollowsPageTokens(t *testing.T) {
	srv := newSpecServer(t)
	srv.queue(waiver{}, nil, reply{status: 200, body: searchP1}, reply{status: 200, body: searchP2})
	var starts []float64
	for r, err := range srv.client().SearchAll(context.Background(), SearchRequest{IndexID: "ix1", QueryText: "train", SearchOptions: []string{"visual"}, PageLimit: 2}) {
		wantOK(t, err)
		starts = append(starts, r.Start)
	}
	wantEq(t, "starts", starts, []float64{10.5, 40, 90})
	ex := srv.exchanges()
	wantEq(t, "requests", len(ex), 2)
	wantEq(t, "second request", ex[1].method+" "+ex[1].path, "GET /search/tok-2")
}

func TestWaitForTask(t *testing.T) {
	indexing := func(p int) reply {
		return reply{status: 200, body: fmt.Sprintf(`{"_id":"t1","status":"indexing","progress":%d}`, p)}
	}
	t.Run("reports progress until ready", func(t *testing.T) {
		srv := newSpecServer(t)
		srv.queue(waiver{}, nil, reply{status: 200, body: `{"_id":"t1","status":"pending"}`}, indexing(40), indexing(80),
			reply{status: 200, body: `{"_id":"t1","status":"ready","video_id":"v1"}`})
		var seen []string
		task, err := srv.client().WaitForTask(context.Background(), "t1", WaitOptions{Interval: time.Millisecond, OnUpdate: func(t *Task) {
			p := -1.0
			if t.Progress != nil {
				p = *t.Progress
			}
			seen = append(seen, fmt.Sprintf("%s:%g", t.Status, p))
		}})
		wantOK(t, err)
		wantEq(t, "final", task.Status+"/"+task.VideoID, "ready/v1")
		wantEq(t, "updates", seen, []string{"pending:-1", "indexing:40", "indexing:80", "ready:-1"})
	})
	t.Run("failed task is returned with its failure", func(t *testing.T) {
		srv := newSpecServer(t)
		srv.queue(waiver{}, nil, reply{status: 200, body: failJSON})
		task, err := srv.client().WaitForTask(context.Background(), "t1", WaitOptions{Interval: time.Millisecond})
		wantOK(t, err)
		wantEq(t, "failure code", task.Failure.Code, "video_duration_too_short")
	})
	for _, bound := range []string{"context deadline", "Timeout option"} {
		t.Run("stops at the "+bound, func(t *testing.T) {
			srv := newSpecServer(t)
			var rs []reply
			for range 200 {
				rs = append(rs, indexing(10))
			}
			srv.queue(waiver{}, nil, rs...)
			ctx := context.Background()
			opts := WaitOptions{Interval: 20 * time.Millisecond}
			if bound == "context deadline" {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 150*time.Millisecond)
				defer cancel()
			} else {
				opts.Timeout = 150 * time.Millisecond
			}
			task, err := srv.client().WaitForTask(ctx, "t1", opts)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want DeadlineExceeded", err)
			}
			if task == nil || task.Status != "indexing" {
				t.Errorf("want the last task seen, got %+v", task)
			}
		})
	}
}

func TestBadInputIsRejectedBeforeSending(t *testing.T) {
	srv := newSpecServer(t)
	srv.queue(waiver{}, nil)
	c := srv.client()
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"task with both file and URL", func() error {
			_, err := c.CreateTask(ctx, CreateTaskRequest{IndexID: "ix", Video: ReaderUpload(strings.NewReader("x"), "a.mp4", 1), VideoURL: "https://x/a.mp4"})
			return err
		}, "exactly one of Video and VideoURL"},
		{"task without index", func() error { _, err := c.CreateTask(ctx, CreateTaskRequest{VideoURL: "https://x/a.mp4"}); return err }, "empty index id"},
		{"missing upload file", func() error {
			_, err := c.CreateTask(ctx, CreateTaskRequest{IndexID: "ix", Video: FileUpload("/nonexistent/movie.mp4")})
			return err
		}, "no such file"},
		{"search without options", func() error { _, err := c.Search(ctx, SearchRequest{IndexID: "ix", QueryText: "q"}); return err }, "search option"},
		{"search without query", func() error {
			_, err := c.Search(ctx, SearchRequest{IndexID: "ix", SearchOptions: []string{"visual"}})
			return err
		}, "text or media query"},
		{"empty video id", func() error { _, err := c.GetVideo(ctx, "ix", "", GetVideoParams{}); return err }, "empty video id"},
		{"analyze without prompt", func() error { _, err := c.Analyze(ctx, AnalyzeRequest{VideoID: "v"}); return err }, "Prompt"},
		{"embed without input", func() error { _, err := c.Embed(ctx, EmbedRequest{ModelName: "m"}); return err }, "text, an image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	wantEq(t, "requests sent", len(srv.exchanges()), 0)
}

func TestDecodeError(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   APIError
		is     error
	}{
		{"code and message", 400, `{"code":"parameter_invalid","message":"page_limit too big","docs_url":"https://docs/x"}`,
			APIError{StatusCode: 400, Code: "parameter_invalid", Message: "page_limit too big", DocsURL: "https://docs/x"}, ErrInvalidParameter},
		{"error_code", 400, `{"error_code":"search_page_token_expired","message":"expired"}`,
			APIError{StatusCode: 400, Code: "search_page_token_expired", Message: "expired"}, nil},
		{"nested error", 404, `{"error":{"code":"resource_not_exist","message":"gone","docs_url":"https://d"}}`,
			APIError{StatusCode: 404, Code: "resource_not_exist", Message: "gone", DocsURL: "https://d"}, ErrNotFound},
		{"error as string", 401, `{"error":"bad key"}`, APIError{StatusCode: 401, Message: "bad key"}, ErrInvalidAPIKey},
		{"empty 429", 429, "", APIError{StatusCode: 429, Message: "Too Many Requests"}, ErrRateLimited},
		{"HTML", 502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>", APIError{StatusCode: 502, Message: "<html> <h1>502 Bad Gateway</h1> </html>"}, nil},
		{"JSON array", 500, `["x"]`, APIError{StatusCode: 500, Message: `["x"]`}, nil},
		{"code by name only", 400, `{"code":"too_many_requests","message":"m"}`, APIError{StatusCode: 400, Code: "too_many_requests", Message: "m"}, ErrRateLimited},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeError(tc.status, []byte(tc.body))
			wantEq(t, "error", *got, tc.want)
			if tc.is != nil && !errors.Is(got, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", got, tc.is)
			}
		})
	}
}

// FuzzNDJSONLines checks the reader against a plain split on "\n", with a
// tiny buffer so lines of any length cross buffer boundaries.
func FuzzNDJSONLines(f *testing.F) {
	for _, s := range []string{"", "\n", "{}\n{}", "a\r\nb", "\n\n x \n", strings.Repeat("y", 100) + "\nz"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []string
		for _, l := range bytes.Split(data, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) > 0 {
				want = append(want, string(l))
			}
		}
		nr := newNDJSONReaderSize(bytes.NewReader(data), 16)
		var got []string
		for {
			line, err := nr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(line))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
			t.Fatalf("lines %q, want %q", got, want)
		}
	})
}

// FuzzNDJSONEvents never panics and never yields an event after an error.
func FuzzNDJSONEvents(f *testing.F) {
	f.Add([]byte(`{"event_type":"stream_start","metadata":{"generation_id":"g"}}` + "\n" + `{"event_type":"text_generation","text":"hi"}`))
	f.Add([]byte("{\"event_type\":1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		failed := false
		for _, err := range decodeEvents(bytes.NewReader(data)) {
			if failed {
				t.Fatal("event after an error")
			}
			failed = err != nil
		}
	})
}

// FuzzDecodeError turns any body into a usable error: never a panic, always a
// message, printable as one line of valid UTF-8.
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"code":"x","message":"y"}`, `{"error_code":"e","message":"m"}`, `{"error":{"message":"n"}}`,
		`{"error":"s"}`, `{"code":5,"message":null}`, "\xff\xfe", "<html>\n</html>", `{"error":[1]}`} {
		f.Add(500, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeError(status, body)
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		msg := e.Error()
		if e.Message == "" || !strings.HasPrefix(msg, "tlclient: ") || !utf8.ValidString(msg) {
			t.Fatalf("bad error %q", msg)
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] != '{' && strings.ContainsAny(e.Message, "\n\r") {
			t.Fatalf("non-JSON body kept its line breaks: %q", e.Message)
		}
	})
}
