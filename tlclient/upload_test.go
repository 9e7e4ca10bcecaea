package tlclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestUploadSizeMismatchIsAClearError(t *testing.T) {
	cases := []struct {
		name     string
		content  string
		declared int64
		want     string
	}{
		{"shorter than declared", "0123456789", 100, "read 10 bytes, expected 100"},
		{"longer than declared", "0123456789", 4, "longer than its declared size 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := io.Copy(io.Discard, r.Body); err == nil {
					t.Error("server read a complete body from a broken upload")
				}
			}))
			defer srv.Close()
			_, err := New(testKey, WithBaseURL(srv.URL)).CreateTask(context.Background(),
				CreateTaskRequest{IndexID: "ix1", Video: ReaderUpload(strings.NewReader(tc.content), "a.mp4", tc.declared)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// A server that answers before reading a large upload must not leave the
// goroutine that feeds the pipe behind.
func TestRejectedUploadLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := filepath.Join(t.TempDir(), "big.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(256 << 20) // sparse
	f.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		io.WriteString(w, `{"code":"video_filesize_too_large","message":"too large"}`)
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	_, err = New(testKey, WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Transport: tr})).CreateTask(context.Background(),
		CreateTaskRequest{IndexID: "ix1", Video: FileUpload(path)})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "video_filesize_too_large" {
		t.Fatalf("error %v, want the server's video_filesize_too_large", err)
	}
}
