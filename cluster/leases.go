package cluster

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// TaskLeases share the watching of tasks between instances (webapp's
// TaskLeases): the streams that watch a task, a lease naming the one
// instance that polls it, and a mark once it ended.
type TaskLeases struct{ c *Cluster }

// TaskLeases is the cluster's task leases.
func (c *Cluster) TaskLeases() *TaskLeases { return &TaskLeases{c: c} }

// watchKeep is how long a task's record stays: longer than the watcher's
// 6 h limit on one task.
const watchKeep = 7 * time.Hour

func (l *TaskLeases) Join(ctx context.Context, taskID, stream string) error {
	k := l.c.key("task", taskID, "streams")
	_, err := l.c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, k, stream)
		p.Expire(ctx, k, watchKeep)
		return nil
	})
	return err
}

func (l *TaskLeases) Streams(ctx context.Context, taskID string) ([]string, error) {
	return l.c.rdb.SMembers(ctx, l.c.key("task", taskID, "streams")).Result()
}

// holdScript takes the lease when free, renews it when held by ARGV[1].
var holdScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`)

func (l *TaskLeases) Hold(ctx context.Context, taskID, holder string, ttl time.Duration) (held, done bool, err error) {
	n, err := holdScript.Run(ctx, l.c.rdb, []string{l.c.key("task", taskID, "lease"), l.c.key("task", taskID, "done")},
		holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, false, err
	}
	return n == 1, n == 2, nil
}

// finishScript gives the lease up if ARGV[1] holds it, and marks the task
// done when ARGV[2] is 1.
var finishScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if ARGV[2] == '1' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return 0`)

func (l *TaskLeases) Finish(ctx context.Context, taskID, holder string, done bool) error {
	d := "0"
	if done {
		d = "1"
	}
	return finishScript.Run(ctx, l.c.rdb, []string{l.c.key("task", taskID, "lease"), l.c.key("task", taskID, "done")},
		holder, d, watchKeep.Milliseconds()).Err()
}
