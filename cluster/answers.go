package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"glimpse/webapp"
)

// AnswerBook keeps the questions being answered in Redis (webapp's
// AnswerBook), so that a question asked on one instance can be streamed
// from another, and Stop reaches the instance that runs it. Each question
// is a hash: its JSON, whether a run claimed it, its final form, whether it
// was stopped; stops are also published, to end a run at once.
type AnswerBook struct {
	c       *Cluster
	channel string

	mu       sync.Mutex
	watchers map[string]map[*stopWatch]struct{}
	sub      *redis.PubSub
	cancel   context.CancelFunc
	done     chan struct{}
}

type stopWatch struct {
	ch   chan struct{}
	once sync.Once
}

func (w *stopWatch) fire() { w.once.Do(func() { close(w.ch) }) }

// AnswerBook starts listening for stops; Close ends it.
func (c *Cluster) AnswerBook() *AnswerBook {
	ctx, cancel := context.WithCancel(context.Background())
	b := &AnswerBook{c: c, channel: c.key("answer-stops"), watchers: map[string]map[*stopWatch]struct{}{},
		cancel: cancel, done: make(chan struct{})}
	b.sub = c.rdb.Subscribe(ctx, b.channel)
	// Wait for the subscription, so a stop published after this returns
	// is heard.
	if _, err := b.sub.Receive(ctx); err != nil {
		c.log.Warn("redis subscribe", "err", err)
	}
	go b.listen(ctx)
	return b
}

// Close stops listening for stops.
func (b *AnswerBook) Close() {
	b.cancel()
	<-b.done
}

func (b *AnswerBook) listen(ctx context.Context) {
	defer close(b.done)
	defer b.sub.Close()
	ch := b.sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			b.mu.Lock()
			for w := range b.watchers[m.Payload] {
				w.fire()
			}
			b.mu.Unlock()
		}
	}
}

func (b *AnswerBook) key(id string) string { return b.c.key("answer", id) }

var _ webapp.AnswerBook = (*AnswerBook)(nil)

func (b *AnswerBook) Put(ctx context.Context, q webapp.Question, ttl time.Duration) error {
	data, err := json.Marshal(q)
	if err != nil {
		return err
	}
	k := b.key(q.ID)
	_, err = b.c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k)
		p.HSet(ctx, k, "q", data)
		p.PExpire(ctx, k, ttl)
		return nil
	})
	return err
}

func (b *AnswerBook) Get(ctx context.Context, id string) (webapp.Question, bool, error) {
	data, err := b.c.rdb.HGet(ctx, b.key(id), "q").Bytes()
	if errors.Is(err, redis.Nil) {
		return webapp.Question{}, false, nil
	}
	if err != nil {
		return webapp.Question{}, false, err
	}
	var q webapp.Question
	if err := json.Unmarshal(data, &q); err != nil {
		return webapp.Question{}, false, err
	}
	return q, true, nil
}

// answerStartScript claims the run: only for a registered question not claimed yet.
var answerStartScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'q') == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'started', '1') == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`)

func (b *AnswerBook) Start(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	n, err := answerStartScript.Run(ctx, b.c.rdb, []string{b.key(id)}, ttl.Milliseconds()).Int()
	return n == 1, err
}

// answerFinishScript keeps the final form of a question still registered.
var answerFinishScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'q') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'final', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`)

func (b *AnswerBook) Finish(ctx context.Context, id string, final []byte, ttl time.Duration) error {
	return answerFinishScript.Run(ctx, b.c.rdb, []string{b.key(id)}, final, ttl.Milliseconds()).Err()
}

func (b *AnswerBook) Final(ctx context.Context, id string) ([]byte, error) {
	final, err := b.c.rdb.HGet(ctx, b.key(id), "final").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return final, err
}

// answerStopScript marks a registered question stopped.
var answerStopScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'q') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'stopped', '1')
return 1`)

func (b *AnswerBook) Stop(ctx context.Context, id string) error {
	n, err := answerStopScript.Run(ctx, b.c.rdb, []string{b.key(id)}).Int()
	if err != nil || n == 0 {
		return err
	}
	return b.c.rdb.Publish(ctx, b.channel, id).Err()
}

// Stopped watches for a stop published from now on, and closes at once
// when the question was stopped before (the mark is read after the watch
// is in place, so no stop falls between the two).
func (b *AnswerBook) Stopped(ctx context.Context, id string) (<-chan struct{}, func()) {
	w := &stopWatch{ch: make(chan struct{})}
	b.mu.Lock()
	if b.watchers[id] == nil {
		b.watchers[id] = map[*stopWatch]struct{}{}
	}
	b.watchers[id][w] = struct{}{}
	b.mu.Unlock()
	if stopped, err := b.c.rdb.HExists(ctx, b.key(id), "stopped").Result(); err == nil && stopped {
		w.fire()
	} else if err != nil && ctx.Err() == nil {
		b.c.log.Warn("redis: answer's stop mark not read", "err", err)
	}
	return w.ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.watchers[id], w)
		if len(b.watchers[id]) == 0 {
			delete(b.watchers, id)
		}
	}
}
