package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"glimpse/internal/apispec"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specCheck validates every /v1.3 response the engine gives the SDK
// scripts against the full description, and counts the operations whose
// successful responses it validated.
type specCheck struct {
	doc    *openapi3.T
	router routers.Router

	mu     sync.Mutex
	passed map[string]int // operationId → valid successful responses
	// bySDK: SDK version (its X-Fern-SDK-Version header) → operationIds
	// it got a valid successful response from.
	bySDK    map[string]map[string]bool
	problems []string
}

func newSpecCheck(t *testing.T) *specCheck {
	full, err := apispec.Full()
	if err != nil {
		t.Fatal(err)
	}
	return &specCheck{doc: full.Doc, router: full.Router, passed: map[string]int{}, bySDK: map[string]map[string]bool{}}
}

func (c *specCheck) problem(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.problems) < 50 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// wrap passes every request through and checks the /v1.3 answers.
func (c *specCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1.3/") {
			next.ServeHTTP(w, r)
			return
		}
		tee := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(tee, r)
		c.check(r, tee.status, w.Header(), tee.body.Bytes())
	})
}

func (c *specCheck) check(r *http.Request, status int, header http.Header, body []byte) {
	where := fmt.Sprintf("%s %s → %d", r.Method, r.URL.Path, status)
	specReq := r.Clone(context.Background())
	specReq.URL, _ = url.Parse("https://api.twelvelabs.io" + r.URL.RequestURI())
	specReq.Host, specReq.Body = "api.twelvelabs.io", http.NoBody
	route, params, err := c.router.FindRoute(specReq)
	if err != nil {
		c.problem("%s: not an operation of the full description: %v", where, err)
		return
	}
	op := route.Operation.OperationID
	if status >= 400 {
		c.checkError(where, op, body)
		return
	}
	for _, name := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Used", "X-Ratelimit-Reset"} {
		if _, err := strconv.ParseFloat(header.Get(name), 64); err != nil {
			c.problem("%s: %s is %q, not a number", where, name, header.Get(name))
			return
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: specReq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if ct := header.Get("Content-Type"); op == "generate-text-representation" && strings.HasPrefix(ct, "application/x-ndjson") {
		// The description gives the stream's events as the 200's
		// StreamAnalyzeResponse, one per NDJSON line, under application/json.
		if !c.checkStream(where, status, body) {
			return
		}
	} else if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options,
	}); err != nil {
		c.problem("%s: %v\n%.400s", where, err, body)
		return
	}
	c.mu.Lock()
	c.passed[op]++
	if v := r.Header.Get("X-Fern-SDK-Version"); v != "" {
		if c.bySDK[v] == nil {
			c.bySDK[v] = map[string]bool{}
		}
		c.bySDK[v][op] = true
	}
	c.mu.Unlock()
}

// checkError holds an error to the one shape the description gives,
// {code, message, docs_url?}: it declares only 400 (and 429 for some
// operations), but the live service answers 401, 404 and 409 in the same
// shape (WIRE-NOTES), so every error status is held to it.
func (c *specCheck) checkError(where, op string, body []byte) {
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		c.problem("%s: error body is not JSON: %.200s", where, body)
		return
	}
	codeField := "code"
	if op == "any-to-video--retrieve-specific-page" && e["error_code"] != nil {
		codeField = "error_code" // WIRE-NOTES: this endpoint's live errors
	}
	code, _ := e[codeField].(string)
	msg, _ := e["message"].(string)
	if code == "" || msg == "" {
		c.problem("%s: error body lacks %s or message: %.200s", where, codeField, body)
	}
	if u, ok := e["docs_url"]; ok {
		if _, isString := u.(string); !isString {
			c.problem("%s: docs_url is not a string: %.200s", where, body)
		}
	}
}

