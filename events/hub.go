// Package events is the web app's SSE hub: named streams, each owned by one
// session, with the traps measured on github.com/r3labs/sse/v2 guarded.
//
// It started over r3labs/sse; the fan-out is now the hub's own because
// r3labs costs each subscriber two goroutines (a stream loop, a context
// watcher) and a 64-slot channel, and re-encodes every event for every
// client, which under load is most of the garbage between collections
// (see docs/BENCHMARKS.md, "Web app: SSE and upload"). Here:
//
//   - An event is encoded once by Publish and the same bytes are queued for
//     every client of the stream; a subscriber costs no goroutine beyond
//     net/http's own, and delivering an event allocates nothing per client.
//   - No replay: a page renders the current state and the stream carries
//     changes (r3labs' AutoReplay kept every event forever).
//   - A slow client cannot stall Publish or other clients: each client has
//     a bounded queue written out by its own request goroutine; a client
//     whose queue is full is disconnected (its EventSource reconnects).
//     Publish never blocks.
//   - A stream belongs to the session that opened it; any other session
//     gets 404, as does a stream that does not exist.
//   - Heartbeat comments keep proxies from closing idle streams.
//   - http.Server.WriteTimeout would kill streams: the deadline is cleared
//     per stream and replaced by a per-write deadline.
//   - Close disconnects the clients and waits for them; a stream goes
//     IdleTimeout after its last client left. Nothing outlives Shutdown.
package events

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Hub. Zero values take the defaults noted.
type Options struct {
	// Owner names the session of a request; a stream is served only to
	// requests of the session that opened it. Required.
	Owner func(r *http.Request) string
	// Heartbeat is the interval of comment lines on every stream; 15 s.
	Heartbeat time.Duration
	// ClientQueue is how many frames may wait for one client before it is
	// disconnected as too slow; 64.
	ClientQueue int
	// WriteTimeout bounds one write to a client; 10 s.
	WriteTimeout time.Duration
	// IdleTimeout removes a stream that had no client for this long
	// (events sent to nobody do not count), so per-session streams (and r3labs' goroutine for each)
	// do not pile up; 2 min.
	IdleTimeout time.Duration
	// Claim, when set, lets Serve recreate a stream that is not open (it
	// went idle, or the server restarted) for an owner that may own it by
	// name, so a browser reconnecting after a long sleep still gets its
	// events. Without it, such a request is a 404.
	Claim func(stream, owner string) bool
	Log   *slog.Logger
}

// Hub is a set of SSE streams.
type Hub struct {
	opts Options

	mu      sync.Mutex
	streams map[string]*stream
	closed  bool

	stop     chan struct{}
	loopDone chan struct{}

	dropped atomic.Int64 // frames not queued for a full client
}

type stream struct {
	owner    string
	clients  []*client      // usually one or two: a slice is smaller than a map
	wg       sync.WaitGroup // one per Serve in flight
	lastUsed time.Time
	closing  bool
}

// client is one connected request. Frames are shared, read-only bytes:
// the same encoded event sits in the queue of every client of a stream.
type client struct {
	cancel context.CancelFunc
	wake   chan struct{} // capacity 1: frames are waiting

	mu    sync.Mutex
	queue [][]byte // frames waiting to be written
	spare [][]byte // the other half of a double buffer, so queuing does not allocate
	gone  bool
}

// heartbeat is the comment frame sent to every stream with clients.
var heartbeat = []byte(": hb\n\n")

