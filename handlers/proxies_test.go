package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"glimpse/internal/testwait"
)

// Behind a trusted proxy each browser's uploads count on their own; a
// forwarded address from anyone else is ignored, so a client cannot dodge
// the cap by naming another.
func TestUploadCapCountsForwardedClientsOfTrustedProxiesOnly(t *testing.T) {
	cases := []struct {
		name       string
		trusted    []string
		remote     string
		xff        [2]string
		wantSecond int
	}{
		{"no proxy trusted: one address", nil, "192.0.2.7:4000", [2]string{"198.51.100.1", "198.51.100.2"}, http.StatusTooManyRequests},
		{"trusted proxy, two browsers", []string{"192.0.2.7"}, "192.0.2.7:4000", [2]string{"198.51.100.1", "198.51.100.2"}, http.StatusOK},
		{"trusted proxy, one browser twice", []string{"192.0.2.0/24"}, "192.0.2.7:4000", [2]string{"198.51.100.1", "198.51.100.1"}, http.StatusTooManyRequests},
		{"a sender outside the trusted range", []string{"10.0.0.0/8"}, "192.0.2.7:4000", [2]string{"198.51.100.1", "198.51.100.2"}, http.StatusTooManyRequests},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{Log: slog.New(slog.DiscardHandler), TrustedProxies: tc.trusted, MaxUploadsPerClient: 1}
			r := s.newEngine()
			entered, release := make(chan struct{}, 2), make(chan struct{})
			r.POST("/upload", s.limitUploads(), func(c *gin.Context) {
				entered <- struct{}{}
				<-release
				c.Status(http.StatusOK)
			})
			send := func(xff string) <-chan int {
				done := make(chan int, 1)
				go func() {
					req := httptest.NewRequest(http.MethodPost, "/upload", nil)
					req.RemoteAddr = tc.remote
					req.Header.Set("X-Forwarded-For", xff)
					rec := httptest.NewRecorder()
					r.ServeHTTP(rec, req)
					done <- rec.Code
				}()
				return done
			}
			bound := time.After(testwait.Bound(t))
			first := send(tc.xff[0])
			select {
			case <-entered:
			case <-bound:
				t.Fatal("the first upload was not taken")
			}
			second := send(tc.xff[1])
			got := 0
			select {
			case <-entered: // taken: in flight beside the first
				close(release)
				got = <-second
			case got = <-second:
				close(release)
			case <-bound:
				t.Fatal("the second upload neither ran nor was refused")
			}
			<-first
			if got != tc.wantSecond {
				t.Errorf("second upload: %d, want %d", got, tc.wantSecond)
			}
		})
	}
}