func (c *specCheck) checkStream(where string, status int, body []byte) bool {
	if status != http.StatusOK {
		c.problem("%s: a stream with status %d", where, status)
		return false
	}
	schema := c.doc.Components.Schemas["StreamAnalyzeResponse"].Value
	if !bytes.HasSuffix(body, []byte("\n")) {
		c.problem("%s: the stream's last line has no \\n (the SDK drops it)", where)
		return false
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(body), "\n"), "\n") {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			c.problem("%s: stream line %q is not JSON", where, line)
			return false
		}
		if err := schema.VisitJSON(v); err != nil {
			c.problem("%s: stream event %s violates StreamAnalyzeResponse: %v", where, line, err)
			return false
		}
	}
	return true
}

// report fails t for every invalid response, every product operation that
// no script got a valid successful response from, and every one that an SDK
// version of sdks did not.
func (c *specCheck) report(t *testing.T, sdks []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.problems {
		t.Error(p)
	}
	var missing []string
	for _, op := range apispec.ProductOperations {
		if c.passed[op] == 0 {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no valid successful response from %d of the %d operations: %s", len(missing), len(apispec.ProductOperations), strings.Join(missing, ", "))
	}
	for _, v := range sdks {
		var lacking []string
		for _, op := range apispec.ProductOperations {
			if !c.bySDK[v][op] {
				lacking = append(lacking, op)
			}
		}
		if len(lacking) > 0 {
			t.Errorf("twelvelabs-js %s got no valid successful response from %d of the %d operations: %s", v, len(lacking), len(apispec.ProductOperations), strings.Join(lacking, ", "))
		}
	}
	ops := make([]string, 0, len(c.passed))
	for op, n := range c.passed {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	slices.Sort(ops)
	t.Logf("valid successful responses by operation: %s", strings.Join(ops, ", "))
}

// teeWriter passes a response through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.wrote = true
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestSpecCheckCatchesDeviations: the check fails the deviations the engine
// once had, and passes their fixed forms.
func TestSpecCheckCatchesDeviations(t *testing.T) {
	c := newSpecCheck(t)
	rate := map[string]string{"X-Ratelimit-Limit": "10", "X-Ratelimit-Remaining": "9", "X-Ratelimit-Used": "1", "X-Ratelimit-Reset": "1718777276"}
	const created = `{"_id":"6298d673f1090f1100476d4c","video_id":"6298d673f1090f1100476d4d"}`
	const chapterTmpl = `{"id":"g1","summarize_type":"chapter","chapters":[{"chapter_number":1,"start":%s,"end":12,"start_sec":0.5,"end_sec":12.25,"chapter_title":"t","chapter_summary":"s"}],"usage":{"output_tokens":3}}`
	for _, tc := range []struct {
		name, method, path string
		status             int
		header             map[string]string
		body               string
		problem            string // "" for none
	}{
		{"upload answered 201", "POST", "/v1.3/tasks", 201, rate, created, "status is not supported"},
		{"upload answered 200", "POST", "/v1.3/tasks", 200, rate, created, ""},
		{"no rate-limit headers", "POST", "/v1.3/tasks", 200, nil, created, "X-Ratelimit-Limit"},
		{"fractional deprecated start", "POST", "/v1.3/summarize", 200, rate, fmt.Sprintf(chapterTmpl, "0.5"), "start"},
		{"whole deprecated start", "POST", "/v1.3/summarize", 200, rate, fmt.Sprintf(chapterTmpl, "0"), ""},
		{"error without a code", "GET", "/v1.3/tasks/x", 404, nil, `{"message":"gone"}`, "lacks code"},
		{"error in the live shape", "GET", "/v1.3/tasks/x", 404, nil, `{"code":"resource_not_exist","message":"gone"}`, ""},
		{"stream without its last newline", "POST", "/v1.3/analyze", 200, map[string]string{"Content-Type": "application/x-ndjson",
			"X-Ratelimit-Limit": "1", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Used": "1", "X-Ratelimit-Reset": "1"},
			`{"event_type":"stream_start","metadata":{"generation_id":"g"}}`, "no \\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.problems = nil
			h := c.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, "http://engine"+tc.path, nil))
			got := strings.Join(c.problems, "\n")
			if tc.problem == "" && got != "" {
				t.Errorf("valid response refused: %s", got)
			}
			if tc.problem != "" && !strings.Contains(got, tc.problem) {
				t.Errorf("problems %q, want one naming %q", got, tc.problem)
			}
		})
	}
}
