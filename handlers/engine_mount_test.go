package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The embedded engine accepts any key, but a request that changes
// something must carry one: a page on another site can post a form to the
// app's origin, and a form cannot set x-api-key.
func TestEmbeddedEngineRefusesKeylessWrites(t *testing.T) {
	form := url.Values{"index_name": {"cross-site"}}
	tests := []struct {
		name, method, path, key, contentType string
		body                                 string
		wantStatus                           int
	}{
		{"form post without a key", "POST", "/engine/v1.3/indexes", "", "application/x-www-form-urlencoded", form.Encode(), http.StatusUnauthorized},
		{"text/plain JSON without a key", "POST", "/engine/v1.3/indexes", "", "text/plain",
			`{"index_name":"cross-site","models":[{"model_name":"marengo3.0","model_options":["visual"]}]}`, http.StatusUnauthorized},
		{"delete without a key", "DELETE", "/engine/v1.3/indexes/000000000000000000000000", "", "", "", http.StatusUnauthorized},
		{"read without a key", "GET", "/engine/v1.3/indexes", "", "", "", http.StatusOK},
		{"write with any key", "POST", "/engine/v1.3/indexes", "any", "application/json",
			`{"index_name":"keyed write","models":[{"model_name":"marengo3.0","model_options":["visual"]}]}`, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, app.URL+tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.key != "" {
				req.Header.Set("x-api-key", tt.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, b)
			}
		})
	}
}
