// Package cluster lets several web instances behind a load balancer act
// as one, over Redis (GLIMPSE_REDIS_URL): SSE events published on one
// instance reach the browsers connected to any other (Hub), one instance
// polls each task in flight while the others stand by (TaskLeases), a
// question asked on one is answered on whichever holds its stream, and
// stopped from any (AnswerBook), and saved analyses are kept where every
// instance reads them (AnalysisStore).
// Without Redis the web app keeps all of it in its own process.
package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is one instance's connection to the shared Redis.
type Cluster struct {
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
}

// New connects to the Redis at url (redis://[user:pass@]host:port/db) and
// checks that it answers. Keys and channels start with prefix, so that
// several deployments may share one Redis.
func New(ctx context.Context, url, prefix string, log *slog.Logger) (*Cluster, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("GLIMPSE_REDIS_URL: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cluster{rdb: redis.NewClient(opts), prefix: prefix, log: log}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.rdb.Ping(pctx).Err(); err != nil {
		c.rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", opts.Addr, err)
	}
	return c, nil
}

// Close closes the connection.
func (c *Cluster) Close() error { return c.rdb.Close() }

func (c *Cluster) key(parts ...string) string {
	k := c.prefix
	for _, p := range parts {
		k += ":" + p
	}
	return k
}
