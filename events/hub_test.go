package events

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"glimpse/internal/testwait"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestHub serves /events/<stream> with the owner taken from X-Owner.
func newTestHub(t *testing.T, opts Options, writeTimeout time.Duration) (*Hub, *httptest.Server) {
	t.Helper()
	opts.Owner = func(r *http.Request) string { return r.Header.Get("X-Owner") }
	h := New(opts)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, strings.TrimPrefix(r.URL.Path, "/events/"))
	}))
	srv.Config.WriteTimeout = writeTimeout
	srv.Start()
	t.Cleanup(func() {
		h.Shutdown()
		srv.Close()
	})
	return h, srv
}

// subscribe opens a stream and returns a reader of its lines.
func subscribe(t *testing.T, ctx context.Context, url, owner string) (*http.Response, *bufio.Reader) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("X-Owner", owner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, bufio.NewReader(resp.Body)
}

// nextEvent reads lines until a blank line and returns the event block.
func nextEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v (got %q)", err, b.String())
		}
		if line == "\n" {
			if b.Len() == 0 {
				continue
			}
			return b.String()
		}
		b.WriteString(line)
	}
}

func waitClients(t *testing.T, h *Hub, stream string, n int) {
	t.Helper()
	deadline := time.Now().Add(testwait.Bound(t))
	for h.Clients(stream) != n {
		if time.Now().After(deadline) {
			t.Fatalf("stream %s has %d clients, want %d", stream, h.Clients(stream), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPublishReachesOwnerWithMultilineData(t *testing.T) {
	h, srv := newTestHub(t, Options{}, 0)
	h.Open("s1", "alice")
	resp, r := subscribe(t, t.Context(), srv.URL+"/events/s1", "alice")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	waitClients(t, h, "s1", 1)
	h.Publish("s1", "task-1", []byte("<article>\n<p>ready</p>\n</article>"))
	got := nextEvent(t, r)
	for _, want := range []string{"event: task-1\n", "data: <article>\n", "data: <p>ready</p>\n", "data: </article>\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("event %q lacks %q", got, want)
		}
	}
}

func TestStreamsAreOwned(t *testing.T) {
	h, srv := newTestHub(t, Options{}, 0)
	if !h.Open("s1", "alice") {
		t.Fatal("open failed")
	}
	if h.Open("s1", "mallory") {
		t.Error("another owner could open alice's stream")
	}
	tests := []struct {
		name, stream, owner string
		want                int
	}{
		{"owner", "s1", "alice", 200},
		{"other session", "s1", "mallory", 404},
		{"no session", "s1", "", 404},
		{"unknown stream", "nope", "alice", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resp, _ := subscribe(t, ctx, srv.URL+"/events/"+tc.stream, tc.owner)
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

// A client that stops reading must not hold up Publish or the others; it
// is disconnected once its queue is full.
func TestSlowClientDoesNotStallOthers(t *testing.T) {
	h, srv := newTestHub(t, Options{ClientQueue: 4, WriteTimeout: time.Second}, 0)
	h.Open("s", "o")

	// The slow client: a raw connection with a tiny receive buffer that is
	// never read.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(conn, "GET /events/s HTTP/1.1\r\nHost: x\r\nX-Owner: o\r\n\r\n")
	waitClients(t, h, "s", 1)

	_, fast := subscribe(t, t.Context(), srv.URL+"/events/s", "o")
	waitClients(t, h, "s", 2)

	// Lockstep: each event is published, then the fast client must get it
	// while the slow one sits on a full socket.
	big := []byte(strings.Repeat("x", 64<<10))
	const events = 100
	for i := range events {
		published := make(chan struct{})
		go func() {
			h.Publish("s", "e", big)
			close(published)
		}()
		select {
		case <-published:
		case <-time.After(testwait.Bound(t)):
			t.Fatalf("Publish %d blocked behind the slow client", i)
		}
		received := make(chan string, 1)
		go func() { received <- nextEvent(t, fast) }()
		select {
		case ev := <-received:
			if !strings.Contains(ev, "event: e\n") {
				t.Fatalf("event %d: got %.80q", i, ev)
			}
		case <-time.After(testwait.Bound(t)):
			t.Fatalf("fast client starved at event %d", i)
		}
	}
	// The slow client was let go.
	waitClients(t, h, "s", 1)
	if h.Dropped() == 0 {
		t.Error("no drop counted for the slow client")
	}
}

func TestHeartbeatAndWriteTimeoutCleared(t *testing.T) {
	// The server's WriteTimeout (100 ms) would end the stream; the hub
	// clears it, so the heartbeat and a late event still arrive.
	h, srv := newTestHub(t, Options{Heartbeat: 50 * time.Millisecond}, 100*time.Millisecond)
	h.Open("s", "o")
	_, r := subscribe(t, t.Context(), srv.URL+"/events/s", "o")
	waitClients(t, h, "s", 1)
	if ev := nextEvent(t, r); !strings.Contains(ev, ": hb") {
		t.Fatalf("first block %q is not a heartbeat", ev)
	}
	time.Sleep(300 * time.Millisecond)
	h.Publish("s", "late", []byte("still here"))
	for {
		ev := nextEvent(t, r)
		if strings.Contains(ev, "data: still here") {
			break
		}
	}
}

// Closing a stream with clients attached ends them and leaks nothing
// (r3labs alone leaks one goroutine per attached client here).
func TestCloseWithClientsLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	h, srv := newTestHub(t, Options{}, 0)
	h.Open("s", "o")
	var readers []*bufio.Reader
	for range 5 {
		_, r := subscribe(t, t.Context(), srv.URL+"/events/s", "o")
		readers = append(readers, r)
	}
	waitClients(t, h, "s", 5)
	h.Close("s")
	for i, r := range readers {
		if _, err := r.ReadString('\x00'); err == nil {
			t.Errorf("client %d: stream did not end", i)
		}
	}
	h.Shutdown()
	srv.Close()
}

func TestClientsLeavingLeakNothing(t *testing.T) {
	h, srv := newTestHub(t, Options{}, 0)
	h.Open("s", "o")
	for range 20 {
		ctx, cancel := context.WithCancel(t.Context())
		subscribe(t, ctx, srv.URL+"/events/s", "o")
		cancel()
	}
	waitClients(t, h, "s", 0)
	h.Publish("s", "e", []byte("nobody"))
	h.Shutdown()
	srv.Close()
	goleak.VerifyNone(t)
}

func TestIdleStreamsAreRemoved(t *testing.T) {
	h, _ := newTestHub(t, Options{Heartbeat: 20 * time.Millisecond, IdleTimeout: 50 * time.Millisecond}, 0)
	h.Open("s", "o")
	deadline := time.Now().Add(testwait.Bound(t))
	for {
		h.mu.Lock()
		_, ok := h.streams["s"]
		h.mu.Unlock()
		if !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("idle stream never removed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestClaimRecreatesOwnStreamOnly(t *testing.T) {
	h, srv := newTestHub(t, Options{Claim: func(stream, owner string) bool { return stream == "tasks-"+owner }}, 0)
	tests := []struct {
		stream, owner string
		want          int
	}{
		{"tasks-alice", "alice", 200},
		{"tasks-alice", "mallory", 404},
		{"other-alice", "alice", 404},
	}
	for _, tc := range tests {
		ctx, cancel := context.WithCancel(t.Context())
		resp, _ := subscribe(t, ctx, srv.URL+"/events/"+tc.stream, tc.owner)
		if resp.StatusCode != tc.want {
			t.Errorf("%s as %s: %d, want %d", tc.stream, tc.owner, resp.StatusCode, tc.want)
		}
		cancel()
	}
	_ = h
}

func TestStreamGoesWhenLastClientLeaves(t *testing.T) {
	h, srv := newTestHub(t, Options{IdleTimeout: 100 * time.Millisecond}, 0)
	h.Open("s", "o")
	ctx, cancel := context.WithCancel(t.Context())
	subscribe(t, ctx, srv.URL+"/events/s", "o")
	waitClients(t, h, "s", 1)
	// Kept while a client is attached, even with no events.
	time.Sleep(300 * time.Millisecond)
	if h.Clients("s") != 1 {
		t.Fatal("stream with a client was removed")
	}
	cancel()
	deadline := time.Now().Add(testwait.Bound(t))
	for {
		h.mu.Lock()
		_, ok := h.streams["s"]
		h.mu.Unlock()
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("stream kept after its last client left")
		}
		// Events to nobody do not keep it alive.
		h.Publish("s", "e", []byte("x"))
		time.Sleep(10 * time.Millisecond)
	}
}

// parseSSE reads one raw event block as EventSource does: CR, LF and CRLF
// all end a line, and a blank line ends the event. It returns the event's
// name, its data, and how many events the block holds.
func parseSSE(block string) (event, data string, events int) {
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(block), "\n")
	var datas []string
	pending := false
	for _, l := range lines {
		switch {
		case l == "":
			if pending {
				events++
				pending = false
			}
		case strings.HasPrefix(l, "event: "):
			event, pending = strings.TrimPrefix(l, "event: "), true
		case strings.HasPrefix(l, "data: "):
			datas, pending = append(datas, strings.TrimPrefix(l, "data: ")), true
		}
	}
	if pending {
		events++
	}
	return event, strings.Join(datas, "\n"), events
}

// A carriage return in a payload (a file name sent with RFC 2231 encoding,
// say) ends a line for EventSource: it must not let the payload start
// another field or event of its own.
func TestPublishKeepsCarriageReturnsInTheirField(t *testing.T) {
	tests := []struct {
		name, event, data   string
		wantEvent, wantData string
	}{
		{"lone CR", "task-1", "<p>a\rb</p>", "task-1", "<p>a\nb</p>"},
		{"CRLF", "task-1", "<p>a\r\nb</p>", "task-1", "<p>a\nb</p>"},
		{"injected fields", "task-1", "<p>x\r\revent: task-new\rdata: <img src=x onerror=alert(1)></p>",
			"task-1", "<p>x\n\nevent: task-new\ndata: <img src=x onerror=alert(1)></p>"},
		{"event name", "task-1\rdata: evil", "<p>ok</p>", "task-1data: evil", "<p>ok</p>"},
	}
	h, srv := newTestHub(t, Options{}, 0)
	h.Open("s1", "alice")
	_, r := subscribe(t, t.Context(), srv.URL+"/events/s1", "alice")
	waitClients(t, h, "s1", 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Publish("s1", tt.event, []byte(tt.data))
			block := nextEvent(t, r)
			event, data, n := parseSSE(block)
			if n != 1 || event != tt.wantEvent || data != tt.wantData {
				t.Errorf("raw %q reads as %d event(s), last %q with data %q; want 1 %q with %q", block, n, event, data, tt.wantEvent, tt.wantData)
			}
		})
	}
}
