package search

import (
	"runtime"
	"sync"

	"glimpse/engine/understand"
)

// imageScores compares the query descriptor with every window of every
// clip, in parallel over the cores.
func (s *snapshot) imageScores(q []float32) []float32 {
	n := len(s.clips)
	out := make([]float32, n)
	dim := understand.VisualDim
	stride := understand.Windows * dim
	workers := min(runtime.GOMAXPROCS(0), max(1, n/2048))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := lo; c < hi; c++ {
				if !s.hasVisual[c] {
					continue
				}
				base := s.visual[c*stride : (c+1)*stride]
				var best float32 = -1
				for k := 0; k < understand.Windows; k++ {
					if d := dot(q, base[k*dim:(k+1)*dim]); d > best {
						best = d
					}
				}
				out[c] = calibrateImage(best)
			}
		}()
	}
	wg.Wait()
	return out
}

// semanticScores compares a text vector with the clips' image–text vectors.
func (s *snapshot) semanticScores(q []float32, floor, ceil float32) []float32 {
	out := make([]float32, len(s.clips))
	for c, v := range s.semantic {
		if len(v) != len(q) || ceil <= floor {
			continue
		}
		x := (dot(q, v) - floor) / (ceil - floor)
		out[c] = min(max(x, 0), 1)
	}
	return out
}

func calibrateImage(cos float32) float32 {
	v := (cos - imageFloor) / (imageCeil - imageFloor)
	return min(max(v, 0), 1)
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
