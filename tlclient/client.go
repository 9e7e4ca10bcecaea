// Package tlclient is a typed client for the TwelveLabs v1.3 API (and the local
// engine that speaks it). Every method takes a context first; uploads stream,
// lists and search pages are lazy iterators, and failures are *APIError values.
//
//	c := tlclient.New(key, tlclient.WithBaseURL(baseURL))
//	task, err := c.CreateTask(ctx, tlclient.CreateTaskRequest{IndexID: ix, Video: tlclient.FileUpload("talk.mp4")})
//	done, err := c.WaitForTask(ctx, task.ID, tlclient.WaitOptions{OnUpdate: show})
//	for r, err := range c.SearchAll(ctx, tlclient.SearchRequest{IndexID: ix, QueryText: "a train", SearchOptions: []string{"visual"}}) { ... }
//	for ev, err := range c.AnalyzeStream(ctx, tlclient.AnalyzeRequest{VideoID: v, Prompt: p}) { ... }
//
// Requests that can be sent again (JSON bodies, file uploads) are retried on
// 408, 429 and 5xx with exponential backoff and jitter, or after the delay the
// server names, but never past the context's deadline. A ReaderUpload is sent
// once: a failure that would be retried returns ErrNotReplayable instead.
package tlclient

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is the TwelveLabs v1.3 API.
const DefaultBaseURL = "https://api.twelvelabs.io/v1.3"

// Version is sent in the User-Agent header.
const Version = "0.1.0"

// DefaultWaitTimeout bounds WaitForTask when neither the context nor the options do.
const DefaultWaitTimeout = 3 * time.Hour

// Client talks to the TwelveLabs v1.3 API. It is safe for concurrent use.
type Client struct {
	apiKey     string
	baseURL    string
	httpClient *http.Client
	userAgent  string
	maxRetries int
	// minBackoff is the first retry delay; it doubles per attempt up to maxBackoff.
	minBackoff time.Duration
	maxBackoff time.Duration
	// maxServerWait caps how long a Retry-After / X-Ratelimit-Reset may make us wait.
	maxServerWait time.Duration
	logger        *slog.Logger

	mu        sync.Mutex
	rateLimit RateLimit
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another server (for example the local engine).
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithHTTPClient replaces http.DefaultClient. Keep its Timeout zero for uploads
// and streams; bound calls with contexts instead.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.httpClient = h
		}
	}
}

// WithMaxRetries sets how many times a failed replayable request is retried (default 2).
func WithMaxRetries(n int) Option {
	return func(c *Client) {
		if n >= 0 {
			c.maxRetries = n
		}
	}
}

// WithUserAgent names the product using the client; it is sent before
// "glimpse-tlclient/<version>".
func WithUserAgent(product string) Option {
	return func(c *Client) {
		if product = strings.TrimSpace(product); product != "" {
			c.userAgent = product + " " + defaultUserAgent()
		}
	}
}

// WithBackoff sets the first retry delay and its cap (defaults 1 s and 30 s).
func WithBackoff(first, max time.Duration) Option {
	return func(c *Client) {
		if first > 0 {
			c.minBackoff = first
		}
		if max >= first && max > 0 {
			c.maxBackoff = max
		}
	}
}

// WithLogger logs retries at Info (method, path, status, delay; never the key).
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.logger = l }
}

func defaultUserAgent() string { return "glimpse-tlclient/" + Version }

// New returns a client that sends apiKey in the x-api-key header.
func New(apiKey string, opts ...Option) *Client {
	c := &Client{
		apiKey:        apiKey,
		baseURL:       DefaultBaseURL,
		httpClient:    http.DefaultClient,
		userAgent:     defaultUserAgent(),
		maxRetries:    2,
		minBackoff:    time.Second,
		maxBackoff:    30 * time.Second,
		maxServerWait: 2 * time.Minute,
	}
	for _, o := range opts {
		o(c)
	}
	c.httpClient = keyStaysHome(c.httpClient)
	return c
}

// keyStaysHome returns a copy of h (sharing its transport) whose redirects
// to another host, or from https to http, do not carry x-api-key: net/http
// drops Authorization off the original host but forwards custom headers anywhere.
func keyStaysHome(h *http.Client) *http.Client {
	guarded := *h
	next := h.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && (req.URL.Host != via[0].URL.Host || (via[0].URL.Scheme == "https" && req.URL.Scheme != "https")) {
			req.Header.Del("x-api-key")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 { // net/http's own limit
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &guarded
}

// BaseURL is the API root the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// RateLimit is the rate-limit state a server reported with X-Ratelimit-* headers.
type RateLimit struct {
	Limit     int
	Remaining int
	Used      int
	Reset     time.Time // zero when unknown
}

// RateLimit returns the rate-limit headers of the most recent response that carried them.
func (c *Client) RateLimit() (RateLimit, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rateLimit, c.rateLimit.Limit != 0 || !c.rateLimit.Reset.IsZero()
}

func (c *Client) noteRateLimit(h http.Header) {
	rl, ok := parseRateLimit(h)
	if !ok {
		return
	}
	c.mu.Lock()
	c.rateLimit = rl
	c.mu.Unlock()
}
