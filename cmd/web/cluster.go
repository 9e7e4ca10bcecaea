package main

import (
	"context"
	"log/slog"

	"glimpse/cluster"
	"glimpse/events"
	"glimpse/handlers"
	"glimpse/webapp"
)

// shared is what the app shares with its other instances: with
// GLIMPSE_REDIS_URL, over Redis (package cluster); without, the
// in-process defaults.
type shared struct {
	hub      handlers.EventHub
	leases   webapp.TaskLeases
	analyses webapp.AnalysisStore
	answers  webapp.AnswerBook
	close    func()
}

func joinCluster(redisURL string, local *events.Hub, analyses webapp.AnalysisStore, log *slog.Logger) (*shared, error) {
	if redisURL == "" {
		return &shared{hub: local, analyses: analyses, answers: webapp.NewMemoryAnswerBook(), close: func() {}}, nil
	}
	c, err := cluster.New(context.Background(), redisURL, "glimpse", log.With("part", "cluster"))
	if err != nil {
		return nil, err
	}
	hub := c.Hub(local)
	answers := c.AnswerBook()
	log.Info("sharing events, task polling, answers and analyses over redis")
	return &shared{hub: hub, leases: c.TaskLeases(), analyses: c.AnalysisStore(), answers: answers,
		close: func() { answers.Close(); hub.Close(); c.Close() }}, nil
}
