package tlclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

const testKey = "tlk_test_5ecret_key_0123456789"

// apiSpec is the repo's own API description, loaded once per test binary.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

var loadSpecOnce = sync.OnceValues(func() (*apiSpec, error) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "api", "twelvelabs-openapi.yml")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate %s: %w", path, err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiSpec{doc: doc, router: r}, nil
})

func mustSpec(t testing.TB) *apiSpec {
	t.Helper()
	s, err := loadSpecOnce()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reply is what the fake server answers.
type reply struct {
	status  int
	header  map[string]string
	body    string
	ndjson  bool // body is an NDJSON stream of AnalyzeStreamEvent
	rawBody bool // send body as text/plain (non-JSON error bodies)
}

// exchange is one request the fake server saw.
type exchange struct {
	method string
	path   string // without the /v1.3 prefix
	query  url.Values
	header http.Header
	body   []byte
}

// jsonBody decodes a JSON request body.
func (e exchange) jsonBody(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.body, &m); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, e.body)
	}
	return m
}

// form parses a multipart request body (files as their content).
func (e exchange) form(t *testing.T) map[string][]string {
	t.Helper()
	req := &http.Request{Method: e.method, Header: e.header, Body: io.NopCloser(bytes.NewReader(e.body))}
	if err := req.ParseMultipartForm(32 << 20); err != nil {
		t.Fatalf("request body is not multipart: %v", err)
	}
	out := map[string][]string{}
	for k, v := range req.MultipartForm.Value {
		out[k] = v
	}
	for k, fhs := range req.MultipartForm.File {
		for _, fh := range fhs {
			f, _ := fh.Open()
			b, _ := io.ReadAll(f)
			f.Close()
			out[k] = append(out[k], "file:"+fh.Filename+":"+string(b))
		}
	}
	return out
}

// specServer is an httptest server that checks every request the client sends
// and every response it is given against the API description.
type specServer struct {
	t    *testing.T
	spec *apiSpec
	srv  *httptest.Server

	mu      sync.Mutex
	replies []reply
	seen    []exchange
	// beyondSpec names the WIRE-NOTES fact that puts the request or the
	// response outside the description; only then is an undescribed route or
	// status accepted.
	beyondSpec string
	// partAlias renames multipart parts before validation, for a field the
	// live API (the full description) names differently from the seed.
	partAlias map[string]string
}

func newSpecServer(t *testing.T) *specServer {
	s := &specServer{t: t, spec: mustSpec(t)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *specServer) client(opts ...Option) *Client {
	opts = append([]Option{WithBaseURL(s.srv.URL + "/v1.3"), WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	return New(testKey, opts...)
}

// queue sets the answers for the next requests, in order.
func (s *specServer) queue(beyondSpec string, partAlias map[string]string, rs ...reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies, s.seen, s.beyondSpec, s.partAlias = rs, nil, beyondSpec, partAlias
}

func (s *specServer) exchanges() []exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]exchange(nil), s.seen...)
}

func (s *specServer) serve(w http.ResponseWriter, r *http.Request) {
	t := s.t
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read request body: %v", err)
		return
	}
	s.mu.Lock()
	beyond := s.beyondSpec
	specBody := body
	for from, to := range s.partAlias {
		specBody = bytes.ReplaceAll(specBody, []byte(`name="`+from+`"`), []byte(`name="`+to+`"`))
	}
	var rep reply
	if len(s.replies) == 0 {
		rep = reply{status: 500, body: `{"code":"test_unexpected","message":"no reply queued"}`}
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	} else {
		rep, s.replies = s.replies[0], s.replies[1:]
	}
	s.seen = append(s.seen, exchange{method: r.Method, path: strings.TrimPrefix(r.URL.Path, "/v1.3"),
		query: r.URL.Query(), header: r.Header.Clone(), body: body})
	s.mu.Unlock()

	if got := r.Header.Get("x-api-key"); got != testKey {
		t.Errorf("%s %s: x-api-key header missing or wrong", r.Method, r.URL.Path)
	}
	if ua := r.Header.Get("User-Agent"); !strings.Contains(ua, "glimpse-tlclient/"+Version) {
		t.Errorf("%s %s: User-Agent %q does not name glimpse-tlclient/%s", r.Method, r.URL.Path, ua, Version)
	}

	// Route the request as if it were sent to the server of the description.
	specReq := r.Clone(r.Context())
	specReq.URL, _ = url.Parse("https://api.twelvelabs.io" + r.URL.RequestURI())
	specReq.Host = "api.twelvelabs.io"
	specReq.Body = io.NopCloser(bytes.NewReader(specBody))
	specReq.ContentLength = int64(len(specBody))
	route, params, err := s.spec.router.FindRoute(specReq)
	var in *openapi3filter.RequestValidationInput
	switch {
	case err != nil && beyond == "":
		t.Errorf("%s %s is not in the API description: %v", r.Method, r.URL.Path, err)
	case err == nil:
		in = &openapi3filter.RequestValidationInput{Request: specReq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
				AuthenticationFunc: func(ctx context.Context, ai *openapi3filter.AuthenticationInput) error {
					if ai.RequestValidationInput.Request.Header.Get("x-api-key") == "" {
						return fmt.Errorf("no x-api-key")
					}
					return nil
				}}}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			t.Errorf("%s %s: request violates the API description: %v", r.Method, r.URL.Path, err)
		}
	}

	ct := "application/json"
	switch {
	case rep.ndjson:
		ct = "application/x-ndjson"
	case rep.rawBody:
		ct = "text/plain; charset=utf-8"
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.body != "" {
		w.Header().Set("Content-Type", ct)
	}
	s.checkResponse(in, beyond, rep, ct)
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// checkResponse validates the canned answer before the client sees it.
func (s *specServer) checkResponse(in *openapi3filter.RequestValidationInput, beyond string, rep reply, ct string) {
	t := s.t
	if in == nil {
		return // route beyond the description, already justified
	}
	where := in.Request.Method + " " + in.Request.URL.Path
	switch {
	case rep.status >= 400:
		// The description declares one error shape, {code, message}.
		var probe map[string]any
		isErrShape := json.Unmarshal([]byte(rep.body), &probe) == nil && probe["code"] != nil
		if !isErrShape {
			if beyond == "" {
				t.Errorf("%s: error body %q is not the described {code,message} and no WIRE-NOTES fact was named", where, rep.body)
			}
			return
		}
		if err := s.spec.doc.Components.Schemas["Error"].Value.VisitJSON(probe); err != nil {
			t.Errorf("%s: error body violates Error schema: %v", where, err)
		}
	case rep.ndjson:
		schema := s.spec.doc.Components.Schemas["AnalyzeStreamEvent"].Value
		if in.Route.Operation.Responses.Status(rep.status).Value.Content.Get("application/x-ndjson") == nil {
			t.Errorf("%s: NDJSON is not a described response", where)
		}
		for _, line := range strings.Split(rep.body, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Errorf("%s: NDJSON line %q is not JSON", where, line)
				continue
			}
			if err := schema.VisitJSON(v); err != nil {
				t.Errorf("%s: NDJSON event %s violates AnalyzeStreamEvent: %v", where, line, err)
			}
		}
	default:
		h := http.Header{}
		if rep.body != "" {
			h.Set("Content-Type", ct)
		}
		err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: rep.status, Header: h,
			Body: io.NopCloser(strings.NewReader(rep.body)), Options: in.Options,
		})
		if err != nil && beyond == "" {
			t.Errorf("%s: response %d violates the API description: %v", where, rep.status, err)
		}
	}
}

func matchRe(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
