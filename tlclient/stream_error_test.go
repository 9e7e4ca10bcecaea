package tlclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStreamEndWithErrorIsAnError: a stream the server ends with an error
// object (the local engine does when generation fails part way) is a
// failure the caller sees, after the text that did arrive.
func TestStreamEndWithErrorIsAnError(t *testing.T) {
	tests := []struct {
		name    string
		last    string
		wantErr string // "" = the stream ends cleanly
	}{
		{"stream_end with an error", `{"event_type":"stream_end","error":{"message":"Generation failed part way; key ` + testKey + `"},"metadata":{"generation_id":"g"}}`, "Generation failed part way"},
		{"error event", `{"event_type":"error","error":{"code":"internal_error","message":"model crashed"}}`, "model crashed"},
		{"error: null", `{"event_type":"stream_end","finish_reason":"stop","error":null,"metadata":{"generation_id":"g"}}`, ""},
		{"clean end", `{"event_type":"stream_end","finish_reason":"stop","metadata":{"generation_id":"g"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-ndjson")
				w.Write([]byte(`{"event_type":"stream_start","metadata":{"generation_id":"g"}}` + "\n" +
					`{"event_type":"text_generation","text":"So far"}` + "\n" + tt.last + "\n"))
			}))
			defer srv.Close()
			c := New(testKey, WithBaseURL(srv.URL), WithMaxRetries(0))
			var text string
			var streamErr error
			for ev, err := range c.AnalyzeStream(context.Background(), AnalyzeRequest{VideoID: "v", Prompt: "p"}) {
				if err != nil {
					streamErr = err
					break
				}
				text += ev.Text
			}
			if text != "So far" {
				t.Errorf("text before the end = %q", text)
			}
			if tt.wantErr == "" {
				if streamErr != nil {
					t.Errorf("clean stream failed: %v", streamErr)
				}
				return
			}
			var api *APIError
			if !errors.As(streamErr, &api) || !strings.Contains(api.Message, tt.wantErr) {
				t.Fatalf("err = %v, want an *APIError saying %q", streamErr, tt.wantErr)
			}
			if strings.Contains(streamErr.Error(), testKey) {
				t.Errorf("error carries the API key: %v", streamErr)
			}
		})
	}
}
