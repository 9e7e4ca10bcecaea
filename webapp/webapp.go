// Package webapp is the web app's application logic, apart from HTTP:
// watching tasks in flight (one poller per task), generating a video's
// analysis once however many pages ask (single flight, kept in a store),
// and answering questions about a video over a stream (registry, upstream
// run, throttled updates). handlers parse a request, call webapp and
// render; webapp publishes the rendered fragments to the events hub, which
// carries task progress and analysis text alike.
//
// Everything another web instance must see goes through an interface
// (Hub, TaskLeases, AnswerBook, AnalysisStore): the defaults live in this
// process; package cluster implements them over Redis for several
// instances behind a load balancer.
package webapp

// Hub is what webapp publishes to: package events' SSE hub, or its
// cross-instance fan-out (package cluster). Streams are named
// <topic>-<owner>, or answer-<id> owned by the asking session.
type Hub interface {
	// Open creates stream for owner (or keeps it); false when it belongs
	// to another owner.
	Open(stream, owner string) bool
	// Publish sends one event to every client of stream, on every
	// instance; it never blocks on a slow client.
	Publish(stream, event string, data []byte)
}
