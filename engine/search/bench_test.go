package search

import (
	"context"
	"fmt"
	"image"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"glimpse/engine/understand"
	"glimpse/internal/testmedia"
)

// syntheticIndex fills an index with n clips over n/100 videos: on-screen
// text and speech drawn from a 20,000-word vocabulary with a Zipf-like
// spread, and random visual descriptors of the real length.
func syntheticIndex(b *testing.B, n int) (*Search, []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 20000)
	for i := range vocab {
		l := 4 + rng.IntN(6)
		var sb strings.Builder
		for j := 0; j < l; j++ {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
		vocab[i] = sb.String()
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, uint64(len(vocab)-1))
	words := func(k int) string {
		var ws []string
		for i := 0; i < k; i++ {
			ws = append(ws, vocab[zipf.Uint64()])
		}
		return strings.Join(ws, " ")
	}
	s := New(Config{})
	var docs []*videoDoc
	dim := understand.Windows * understand.VisualDim
	for v := 0; v < n/100; v++ {
		d := &videoDoc{IndexID: "bench", VideoID: fmt.Sprintf("%024x", v), Duration: 600}
		for c := 0; c < 100; c++ {
			cd := clipDoc{Start: float64(c * 6), End: float64(c*6 + 6), Thumb: fmt.Sprintf("clips/%04d.jpg", c)}
			cd.setField(fieldText, []string{words(12)})
			cd.setField(fieldSpeech, []string{words(25)})
			cd.Visual = make([]float32, dim)
			for w := 0; w < understand.Windows; w++ {
				seg := cd.Visual[w*understand.VisualDim : (w+1)*understand.VisualDim]
				var norm float64
				for i := range seg {
					seg[i] = float32(rng.NormFloat64())
					norm += float64(seg[i] * seg[i])
				}
				for i := range seg {
					seg[i] /= float32(math.Sqrt(norm))
				}
			}
			d.Clips = append(d.Clips, cd)
		}
		docs = append(docs, d)
	}
	s.index.add(docs...)
	// Queries: a common word, a mid-frequency pair, a rare word with a typo.
	queries := []string{vocab[3] + " " + vocab[40], vocab[500] + " " + vocab[900] + " " + vocab[2000], vocab[15000] + "x"}
	return s, queries
}

// BenchmarkSearch100k measures search over 100,000 clips, end to end
// below HTTP (matching, threshold, ordering, result set), and reports p95.
func BenchmarkSearch100k(b *testing.B) {
	s, queries := syntheticIndex(b, 100_000)
	f, err := os.Open(testmedia.Path(b, "search_sample.png"))
	if err != nil {
		b.Fatal(err)
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	imgVec := understand.ImageDescriptor(img)
	// What one more video costs the index (VideoReady), and a delete (a
	// full rebuild, while searches go on over the previous snapshot).
	extra := &videoDoc{IndexID: "bench", VideoID: "extra", Duration: 600, Clips: s.index.snapshot("bench").videos[0].Clips}
	t0 := time.Now()
	if err := s.index.addDoc(extra); err != nil {
		b.Fatal(err)
	}
	ready := time.Since(t0)
	t0 = time.Now()
	s.index.VideoDeleted("bench", "extra")
	rebuild := time.Since(t0)
	cases := []struct {
		name string
		q    func(i int) query
	}{
		{"text", func(i int) query {
			return query{Text: queries[i%len(queries)], Visual: true, Audio: true, Operator: "or"}
		}},
		{"text-common-words", func(int) query { return query{Text: queries[0], Visual: true, Audio: true, Operator: "or"} }},
		{"text-rare-typo", func(int) query { return query{Text: queries[2], Visual: true, Audio: true, Operator: "or"} }},
		{"image", func(int) query { return query{Image: imgVec, Visual: true, Operator: "or"} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			var cpu time.Duration
			i := 0
			for b.Loop() {
				req := &searchRequest{indexID: "bench", q: c.q(i), groupBy: "clip", sortOption: "score", pageLimit: 10, threshold: 0}
				t0, c0 := time.Now(), cpuTime()
				rs, err := s.run(context.Background(), req)
				lat = append(lat, time.Since(t0))
				cpu += cpuTime() - c0
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					b.ReportMetric(float64(rs.count()), "results")
				}
				i++
			}
			sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
			b.ReportMetric(float64(ready.Milliseconds()), "video-ready-ms")
			b.ReportMetric(float64(rebuild.Milliseconds()), "video-deleted-ms")
		})
	}
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// shows the work a search costs apart from waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
