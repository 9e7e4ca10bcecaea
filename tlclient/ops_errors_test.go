package tlclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// errorOpCases are the cases of TestOperationsAgainstDescription for error answers every operation may meet: 429, 404, 401, 502.
func errorOpCases() []opCase {
	return []opCase{
		{
			name: "429 with an empty body and X-Ratelimit headers",
			waive: waiver{seed: "WIRE-NOTES: a 429 may have an empty body; X-Ratelimit-* headers",
				full: "WIRE-NOTES: a 429 may have an empty body on any operation; the full description declares that " +
					"for /analyze only, and no 429 for GET /indexes/{id}"},
			replies: []reply{{status: 429, header: map[string]string{"X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "0",
				"X-Ratelimit-Used": "50", "X-Ratelimit-Reset": "4102444800"}}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetIndex(ctx, "ix1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes/ix1") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrRateLimited) {
					t.Fatalf("error %v is not ErrRateLimited", err)
				}
				var ae *APIError
				errors.As(err, &ae)
				wantEq(t, "rate limit", ae.RateLimit, RateLimit{Limit: 50, Remaining: 0, Used: 50, Reset: time.Unix(4102444800, 0)})
				if ae.RetryAfter <= 0 {
					t.Errorf("RetryAfter = %v, want the time until X-Ratelimit-Reset", ae.RetryAfter)
				}
			},
		},
		{
			name:     "404 resource_not_exist",
			replies:  []reply{{status: 404, body: `{"code":"resource_not_exist","message":"The index ix9 does not exist.","docs_url":"https://docs.twelvelabs.io/errors"}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetIndex(ctx, "ix9") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes/ix9") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrRateLimited) {
					t.Fatalf("error %v: want ErrNotFound only", err)
				}
				var ae *APIError
				errors.As(err, &ae)
				wantEq(t, "docs", ae.DocsURL, "https://docs.twelvelabs.io/errors")
			},
		},
		{
			name:     "401 echoing the key never shows it",
			replies:  []reply{{status: 401, body: `{"code":"api_key_invalid","message":"The API key ` + testKey + ` is invalid."}`}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.ListIndexes(ctx, ListIndexesParams{}) },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/indexes") },
			check: func(t *testing.T, _ any, err error) {
				if !errors.Is(err, ErrInvalidAPIKey) {
					t.Fatalf("error %v is not ErrInvalidAPIKey", err)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error message leaks the API key: %v", err)
				}
			},
		},
		{
			name: "502 with an HTML body, not retried once retries are spent",
			waive: waiver{seed: "WIRE-NOTES: error bodies may be empty or not JSON (proxies)",
				full: "WIRE-NOTES: error bodies may be empty or not JSON (proxies)"},
			replies:  []reply{{status: 502, rawBody: true, body: "<html><body>Bad gateway</body></html>"}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.GetTask(ctx, "t1") },
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "GET", "/tasks/t1") },
			check: func(t *testing.T, _ any, err error) {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				wantEq(t, "message", ae.Message, "<html><body>Bad gateway</body></html>")
			},
		},
	}
}
