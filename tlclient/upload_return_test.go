package tlclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// endlessReader stands for an HTTP handler's request body being passed on:
// once the call that was given it returns, nothing may read it any more.
type endlessReader struct {
	returned    atomic.Bool
	active      atomic.Int32 // reads in progress
	readsLate   atomic.Int64
	readsBefore atomic.Int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	r.active.Add(1)
	defer r.active.Add(-1)
	if r.returned.Load() {
		r.readsLate.Add(1)
	} else {
		r.readsBefore.Add(1)
	}
	time.Sleep(20 * time.Millisecond) // a slow sender
	return len(p), nil
}

func TestUploadReaderIsNotReadAfterTheCallReturns(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"server refuses before reading", 400, `{"code":"parameter_invalid","message":"no"}`},
		{"server fails before reading", 503, `{"code":"unavailable","message":"later"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.CopyN(io.Discard, r.Body, 1<<20) // read a little, then answer
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
				// Keep taking the body a while after answering, as a server
				// may: the client must stop sending by itself.
				http.NewResponseController(w).Flush()
				deadline := time.Now().Add(200 * time.Millisecond)
				for time.Now().Before(deadline) {
					if _, err := io.CopyN(io.Discard, r.Body, 64<<10); err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			src := &endlessReader{}
			_, err := New(testKey, WithBaseURL(srv.URL), WithMaxRetries(0)).CreateTask(context.Background(),
				CreateTaskRequest{IndexID: "ix1", Video: ReaderUpload(src, "clip.mp4", -1)})
			src.returned.Store(true)
			if n := src.active.Load(); n != 0 {
				t.Fatalf("the upload's reader was still being read when CreateTask returned")
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status {
				t.Fatalf("error %v, want the server's %d", err, tt.status)
			}
			time.Sleep(100 * time.Millisecond)
			if n := src.readsLate.Load(); n != 0 {
				t.Fatalf("the upload's reader was read %d times after CreateTask returned (%d before)", n, src.readsBefore.Load())
			}
		})
	}
}
