package main

import (
	"net/http"
	"testing"
)

// With GLIMPSE_BASIC_AUTH every page asks for the login; the health check
// stays open for the container's probe.
func TestBasicAuthGuardsEveryPage(t *testing.T) {
	base, _, _ := startRun(t, map[string]string{"GLIMPSE_BASIC_AUTH": "ann:correct horse"})
	tests := []struct {
		name, path, user, pass string
		want                   int
	}{
		{"home without login", "/", "", "", http.StatusUnauthorized},
		{"settings without login", "/settings", "", "", http.StatusUnauthorized},
		{"static without login", "/static/missing.css", "", "", http.StatusUnauthorized},
		{"wrong password", "/", "ann", "wrong password", http.StatusUnauthorized},
		{"home with login", "/", "ann", "correct horse", http.StatusOK},
		{"health without login", "/healthz", "", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+tt.path, nil)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
