package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// fakeCloud answers as the TwelveLabs cloud does for the calls the pages
// make with a pasted key: x-api-key checked on every call, errors as
// {code, message, docs_url} (genericError in the API description), lists
// as {data, page_info}. Each key has its own state, so tests that share
// the app do not disturb one another.
type fakeCloud struct {
	mu   sync.Mutex
	keys map[string]cloudState
}

type cloudState int

const (
	keyUnknown cloudState = iota // never issued: 401 api_key_invalid
	keyOK                        // answers
	keyRevoked                   // was good, now 401 api_key_invalid
	cloudGone                    // the connection drops: nothing answers
)

func newFakeCloud() *fakeCloud { return &fakeCloud{keys: map[string]cloudState{}} }

func (f *fakeCloud) set(key string, st cloudState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[key] = st
}

func (f *fakeCloud) state(key string) cloudState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[key]
}

const errorCodesDocs = "https://docs.twelvelabs.io/v1.3/api-reference/error-codes"

func (f *fakeCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch f.state(r.Header.Get("x-api-key")) {
	case cloudGone:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	case keyUnknown, keyRevoked:
		cloudError(w, http.StatusUnauthorized, "api_key_invalid",
			"The API key is invalid. Check that you copied it correctly from the dashboard.")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/v1.3")
	switch {
	case !ok:
		cloudError(w, http.StatusNotFound, "resource_not_exist", "The requested URL does not exist.")
	case r.Method == http.MethodGet && (path == "/indexes" || path == "/tasks"):
		// An account with nothing in it yet.
		cloudJSON(w, http.StatusOK, map[string]any{
			"data":      []any{},
			"page_info": map[string]any{"limit_per_page": 10, "page": 1, "total_page": 0, "total_results": 0},
		})
	default:
		cloudError(w, http.StatusNotFound, "resource_not_exist", "The requested resource does not exist.")
	}
}

func cloudError(w http.ResponseWriter, status int, code, msg string) {
	cloudJSON(w, status, map[string]string{"code": code, "message": msg, "docs_url": errorCodesDocs})
}

func cloudJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// syncBuffer is a bytes.Buffer the app's logger and a test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
