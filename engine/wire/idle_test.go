package wire

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A body that keeps sending, however slowly, is read to its end; one that
// stops sending fails its read once it has been idle too long.
func TestIdleBodiesCutStalledBodiesOnly(t *testing.T) {
	const idle = 500 * time.Millisecond
	srv := httptest.NewServer(IdleBodies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
		}
		fmt.Fprint(w, n)
	}), idle))
	defer srv.Close()
	tests := []struct {
		name       string
		pieces     int
		gap        time.Duration // between pieces
		stall      bool          // stop sending after the pieces
		wantStatus int
	}{
		{"slow but moving", 8, idle / 3, false, http.StatusOK},
		{"stalled after a start", 2, 0, true, http.StatusRequestTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() {
				for range tt.pieces {
					pw.Write([]byte("0123456789"))
					time.Sleep(tt.gap)
				}
				if !tt.stall {
					pw.Close()
				}
			}()
			defer pw.Close()
			resp, err := http.Post(srv.URL, "application/octet-stream", pr)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d (%s), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK && string(body) != fmt.Sprint(tt.pieces*10) {
				t.Errorf("read %s bytes, want %d", body, tt.pieces*10)
			}
		})
	}
}
