package webapp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"glimpse/tlclient"
)

func TestDescribeAPIError(t *testing.T) {
	unreachable := fmt.Errorf("tlclient: GET /indexes: %w", tlclient.ErrUnreachable)
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantMsg    string
		wantOK     bool
	}{
		{"key refused", &tlclient.APIError{StatusCode: 401, Code: "api_key_invalid"}, http.StatusBadGateway, "refused the API key", true},
		{"forbidden", &tlclient.APIError{StatusCode: 403, Message: "Not allowed."}, http.StatusBadGateway, "refused this request with the API key (Not allowed). Check", true},
		{"unreachable", unreachable, http.StatusBadGateway, "could not be reached", true},
		{"outage", &tlclient.APIError{StatusCode: 503}, http.StatusBadGateway, "failed to answer", true},
		{"rate limited", &tlclient.APIError{StatusCode: 429}, http.StatusTooManyRequests, "rate limiting", true},
		{"the API's own words", &tlclient.APIError{StatusCode: 400, Code: "parameter_invalid", Message: "The index_name is too long."}, 400, "The index_name is too long.", true},
		{"not the API", errors.New("disk full"), 0, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, msg, ok := DescribeAPIError(tc.err)
			if status != tc.wantStatus || ok != tc.wantOK || !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("= %d %q %v, want %d %q %v", status, msg, ok, tc.wantStatus, tc.wantMsg, tc.wantOK)
			}
		})
	}
}
