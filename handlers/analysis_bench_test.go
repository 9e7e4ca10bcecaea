package handlers

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkAnswerStream is one question answered end to end through the
// router and the SSE hub: POST the question, open the stream, read every
// update until "done". The upstream sends 200 pieces with no gap, so the
// figure is the app's own cost (re-rendering the text so far after every
// piece included).
func BenchmarkAnswerStream(b *testing.B) {
	const pieces = 200
	fake := newFakePegasus(b)
	fake.gap = 0
	for i := range pieces {
		fake.pieces = append(fake.pieces, fmt.Sprintf("word%d at 1:%02d, ", i, i%60))
	}
	app := newAnalysisApp(b, fake, newTestStore(b))
	b.ResetTimer()
	reconnects := 0
	for b.Loop() {
		stream := app.ask(b, "alice", "What happens?")
		ctx, leave := context.WithCancel(b.Context())
		done := false
		for !done {
			// Like a browser, reconnect when the stream ends before "done".
			for ev := range app.openSSE(b, ctx, stream, "alice") {
				if ev.name == "done" {
					done = true
					break
				}
			}
			if !done {
				reconnects++
			}
		}
		leave()
	}
	b.ReportMetric(float64(reconnects)/float64(b.N), "reconnects/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/pieces/1e3, "µs/piece")
}

// BenchmarkStopReachesUpstream measures from the stop button's POST to the
// upstream /analyze handler seeing its connection closed.
func BenchmarkStopReachesUpstream(b *testing.B) {
	fake := newFakePegasus(b)
	fake.pieces, fake.hold = []string{"So far "}, true
	app := newAnalysisApp(b, fake, newTestStore(b))
	var total time.Duration
	for b.Loop() {
		stream := app.ask(b, "alice", "Describe the video.")
		ctx, leave := context.WithCancel(b.Context())
		evs := app.openSSE(b, ctx, stream, "alice")
		next(b, evs)
		start := time.Now()
		app.do(b, "POST", strings.TrimSuffix(stream, "/events")+"/stop", "alice", url.Values{})
		select {
		case <-fake.gone:
		case <-time.After(waitLimit):
			b.Fatal("upstream stayed open")
		}
		total += time.Since(start)
		leave()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1e3, "ms/stop")
}
