package ingest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glimpse/engine/pipeline"
)

// TestFetchGuard checks the guard at dial time, where DNS tricks and
// redirects cannot get past it: Fetch itself refuses a loopback server.
func TestFetchGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/video.mp4", http.StatusFound)
			return
		}
		w.Write([]byte(strings.Repeat("v", 1000)))
	}))
	defer srv.Close()
	for _, c := range []struct {
		name         string
		allowPrivate bool
		limit        int64
		path         string
		code         string // "" = success
	}{
		{"loopback refused", false, 1 << 20, "/video.mp4", "parameter_invalid"},
		{"localhost name refused", false, 1 << 20, "/video.mp4", "parameter_invalid"},
		{"loopback allowed", true, 1 << 20, "/video.mp4", ""},
		{"redirect followed", true, 1 << 20, "/redirect", ""},
		{"over the limit", true, 999, "/video.mp4", "video_filesize_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			url := srv.URL + c.path
			if strings.HasPrefix(c.name, "localhost") {
				url = strings.Replace(url, "127.0.0.1", "localhost", 1)
			}
			d := NewDownloader(c.limit, 10*time.Second, c.allowPrivate)
			name, n, err := d.Fetch(t.Context(), url, dir)
			if c.code == "" {
				if err != nil || n != 1000 {
					t.Fatalf("%v %d", err, n)
				}
				if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() != 1000 {
					t.Errorf("downloaded file: %v", err)
				}
				return
			}
			var se *pipeline.StageError
			if !errors.As(err, &se) || se.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("a refused download left %d files", len(left))
			}
		})
	}
}
