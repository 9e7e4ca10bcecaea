// Package events is the web app's SSE hub: named streams, each owned by one
// session, over github.com/r3labs/sse/v2 with its measured traps guarded.
//
//   - No replay: r3labs' AutoReplay keeps every event forever, so it is off;
//     a page renders the current state and the stream carries changes.
//   - A slow client cannot stall Publish or other clients: r3labs' stream
//     goroutine hands each event to every client in turn and waits when one
//     is stuck writing, so here each client's writes go to a bounded queue
//     written out by a goroutine of its own (alive only while frames wait);
//     a client whose queue is full is disconnected (its EventSource
//     reconnects). Publish never blocks: a full stream buffer drops.
//   - A stream belongs to the session that opened it; any other session
//     gets 404, as does a stream that does not exist.
//   - Heartbeat comments keep proxies from closing idle streams.
//   - http.Server.WriteTimeout would kill streams: the deadline is cleared
//     per stream and replaced by a per-write deadline.
//   - r3labs' RemoveStream with clients attached leaks a goroutine per
//     client; Close disconnects the clients and waits for them first, and
//     a stream goes (with r3labs' goroutine for it) IdleTimeout after its
//     last client left.
package events

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/r3labs/sse/v2"
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
	srv  *sse.Server

	mu      sync.Mutex
	streams map[string]*stream
	closed  bool

	stop     chan struct{}
	loopDone chan struct{}

	dropped atomic.Int64 // events not queued for a full client or stream
}

type stream struct {
	owner    string
	clients  []*client      // usually one or two: a slice is smaller than a map
	wg       sync.WaitGroup // one per Serve in flight
	lastUsed time.Time
	closing  bool
}

type client struct {
	cancel context.CancelFunc
}

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
	srv := sse.New()
	srv.AutoReplay = false // r3labs would keep every event forever
	srv.AutoStream = false // streams exist only when opened, so 404 means something
	srv.SplitData = true   // HTML fragments have newlines: one data: line each
	srv.BufferSize = 8     // per stream; Publish drops when full rather than wait
	srv.Headers = map[string]string{"X-Accel-Buffering": "no"}
	h := &Hub{
		opts:     opts,
		srv:      srv,
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
	h.srv.CreateStream(name)
	h.streams[name] = &stream{owner: owner, lastUsed: time.Now()}
	return true
}

// Publish sends one event to every client of the stream. It never blocks:
// with no such stream, or a full stream queue, the event is dropped.
func (h *Hub) Publish(name, event string, data []byte) {
	h.mu.Lock()
	st, ok := h.streams[name]
	ok = ok && !st.closing
	h.mu.Unlock()
	if !ok || len(data) == 0 { // r3labs ends a client on an empty event
		return
	}
	// r3labs splits data on LF only, but EventSource also ends a line at
	// CR: a CR left in would let the payload write fields of its own. HTML
	// reads CR and CRLF as LF anyway.
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	if strings.ContainsAny(event, "\r\n") {
		event = strings.NewReplacer("\r", "", "\n", "").Replace(event)
	}
	if !h.srv.TryPublish(name, &sse.Event{Event: []byte(event), Data: data}) {
		h.dropped.Add(1)
	}
}

// Dropped counts events and frames not delivered because a queue was full.
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
// session answer 404.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, name string) {
	owner := h.opts.Owner(r)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	cl := &client{cancel: cancel}

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

	cw := &clientWriter{
		header:  w.Header(),
		real:    w,
		rc:      rc,
		timeout: h.opts.WriteTimeout,
		max:     h.opts.ClientQueue,
		cancel:  cancel,
		hub:     h,
	}
	cw.idle.L = &cw.mu

	// r3labs finds the stream in the query and rejects a non-numeric
	// Last-Event-ID; give it a request it accepts (a shallow copy: the
	// headers are the original's, which this handler owns).
	r.Header.Del("Last-Event-ID")
	r2 := r.WithContext(ctx)
	r2.URL = &url.URL{Path: r.URL.Path, RawQuery: "stream=" + url.QueryEscape(name)}
	h.srv.ServeHTTP(cw, r2)
	cw.wait()
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

	// r3labs leaks a goroutine per client still attached at RemoveStream.
	st.wg.Wait()
	h.srv.RemoveStream(name)

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
			var beat, idle []string
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
						beat = append(beat, n)
					}
				case now.Sub(st.lastUsed) > h.opts.IdleTimeout:
					idle = append(idle, n)
				}
			}
			h.mu.Unlock()
			for _, n := range beat {
				h.srv.TryPublish(n, &sse.Event{Comment: []byte("hb")})
			}
			for _, n := range idle {
				h.Close(n)
			}
		}
	}
}

// clientWriter is the ResponseWriter r3labs writes one client's events to.
// It never blocks: a flushed frame joins a bounded queue, written to the
// network by a goroutine that lives only while the queue is not empty (so
// an idle subscriber costs no goroutine of its own); a full queue
// disconnects the client.
type clientWriter struct {
	header  http.Header
	real    http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	max     int
	cancel  context.CancelFunc
	hub     *Hub
	pending bytes.Buffer

	mu      sync.Mutex
	idle    sync.Cond // signalled when the writer goroutine exits
	queue   [][]byte
	writing bool
	gone    bool
}

func (c *clientWriter) Header() http.Header { return c.header }

func (c *clientWriter) WriteHeader(code int) { c.real.WriteHeader(code) }

func (c *clientWriter) Write(p []byte) (int, error) { return c.pending.Write(p) }

func (c *clientWriter) Flush() {
	frame := bytes.Clone(c.pending.Bytes())
	c.pending.Reset()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return
	}
	if len(c.queue) >= c.max {
		// Too slow: let it go rather than hold up the stream.
		c.gone = true
		c.queue = nil
		c.hub.dropped.Add(1)
		c.cancel()
		return
	}
	c.queue = append(c.queue, frame)
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
}

func (c *clientWriter) writeLoop() {
	c.mu.Lock()
	for len(c.queue) > 0 && !c.gone {
		frame := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		err := c.writeFrame(frame)
		c.mu.Lock()
		if err != nil {
			c.gone = true
			c.queue = nil
			c.cancel()
		}
	}
	c.queue = nil // drop the backing array while idle
	c.writing = false
	c.idle.Broadcast()
	c.mu.Unlock()
}

func (c *clientWriter) writeFrame(frame []byte) error {
	_ = c.rc.SetWriteDeadline(time.Now().Add(c.timeout))
	if len(frame) > 0 {
		if _, err := c.real.Write(frame); err != nil {
			return err
		}
	}
	return c.rc.Flush()
}

// wait returns once no write is in flight, so the handler may return.
func (c *clientWriter) wait() {
	c.mu.Lock()
	c.gone = true
	for c.writing {
		c.idle.Wait()
	}
	c.mu.Unlock()
}
