package webapp

import (
	"context"
	"sync"
	"time"
)

// MemoryAnswerBook is the in-process AnswerBook: enough for one instance.
type MemoryAnswerBook struct {
	mu      sync.Mutex
	entries map[string]*bookEntry
}

type bookEntry struct {
	q       Question
	started bool
	final   []byte
	stopped chan struct{} // closed by Stop
	expire  *time.Timer
}

// NewMemoryAnswerBook makes an empty book.
func NewMemoryAnswerBook() *MemoryAnswerBook {
	return &MemoryAnswerBook{entries: map[string]*bookEntry{}}
}

// keep (re)sets how long e stays; b.mu is held.
func (b *MemoryAnswerBook) keep(id string, e *bookEntry, ttl time.Duration) {
	if e.expire != nil {
		e.expire.Stop()
	}
	e.expire = time.AfterFunc(ttl, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.entries[id] == e {
			delete(b.entries, id)
		}
	})
}

func (b *MemoryAnswerBook) Put(_ context.Context, q Question, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := &bookEntry{q: q, stopped: make(chan struct{})}
	b.entries[q.ID] = e
	b.keep(q.ID, e, ttl)
	return nil
}

func (b *MemoryAnswerBook) Get(_ context.Context, id string) (Question, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[id]; ok {
		return e.q, true, nil
	}
	return Question{}, false, nil
}

func (b *MemoryAnswerBook) Start(_ context.Context, id string, ttl time.Duration) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[id]
	if !ok || e.started {
		return false, nil
	}
	e.started = true
	b.keep(id, e, ttl)
	return true, nil
}

func (b *MemoryAnswerBook) Finish(_ context.Context, id string, final []byte, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[id]; ok {
		e.final = final
		b.keep(id, e, ttl)
	}
	return nil
}

func (b *MemoryAnswerBook) Final(_ context.Context, id string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[id]; ok {
		return e.final, nil
	}
	return nil, nil
}

func (b *MemoryAnswerBook) Stop(_ context.Context, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[id]; ok {
		select {
		case <-e.stopped:
		default:
			close(e.stopped)
		}
	}
	return nil
}

func (b *MemoryAnswerBook) Stopped(_ context.Context, id string) (<-chan struct{}, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[id]; ok {
		return e.stopped, func() {}
	}
	return make(chan struct{}), func() {}
}
