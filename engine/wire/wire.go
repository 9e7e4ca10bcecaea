// Package wire holds what the engine's HTTP surface (engine/api) and the
// libraries behind it share: the TwelveLabs v1.3 error body (which a
// library returns for a client's mistake), JSON responses, ids and times,
// and signed media links.
package wire

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Error is an API error as the live service sends it: {code, message}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with the live code and HTTP status.
func Errorf(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Common errors with the live codes and statuses.
func ParameterInvalid(msg string) *Error {
	return Errorf(http.StatusBadRequest, "parameter_invalid", msg)
}
func ParameterNotProvided(name string) *Error {
	return Errorf(http.StatusBadRequest, "parameter_not_provided", "The "+name+" parameter is required but was not provided.")
}
func NotFound(msg string) *Error { return Errorf(http.StatusNotFound, "resource_not_exist", msg) }

// WriteError writes err as {code, message}; anything that is not an *Error
// (wrapped or not) becomes a 500 without leaking its text.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = Errorf(http.StatusInternalServerError, "internal_error", "The server could not complete the request.")
	}
	WriteJSON(w, e.Status, e)
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// NewID returns a 24-hex id like the live service's ObjectIds.
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Time formats t as RFC 3339 in UTC, as the live service does.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// PageInfo is the page_info object of list responses.
type PageInfo struct {
	Page         int `json:"page"`
	LimitPerPage int `json:"limit_per_page"`
	TotalPage    int `json:"total_page"`
	TotalResults int `json:"total_results"`
}

// BaseURL is the absolute URL, scheme and host and mount prefix, under which
// the browser that made r reaches the engine; media URLs in responses start
// with it. mount is where the engine is mounted ("" alone, "/engine" embedded).
func BaseURL(r *http.Request, mount string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host + mount
}
