package webapp

import (
	"sync"
	"time"
)

const (
	// answerUpdateEvery bounds how often the text so far is sent to the
	// page, after the first answerOpening updates, which go out at once.
	answerUpdateEvery = 15 * time.Millisecond
	answerOpening     = 8
)

// answerUpdates publishes the text so far. The opening updates go out as
// they come, so the first words show at once even when the upstream writes
// a whole answer in a few milliseconds (the hub's per-stream buffer of 16
// holds them). After that an update goes out at once when the last one is
// answerUpdateEvery old, else once that much time has passed, with
// whatever text there is then. Each update carries the whole text, so a
// coalesced or dropped one costs nothing; the bound keeps a fast upstream
// (one event per token) from re-rendering the text hundreds of times a
// second and from overrunning a client's queue in the hub.
type answerUpdates struct {
	publish func(markdown string)

	mu      sync.Mutex
	text    string
	sent    int
	last    time.Time
	pending *time.Timer
	stopped bool
}

func (u *answerUpdates) set(text string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.text = text
	if u.stopped || u.pending != nil {
		return
	}
	if wait := answerUpdateEvery - time.Since(u.last); wait > 0 && u.sent >= answerOpening {
		u.pending = time.AfterFunc(wait, u.flush)
		return
	}
	u.send()
}

// send publishes the current text; u.mu is held.
func (u *answerUpdates) send() {
	u.sent++
	u.last = time.Now()
	u.publish(u.text)
}

func (u *answerUpdates) flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pending = nil
	if !u.stopped {
		u.send()
	}
}

// stop drops any pending update: the final form follows.
func (u *answerUpdates) stop() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.stopped = true
	if u.pending != nil {
		u.pending.Stop()
	}
}
