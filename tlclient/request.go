package tlclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// request describes one API call so that it can be sent again on retry.
type request struct {
	method string
	path   string // relative to the base URL, already escaped
	query  url.Values
	json   any            // JSON body, marshalled once
	form   *multipartForm // multipart body, rebuilt per attempt
	accept string         // Accept header; JSON when empty
}

// send performs the call with retries and returns the 2xx response; the caller closes its body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	var jsonBody []byte
	if r.json != nil {
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, fmt.Errorf("tlclient: encode %s %s: %w", r.method, r.path, err)
		}
		jsonBody = b
	}
	replayable := r.form == nil || r.form.replayable()
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	for attempt := 0; ; attempt++ {
		req, err := c.newHTTPRequest(ctx, r, u, jsonBody)
		if err != nil {
			if errors.Is(err, ErrNotReplayable) {
				err = fmt.Errorf("tlclient: %s %s: %w", r.method, r.path, err)
			}
			return nil, err
		}
		resp, err := c.httpClient.Do(req)
		// The transport may close a request body only after Do returns;
		// close an upload's now, so its writer is done reading when we return.
		if pb, ok := req.Body.(*pipeBody); ok {
			pb.Close()
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("tlclient: %s %s: %w", r.method, r.path, ctx.Err())
			}
			err = fmt.Errorf("tlclient: %s %s: %w", r.method, r.path, unreachableError{stripURL(err)})
			if !replayable || !idempotent(r.method) || attempt >= c.maxRetries {
				return nil, err
			}
			if werr := c.wait(ctx, attempt, 0, false, r, 0); werr != nil {
				return nil, err
			}
			continue
		}
		c.noteRateLimit(resp.Header)
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := c.readError(resp, r)
		if !retryableStatus(resp.StatusCode) || attempt >= c.maxRetries {
			return nil, apiErr
		}
		if !replayable {
			return nil, fmt.Errorf("%w: the server answered %d after the body was sent; create a new ReaderUpload or use FileUpload: %w",
				ErrNotReplayable, resp.StatusCode, apiErr)
		}
		if werr := c.wait(ctx, attempt, apiErr.RetryAfter, apiErr.serverDelay, r, resp.StatusCode); werr != nil {
			return nil, apiErr
		}
	}
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// stripURL drops the URL from a transport error: it is noise, and a caller's
// base URL might carry credentials.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) newHTTPRequest(ctx context.Context, r request, u string, jsonBody []byte) (*http.Request, error) {
	var body io.Reader
	contentType := ""
	length := int64(0)
	switch {
	case jsonBody != nil:
		body = bytes.NewReader(jsonBody)
		contentType = "application/json"
		length = int64(len(jsonBody))
	case r.form != nil:
		rc, ct, n, err := r.form.body()
		if err != nil {
			return nil, err
		}
		body, contentType, length = rc, ct, n
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		if rc, ok := body.(io.Closer); ok {
			rc.Close()
		}
		return nil, fmt.Errorf("tlclient: %s %s: %w", r.method, r.path, stripURL(err))
	}
	if body != nil {
		req.ContentLength = length
		req.Header.Set("Content-Type", contentType)
		if jsonBody != nil {
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(jsonBody)), nil }
		}
	}
	req.Header.Set("x-api-key", c.apiKey)
	req.Header.Set("User-Agent", c.userAgent)
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	return req, nil
}

// readError reads and closes an error response.
func (c *Client) readError(resp *http.Response, r request) *APIError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	// Redact before decoding too: a non-JSON body is cut short for the
	// message, and the cut could leave a piece of the key no later pass finds.
	body = []byte(redact(string(body), c.apiKey))
	e := decodeError(resp.StatusCode, body)
	e.Message = redact(e.Message, c.apiKey)
	e.Code = redact(e.Code, c.apiKey)
	e.DocsURL = redact(e.DocsURL, c.apiKey)
	e.Method, e.Path = r.method, r.path
	e.RetryAfter, e.serverDelay = serverDelay(resp.Header, time.Now())
	e.RateLimit, _ = parseRateLimit(resp.Header)
	return e
}

// wait sleeps before retry attempt+1: the server's delay when it gave one,
// else exponential backoff with jitter. It fails when the delay would pass the
// context's deadline or the server asks for more than maxServerWait.
func (c *Client) wait(ctx context.Context, attempt int, serverWait time.Duration, fromServer bool, r request, status int) error {
	d := serverWait
	if !fromServer {
		d = c.backoff(attempt)
	} else if d > c.maxServerWait {
		return errors.New("server delay too long")
	}
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
		return context.DeadlineExceeded
	}
	if c.logger != nil {
		c.logger.InfoContext(ctx, "tlclient retry", "method", r.method, "path", r.path,
			"status", status, "attempt", attempt+1, "delay", d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is minBackoff·2^attempt capped at maxBackoff, with "equal jitter":
// half fixed, half random, so retries of many clients spread out.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff << min(attempt, 20)
	if d > c.maxBackoff || d <= 0 {
		d = c.maxBackoff
	}
	half := d / 2
	return half + rand.N(half+1)
}

// serverDelay reads Retry-After (seconds or HTTP date) or, failing that,
// X-Ratelimit-Reset (epoch seconds, or seconds from now when small).
// ok is false when the server gave no delay.
func serverDelay(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if t, ok := parseReset(h.Get("X-Ratelimit-Reset"), now); ok {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// parseReset reads X-Ratelimit-Reset: epoch seconds, or a delta in seconds when
// the number is too small to be an epoch.
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return time.Time{}, false
	}
	if f < 1e9 {
		return now.Add(time.Duration(f * float64(time.Second))), true
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

func parseRateLimit(h http.Header) (RateLimit, bool) {
	var rl RateLimit
	found := false
	for name, dst := range map[string]*int{"X-Ratelimit-Limit": &rl.Limit, "X-Ratelimit-Remaining": &rl.Remaining, "X-Ratelimit-Used": &rl.Used} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if n, err := strconv.Atoi(v); err == nil {
				*dst = n
				found = true
			}
		}
	}
	if t, ok := parseReset(h.Get("X-Ratelimit-Reset"), time.Now()); ok {
		rl.Reset = t
		found = true
	}
	return rl, found
}

// do sends the request and decodes a JSON answer into out (nil: discard).
// Empty bodies (204, or 200 with nothing) leave out untouched.
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("tlclient: %s %s: read response: %w", r.method, r.path, err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("tlclient: %s %s: decode response (status %d): %w", r.method, r.path, resp.StatusCode, err)
	}
	return nil
}

// pathf escapes each argument as one path segment.
func pathf(format string, segs ...string) string {
	args := make([]any, len(segs))
	for i, s := range segs {
		args[i] = url.PathEscape(s)
	}
	return fmt.Sprintf(format, args...)
}

// queryBuilder adds only non-zero values.
type queryBuilder url.Values

func (q queryBuilder) str(k, v string) {
	if v != "" {
		url.Values(q).Add(k, v)
	}
}

func (q queryBuilder) num(k string, v int) {
	if v != 0 {
		url.Values(q).Add(k, strconv.Itoa(v))
	}
}
