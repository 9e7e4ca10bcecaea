package tlclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors for errors.Is against an *APIError.
var (
	ErrNotFound         = errors.New("tlclient: not found")
	ErrRateLimited      = errors.New("tlclient: rate limited")
	ErrInvalidAPIKey    = errors.New("tlclient: invalid API key")
	ErrInvalidParameter = errors.New("tlclient: invalid parameter")
	// ErrNotReplayable is returned when a request that consumed a one-shot
	// io.Reader failed in a way that would otherwise be retried.
	ErrNotReplayable = errors.New("tlclient: upload from a one-shot reader cannot be sent again")
	// ErrUnreachable matches a call that got no answer at all: the
	// connection could not be made or broke before a response came.
	ErrUnreachable = errors.New("tlclient: API unreachable")
)

// unreachableError is a transport failure; its text is the transport's.
type unreachableError struct{ err error }

func (e unreachableError) Error() string        { return e.err.Error() }
func (e unreachableError) Unwrap() error        { return e.err }
func (e unreachableError) Is(target error) bool { return target == ErrUnreachable }

// APIError is any non-2xx answer of the API.
type APIError struct {
	StatusCode int
	Code       string // e.g. resource_not_exist; empty when the body had none
	Message    string
	DocsURL    string
	// RetryAfter is how long the server asked us to wait (Retry-After or X-Ratelimit-Reset), 0 if it did not say.
	RetryAfter time.Duration
	RateLimit  RateLimit
	Method     string
	Path       string // URL path of the request (never carries the key)

	serverDelay bool // the server gave RetryAfter (it may be 0: retry now)
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("tlclient: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.DocsURL != "" {
		b.WriteString(" (" + e.DocsURL + ")")
	}
	return b.String()
}

// Is matches the sentinel errors by status code or error code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.Code == "resource_not_exist"
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests || e.Code == "too_many_requests"
	case ErrInvalidAPIKey:
		return e.StatusCode == http.StatusUnauthorized || e.Code == "api_key_invalid"
	case ErrInvalidParameter:
		return strings.HasPrefix(e.Code, "parameter_") ||
			(e.StatusCode == http.StatusBadRequest && e.Code == "")
	}
	return false
}

// Temporary reports whether the status is one the client retries.
func (e *APIError) Temporary() bool { return retryableStatus(e.StatusCode) }

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// decodeError builds an APIError from a status and body of any shape:
// {code,message,docs_url}, {error_code,message}, {error:{...}}, {error:"..."},
// an empty body or one that is not JSON.
func decodeError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	trimmed := bytes.TrimSpace(body)
	var flat struct {
		Code      any             `json:"code"`
		ErrorCode any             `json:"error_code"`
		Message   any             `json:"message"`
		Msg       any             `json:"msg"`
		Detail    any             `json:"detail"`
		DocsURL   any             `json:"docs_url"`
		Error     json.RawMessage `json:"error"`
	}
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &flat) == nil {
		e.Code = firstString(flat.Code, flat.ErrorCode)
		e.Message = firstString(flat.Message, flat.Msg, flat.Detail)
		e.DocsURL = firstString(flat.DocsURL)
		if len(flat.Error) > 0 {
			var inner struct {
				Code      any `json:"code"`
				ErrorCode any `json:"error_code"`
				Type      any `json:"type"`
				Message   any `json:"message"`
				DocsURL   any `json:"docs_url"`
			}
			var s string
			switch {
			case json.Unmarshal(flat.Error, &inner) == nil:
				e.Code = firstString(e.Code, inner.Code, inner.ErrorCode, inner.Type)
				e.Message = firstString(e.Message, inner.Message)
				e.DocsURL = firstString(e.DocsURL, inner.DocsURL)
			case json.Unmarshal(flat.Error, &s) == nil:
				e.Message = firstString(e.Message, s)
			}
		}
	} else if len(trimmed) > 0 {
		e.Message = snippet(trimmed)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("HTTP status %d", status)
	}
	return e
}

// firstString returns the first value that is a non-empty string (numbers are formatted).
func firstString(vals ...any) string {
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			if x != "" {
				return x
			}
		case float64:
			return fmt.Sprint(x)
		}
	}
	return ""
}

// snippet keeps a non-JSON body readable in an error: valid UTF-8, one line, short.
func snippet(b []byte) string {
	const max = 200
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return s
}

// redact removes the API key from text the server echoed back.
func redact(s, key string) string {
	if key == "" || len(key) < 4 {
		return s
	}
	return strings.ReplaceAll(s, key, "[redacted]")
}
