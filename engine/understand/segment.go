package understand

import "math"

// Clip lengths: a few seconds, cut at shot changes; a shot longer than
// maxClip is cut every maxClip seconds, and a shot change that would leave a
// clip shorter than minClip is ignored (flashes, quick cutaways).
const (
	minClip = 1.5
	maxClip = 6.0
)

// shotDetector says whether consecutive frames belong to different shots,
// from a coarse colour histogram and a coarse gray layout.
type shotDetector struct {
	prevHist []float32
	prevGrid []float32
}

const (
	histCut = 0.45 // L1/2 histogram distance of a hard cut
	gridCut = 22.0 // mean gray difference (0..255) that with a histogram change marks a cut
)

func colorHist(p rgb) []float32 {
	h := make([]float32, 64)
	n := 0
	for i := 0; i < len(p.Pix); i += 3 * 4 { // every 4th pixel is plenty
		r, g, b := p.Pix[i]>>6, p.Pix[i+1]>>6, p.Pix[i+2]>>6
		h[int(r)<<4|int(g)<<2|int(b)]++
		n++
	}
	for i := range h {
		h[i] /= float32(n)
	}
	return h
}

// grayGrid is the mean gray of each cell of a w x h grid over p.
func grayGrid(p rgb, gw, gh int) []float32 {
	c := resample(p, region{0, 0, p.W, p.H}, gw) // gw x gw; aspect does not matter for a difference
	_ = gh
	g := make([]float32, gw*gw)
	for i := range g {
		g[i] = 0.299*c[i*3] + 0.587*c[i*3+1] + 0.114*c[i*3+2]
	}
	return g
}

func meanAbsDiff(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i] - b[i]))
	}
	return s / float64(len(a))
}

// cut reports whether p starts a new shot.
func (d *shotDetector) cut(p rgb) bool {
	h := colorHist(p)
	g := grayGrid(p, 16, 16)
	defer func() { d.prevHist, d.prevGrid = h, g }()
	if d.prevHist == nil {
		return false
	}
	var l1 float64
	for i := range h {
		l1 += math.Abs(float64(h[i] - d.prevHist[i]))
	}
	hd := l1 / 2
	gd := meanAbsDiff(g, d.prevGrid)
	return hd > histCut || (hd > histCut/2 && gd > gridCut)
}