// New starts a hub; Shutdown stops it.
func New(opts Options) *Hub {
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.ClientQueue <= 0 {
		opts.ClientQueue = 64
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 2 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Owner == nil {
		panic("events: Options.Owner is required")
	}
	h := &Hub{
		opts:     opts,
		streams:  map[string]*stream{},
		stop:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	go h.loop()
	return h
}

// Open creates stream for owner, or keeps it when it exists. It reports
// false when the stream exists and belongs to someone else.
func (h *Hub) Open(name, owner string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if st, ok := h.streams[name]; ok {
		if st.closing {
			return false
		}
		st.lastUsed = time.Now()
		return st.owner == owner
	}
	h.streams[name] = &stream{owner: owner, lastUsed: time.Now()}
	return true
}

// Publish sends one event to every client of the stream. It never blocks:
// with no such stream or no client the event goes nowhere, and a client
// whose queue is full is disconnected.
func (h *Hub) Publish(name, event string, data []byte) {
	if h.Clients(name) == 0 {
		return // nobody listens: not even worth encoding
	}
	// Encoded once, outside the lock, and shared by every client.
	frame := encode(event, data)
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.streams[name]; ok && !st.closing {
		for _, cl := range st.clients {
			h.push(cl, frame)
		}
	}
}

// encode renders one SSE event: an event line (when named) and one data
// line per line of data, so HTML fragments with newlines arrive whole. CR
// and LF end a line in SSE, so both split data and neither may reach the
// event name, where they would inject fields.
func encode(event string, data []byte) []byte {
	n := len("event: \n") + len(event) + len("data: \n\n") + len(data)
	n += (bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))) * len("data: \n")
	b := make([]byte, 0, n)
	if event != "" {
		b = append(b, "event: "...)
		for i := 0; i < len(event); i++ {
			if c := event[i]; c != '\n' && c != '\r' {
				b = append(b, c)
			}
		}
		b = append(b, '\n')
	}
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b = append(b, "data: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// push queues a frame for one client without blocking; a client that is
// too slow to keep its queue below ClientQueue is let go rather than hold
// up the stream.
func (h *Hub) push(cl *client, frame []byte) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.gone {
		return
	}
	if len(cl.queue) >= h.opts.ClientQueue {
		cl.gone = true
		cl.queue = nil
		h.dropped.Add(1)
		cl.cancel()
		return
	}
	cl.queue = append(cl.queue, frame)
	select {
	case cl.wake <- struct{}{}:
	default: // already signalled
	}
}

// take hands the writer the waiting frames and gives the client the spare
// buffer to fill meanwhile.
func (cl *client) take() [][]byte {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	frames := cl.queue
	cl.queue, cl.spare = cl.spare[:0], nil
	return frames
}

// giveBack returns a written batch as the spare buffer, cleared so the
// frames it held can be collected. A buffer grown large by a burst is let
// go rather than kept for the life of the connection.
func (cl *client) giveBack(frames [][]byte) {
	clear(frames)
	cl.mu.Lock()
	if !cl.gone && cap(frames) <= 8 {
		cl.spare = frames[:0]
	}
	cl.mu.Unlock()
}

// Dropped counts frames not delivered because a client's queue was full.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// Clients is the number of clients connected to a stream.
func (h *Hub) Clients(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.streams[name]; ok {
		return len(st.clients)
	}
	return 0
}

// Serve streams the events of name to the request until the client leaves,
// is too slow, or the stream closes. Unknown streams and streams of another
// session answer 404. The request's own goroutine writes the frames.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, name string) {
	owner := h.opts.Owner(r)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	cl := &client{cancel: cancel, wake: make(chan struct{}, 1)}

	if owner != "" && h.opts.Claim != nil && h.opts.Claim(name, owner) {
		h.Open(name, owner)
	}
	h.mu.Lock()
	st, ok := h.streams[name]
	if !ok || st.closing || h.closed || owner == "" || st.owner != owner {
		h.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	st.clients = append(st.clients, cl)
	st.wg.Add(1)
	h.mu.Unlock()
	defer func() {
		cl.mu.Lock()
		cl.gone = true
		cl.queue, cl.spare = nil, nil
		cl.mu.Unlock()
		h.mu.Lock()
		st.clients = slices.DeleteFunc(st.clients, func(c *client) bool { return c == cl })
		st.lastUsed = time.Now()
		h.mu.Unlock()
		st.wg.Done()
	}()

	rc := http.NewResponseController(w)
	// The server's WriteTimeout would end the stream; each write gets its
	// own deadline instead.
	_ = rc.SetWriteDeadline(time.Time{})
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Connection", "keep-alive")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-cl.wake:
		}
		frames := cl.take()
		if len(frames) == 0 {
			continue
		}
		_ = rc.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		for _, f := range frames {
			if _, err := w.Write(f); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
		cl.giveBack(frames)
	}
}

// Close disconnects the clients of a stream, waits for them to leave, and
// removes it.
func (h *Hub) Close(name string) {
	h.mu.Lock()
	st, ok := h.streams[name]
	if !ok || st.closing {
		h.mu.Unlock()
		return
	}
	st.closing = true
	for _, cl := range st.clients {
		cl.cancel()
	}
	h.mu.Unlock()

	st.wg.Wait()

	h.mu.Lock()
	delete(h.streams, name)
	h.mu.Unlock()
}

// Shutdown closes every stream and stops the heartbeat.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	names := make([]string, 0, len(h.streams))
	for n := range h.streams {
		names = append(names, n)
	}
	h.mu.Unlock()
	close(h.stop)
	<-h.loopDone
	for _, n := range names {
		h.Close(n)
	}
}

// loop sends heartbeats and removes idle streams.
func (h *Hub) loop() {
	defer close(h.loopDone)
	t := time.NewTicker(min(h.opts.Heartbeat, h.opts.IdleTimeout/2))
	defer t.Stop()
	lastBeat := time.Now()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			var idle []string
			beatDue := now.Sub(lastBeat) >= h.opts.Heartbeat
			if beatDue {
				lastBeat = now
			}
			h.mu.Lock()
			for n, st := range h.streams {
				switch {
				case st.closing:
				case len(st.clients) > 0:
					if beatDue {
						for _, cl := range st.clients {
							h.push(cl, heartbeat)
						}
					}
				case now.Sub(st.lastUsed) > h.opts.IdleTimeout:
					idle = append(idle, n)
				}
			}
			h.mu.Unlock()
			for _, n := range idle {
				h.Close(n)
			}
		}
	}
}
