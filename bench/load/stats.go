package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// recorder keeps every latency and error per request kind. A 60 s run
// of 200 users makes some ten thousand samples: kept whole, no sketch.
type recorder struct {
	mu     sync.Mutex
	times  map[string][]time.Duration
	errors map[string]int
	// firstErrors are a few error messages per kind, for the report.
	firstErrors map[string][]string
}

func newRecorder() *recorder {
	return &recorder{times: map[string][]time.Duration{}, errors: map[string]int{}, firstErrors: map[string][]string{}}
}

// done records one request of kind: its latency, or its error.
func (r *recorder) done(kind string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errors[kind]++
		if len(r.firstErrors[kind]) < 3 {
			r.firstErrors[kind] = append(r.firstErrors[kind], err.Error())
		}
		return
	}
	r.times[kind] = append(r.times[kind], d)
}

func (r *recorder) totalErrors() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.errors {
		n += e
	}
	return n
}

// percentile is the nearest-rank percentile p (0..100) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// report writes one Markdown table row per kind.
func (r *recorder) report(w io.Writer, window time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := map[string]bool{}
	for k := range r.times {
		kinds[k] = true
	}
	for k := range r.errors {
		kinds[k] = true
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintln(w, "| kind | ok | errors | per s | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, k := range names {
		t := slices.Clone(r.times[k])
		slices.Sort(t)
		var maxd time.Duration
		if len(t) > 0 {
			maxd = t[len(t)-1]
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f | %s | %s | %s | %s |\n", k, len(t), r.errors[k],
			float64(len(t))/window.Seconds(), ms(percentile(t, 50)), ms(percentile(t, 95)), ms(percentile(t, 99)), ms(maxd))
	}
	for _, k := range names {
		for _, e := range r.firstErrors[k] {
			fmt.Fprintf(w, "error %s: %.300s\n", k, e)
		}
	}
}
