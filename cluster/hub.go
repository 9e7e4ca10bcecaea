package cluster

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"glimpse/events"
)

// Hub is the SSE hub of one instance (package events) with its events
// fanned out to every instance: Publish delivers to this instance's
// clients at once and sends the event over Redis pub/sub to the others,
// which deliver it to theirs. Publish never blocks: events wait in a
// bounded queue for Redis, and are dropped (and logged) when it is full.
type Hub struct {
	Local *events.Hub

	c        *Cluster
	instance string
	channel  string
	queue    chan []byte
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// wireEvent is one event on the Redis channel.
type wireEvent struct {
	From   string `json:"f"`
	Stream string `json:"s"`
	Event  string `json:"e"`
	Data   []byte `json:"d"`
}

// Hub starts the fan-out over local; Close stops it.
func (c *Cluster) Hub(local *events.Hub) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{Local: local, c: c, instance: rand.Text(), channel: c.key("events"),
		queue: make(chan []byte, 4096), cancel: cancel}
	sub := c.rdb.Subscribe(ctx, h.channel)
	// Wait for the subscription, so that nothing published after Hub
	// returns is missed by this instance.
	if _, err := sub.Receive(ctx); err != nil {
		c.log.Warn("redis subscribe", "err", err)
	}
	h.wg.Add(2)
	go h.receive(ctx, sub)
	go h.send(ctx)
	return h
}

// Open opens stream on this instance (see events.Hub.Open).
func (h *Hub) Open(stream, owner string) bool { return h.Local.Open(stream, owner) }

// Serve serves stream's events to a client of this instance.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, stream string) {
	h.Local.Serve(w, r, stream)
}

// Publish delivers here and sends to the other instances.
func (h *Hub) Publish(stream, event string, data []byte) {
	h.Local.Publish(stream, event, data)
	msg, _ := json.Marshal(wireEvent{From: h.instance, Stream: stream, Event: event, Data: data})
	select {
	case h.queue <- msg:
	default:
		h.c.log.Warn("redis fan-out queue full: event dropped", "stream", stream, "event", event)
	}
}

func (h *Hub) send(ctx context.Context) {
	defer h.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-h.queue:
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := h.c.rdb.Publish(pctx, h.channel, msg).Err(); err != nil && ctx.Err() == nil {
				h.c.log.Warn("redis publish", "err", err)
			}
			cancel()
		}
	}
}

// receive delivers the other instances' events to this one's clients.
// go-redis resubscribes by itself after a lost connection; events sent
// meanwhile are lost, as with any pub/sub (pages render the current state
// when they load, and the stream carries changes).
func (h *Hub) receive(ctx context.Context, sub *redis.PubSub) {
	defer h.wg.Done()
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			var ev wireEvent
			if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil || ev.From == h.instance {
				continue
			}
			h.Local.Publish(ev.Stream, ev.Event, ev.Data)
		}
	}
}

// Close stops the fan-out (the local hub is the caller's to shut down).
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
}
