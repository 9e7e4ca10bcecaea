package tlclient

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestErrorsNeverCarryPartOfTheKey: an error body that echoes the key is
// shortened for the message; the cut must not leave a piece of the key.
func TestErrorsNeverCarryPartOfTheKey(t *testing.T) {
	c := New(testKey)
	tests := []struct {
		name string
		body string
	}{
		{"plain text, key at the cut", strings.Repeat("x", 190) + " " + testKey + " rejected"},
		{"plain text, key first", "bad key " + testKey},
		{"JSON message", `{"code":"api_key_invalid","message":"key ` + testKey + ` is invalid"}`},
		{"broken JSON, key at the cut", `{"message":"` + strings.Repeat("y", 180) + testKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 401, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tt.body))}
			msg := c.readError(resp, request{method: http.MethodGet, path: "/indexes"}).Error()
			if strings.Contains(msg, testKey[:8]) {
				t.Errorf("error carries part of the API key: %s", msg)
			}
		})
	}
}
