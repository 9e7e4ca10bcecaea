package understand

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"glimpse/internal/testmedia"
)

func cpuSeconds() float64 {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return float64(self.Utime.Nano()+self.Stime.Nano()+kids.Utime.Nano()+kids.Stime.Nano()) / 1e9
}

// BenchmarkStageParts runs the parts of the understanding stage one after
// another over example.mp4 and reports each one's CPU seconds (its own and
// its tools'), which do not depend on what else the machine is running,
// then the whole stage with its parts side by side:
//
//	go test ./engine/understand/ -run XXX -bench StageParts -benchtime 1x
func BenchmarkStageParts(b *testing.B) {
	src := testmedia.Path(b, "example.mp4")
	st, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		v := probe(b, src, b.TempDir())
		tmp := b.TempDir()
		var frames []*ocrFrame
		c0 := cpuSeconds()
		if _, _, _, err := st.pictures(ctx, v, func(at float64, p rgb) error {
			f, err := prepareOCR(tmp, fmt.Sprintf("%07d", int(at*1000)), at, p, len(frames)%wholeEvery == 0)
			frames = append(frames, f)
			return err
		}, func(float64) {}); err != nil {
			b.Fatal(err)
		}
		c1 := cpuSeconds()
		for _, f := range frames {
			if _, err := st.ocr.ReadFrame(ctx, f); err != nil {
				b.Fatal(err)
			}
			f.remove()
		}
		c2 := cpuSeconds()
		if _, err := st.speech.Recognize(ctx, src); err != nil {
			b.Fatal(err)
		}
		c3 := cpuSeconds()
		t0 := time.Now()
		if _, err := st.RunTimed(ctx, probe(b, src, b.TempDir()), nil); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(t0)
		c4 := cpuSeconds()
		b.ReportMetric(c1-c0, "cpu-s-pictures")
		b.ReportMetric(c2-c1, "cpu-s-ocr")
		b.ReportMetric(float64(len(frames)), "ocr-frames")
		b.ReportMetric(c3-c2, "cpu-s-speech")
		b.ReportMetric(c4-c3, "cpu-s-stage")
		b.ReportMetric(wall.Seconds(), "s-stage-wall")
	}
}
