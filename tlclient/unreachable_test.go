package tlclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A call that gets no answer is ErrUnreachable; one the API answers, even
// with an error, is not.
func TestUnreachableIsTold(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close() // nothing listens there any more
	dropping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer dropping.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":"api_key_invalid","message":"The API key is invalid."}`)
	}))
	defer failing.Close()
	tests := []struct {
		name, url       string
		wantUnreachable bool
	}{
		{"connection refused", refused.URL, true},
		{"connection dropped", dropping.URL, true},
		{"key refused", failing.URL, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New("k-0123456789", WithBaseURL(tc.url), WithBackoff(time.Millisecond, time.Millisecond))
			_, err := c.ListIndexes(context.Background(), ListIndexesParams{PageLimit: 1})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrUnreachable); got != tc.wantUnreachable {
				t.Errorf("errors.Is(%v, ErrUnreachable) = %v", err, got)
			}
			var opErr *net.OpError
			if tc.name == "connection refused" && !errors.As(err, &opErr) {
				t.Errorf("the transport's error is not kept: %v", err)
			}
		})
	}
}
