package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"glimpse/analysisstore"
)

// AnalysisStore keeps each video's generated analysis in Redis, read by
// every instance (webapp's AnalysisStore; package analysisstore is the
// one-instance store in files).
type AnalysisStore struct{ c *Cluster }

// AnalysisStore is the cluster's analysis store.
func (c *Cluster) AnalysisStore() *AnalysisStore { return &AnalysisStore{c: c} }

// storeTimeout bounds one Redis call of the store, whose interface has
// no context.
const storeTimeout = 5 * time.Second

func (s *AnalysisStore) key(indexID, videoID string) string {
	return s.c.key("analysis", indexID, videoID)
}

func (s *AnalysisStore) Load(indexID, videoID string) (analysisstore.Record, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	b, err := s.c.rdb.Get(ctx, s.key(indexID, videoID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return analysisstore.Record{}, false, nil
	}
	if err != nil {
		return analysisstore.Record{}, false, err
	}
	var rec analysisstore.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return analysisstore.Record{}, false, err
	}
	return rec, true, nil
}

func (s *AnalysisStore) Save(rec analysisstore.Record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return s.c.rdb.Set(ctx, s.key(rec.IndexID, rec.VideoID), b, 0).Err()
}
