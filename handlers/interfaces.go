package handlers

import (
	"net/http"

	"glimpse/sessions"
)

// SessionStore loads and saves the cookie session; package sessions
// implements it over gorilla/sessions. Get caches the state on the request,
// so calling it twice in one request returns the same *State.
type SessionStore interface {
	Get(r *http.Request) *sessions.State
	Save(w http.ResponseWriter, r *http.Request) error
}

// EventHub is the SSE hub (package events over r3labs/sse). The same hub
// carries task progress and analysis text. Name streams <topic>-<session
// id> (see taskStream): cmd/web lets a session reopen such a stream after
// it went idle, and no other session can open it.
type EventHub interface {
	// Open creates stream for the session owner (or keeps it); it reports
	// false when the stream belongs to another session.
	Open(stream, owner string) bool
	// Publish sends one event to every client of stream; it never blocks on
	// a slow client.
	Publish(stream, event string, data []byte)
	// Serve streams events of stream to the request until it ends; a
	// stream that does not exist or belongs to another session is a 404.
	Serve(w http.ResponseWriter, r *http.Request, stream string)
}
