package tlclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestRedirectElsewhereDropsTheKey: Go's client forwards custom headers on
// redirects to any host; the API key must not follow one off the API's host.
func TestRedirectElsewhereDropsTheKey(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = r.Header.Get("x-api-key")
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"data":[],"page_info":{"page":1}}`))
		}
	}
	other := httptest.NewServer(record("other host"))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1.3/indexes", func(w http.ResponseWriter, r *http.Request) {
		target := other.URL + "/v1.3/indexes"
		if r.URL.Query().Get("page") == "2" {
			target = "/v1.3/same"
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
	mux.HandleFunc("/v1.3/same", record("same host"))
	api := httptest.NewServer(mux)
	defer api.Close()

	tests := []struct {
		name    string
		page    int
		where   string
		wantKey bool
	}{
		{"redirect to another host", 1, "other host", false},
		{"redirect on the same host", 2, "same host", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(testKey, WithBaseURL(api.URL+"/v1.3"), WithMaxRetries(0))
			if _, err := c.ListIndexes(context.Background(), ListIndexesParams{Page: tt.page}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			key, ok := got[tt.where]
			mu.Unlock()
			if !ok {
				t.Fatalf("the redirect never reached the %s", tt.where)
			}
			if (key == testKey) != tt.wantKey {
				t.Errorf("x-api-key at the %s = %q, want key sent: %v", tt.where, key, tt.wantKey)
			}
		})
	}
}
