package understand

import (
	"image"
	"image/draw"
	"math"
)

// The visual descriptor: what a picture looks like, in a form that survives
// cropping, scaling, recompression and brightness changes.
//
//   - low-frequency DCT of the contrast-normalised gray picture (layout;
//     blind to brightness, scale and compression noise),
//   - histograms of gradient orientation, whole picture and 2x2 cells
//     (texture and structure; each cell normalised so contrast cancels out),
//   - a soft histogram of opponent chromaticity (colour divided by
//     intensity, so brightness cancels out; barely moved by cropping).
//
// Each part is L2-normalised and weighted, and the whole is L2-normalised, so
// the cosine of two descriptors is their similarity.
const (
	dctSide   = 32
	dctMaxUV  = 5
	hogSide   = 64
	hogBins   = 8
	colorBins = 5

	dctDim   = (dctMaxUV+1)*(dctMaxUV+2)/2 - 1 // u+v in 1..dctMaxUV
	hogDim   = hogBins * 5                     // whole + 2x2 cells
	colorDim = colorBins * colorBins
	// VisualDim is the length of a visual descriptor.
	VisualDim = dctDim + hogDim + colorDim
)

const (
	dctWeight   = 0.8
	hogWeight   = 1.0
	colorWeight = 1.0
)

// rgb is a packed RGB picture.
type rgb struct {
	W, H int
	Pix  []byte
}

// region is a rectangle of a picture, in pixels.
type region struct{ X0, Y0, X1, Y1 int }

// resample box-averages the region of p into an n x n grid of RGB floats.
func resample(p rgb, r region, n int) []float32 {
	out := make([]float32, n*n*3)
	rw, rh := r.X1-r.X0, r.Y1-r.Y0
	for gy := 0; gy < n; gy++ {
		y0 := r.Y0 + gy*rh/n
		y1 := r.Y0 + (gy+1)*rh/n
		if y1 <= y0 {
			y1 = y0 + 1
		}
		for gx := 0; gx < n; gx++ {
			x0 := r.X0 + gx*rw/n
			x1 := r.X0 + (gx+1)*rw/n
			if x1 <= x0 {
				x1 = x0 + 1
			}
			var sr, sg, sb float32
			for y := y0; y < y1 && y < p.H; y++ {
				row := p.Pix[(y*p.W+x0)*3:]
				for x := 0; x < x1-x0 && x0+x < p.W; x++ {
					sr += float32(row[x*3])
					sg += float32(row[x*3+1])
					sb += float32(row[x*3+2])
				}
			}
			cnt := float32((y1 - y0) * (x1 - x0))
			o := (gy*n + gx) * 3
			out[o], out[o+1], out[o+2] = sr/cnt, sg/cnt, sb/cnt
		}
	}
	return out
}

// describe computes the visual descriptor of region r of p.
func describe(p rgb, r region) []float32 {
	big := resample(p, r, hogSide)
	gray := make([]float32, hogSide*hogSide)
	for i := range gray {
		gray[i] = 0.299*big[i*3] + 0.587*big[i*3+1] + 0.114*big[i*3+2]
	}
	standardise(gray)

	v := make([]float32, 0, VisualDim)
	v = append(v, scaled(lowDCT(halve(gray, hogSide)), dctWeight)...)
	v = append(v, scaled(gradientHistogram(gray, hogSide), hogWeight)...)
	v = append(v, scaled(chromaHistogram(big), colorWeight)...)
	normalise(v)
	return v
}

// standardise makes g zero-mean and unit-variance: contrast and brightness cancel out.
func standardise(g []float32) {
	var sum, sq float64
	for _, x := range g {
		sum += float64(x)
	}
	mean := sum / float64(len(g))
	for _, x := range g {
		d := float64(x) - mean
		sq += d * d
	}
	sd := math.Sqrt(sq/float64(len(g))) + 1
	for i, x := range g {
		g[i] = float32((float64(x) - mean) / sd)
	}
}

func halve(g []float32, n int) []float32 {
	m := n / 2
	out := make([]float32, m*m)
	for y := 0; y < m; y++ {
		for x := 0; x < m; x++ {
			out[y*m+x] = (g[2*y*n+2*x] + g[2*y*n+2*x+1] + g[(2*y+1)*n+2*x] + g[(2*y+1)*n+2*x+1]) / 4
		}
	}
	return out
}

// lowDCT returns the DCT-II coefficients with 1 <= u+v <= dctMaxUV of a dctSide square.
func lowDCT(g []float32) []float32 {
	const n = dctSide
	var basis [dctMaxUV + 1][n]float64
	for u := 0; u <= dctMaxUV; u++ {
		for x := 0; x < n; x++ {
			basis[u][x] = math.Cos(math.Pi * float64(u) * (float64(x) + 0.5) / n)
		}
	}
	// rows first: r[y][u] = sum_x g[y][x] * basis[u][x]
	var rows [n][dctMaxUV + 1]float64
	for y := 0; y < n; y++ {
		for u := 0; u <= dctMaxUV; u++ {
			var s float64
			for x := 0; x < n; x++ {
				s += float64(g[y*n+x]) * basis[u][x]
			}
			rows[y][u] = s
		}
	}
	out := make([]float32, 0, dctDim)
	for s := 1; s <= dctMaxUV; s++ {
		for u := 0; u <= s; u++ {
			v := s - u
			var c float64
			for y := 0; y < n; y++ {
				c += rows[y][u] * basis[v][y]
			}
			out = append(out, float32(c))
		}
	}
	normalise(out)
	return out
}

// gradientHistogram is a histogram of unsigned gradient orientations weighted
// by magnitude, for the whole square and its four quadrants.
func gradientHistogram(g []float32, n int) []float32 {
	out := make([]float32, hogDim)
	for y := 1; y < n-1; y++ {
		for x := 1; x < n-1; x++ {
			dx := g[y*n+x+1] - g[y*n+x-1]
			dy := g[(y+1)*n+x] - g[(y-1)*n+x]
			mag := float32(math.Sqrt(float64(dx*dx + dy*dy)))
			if mag == 0 {
				continue
			}
			ang := math.Atan2(float64(dy), float64(dx))
			if ang < 0 {
				ang += math.Pi
			}
			pos := ang / math.Pi * hogBins // 0..8, soft between neighbours
			b0 := int(pos) % hogBins
			b1 := (b0 + 1) % hogBins
			f := float32(pos - math.Floor(pos))
			cell := 1 + (y*2/n)*2 + x*2/n
			for _, c := range [2]int{0, cell} {
				out[c*hogBins+b0] += mag * (1 - f)
				out[c*hogBins+b1] += mag * f
			}
		}
	}
	for c := 0; c < 5; c++ {
		part := out[c*hogBins : (c+1)*hogBins]
		for i := range part {
			part[i] = float32(math.Sqrt(float64(part[i])))
		}
		centre(part)
		normalise(part)
		if c > 0 {
			scale(part, 0.5) // the four cells together weigh as much as the whole
		}
	}
	normalise(out)
	return out
}

// chromaHistogram is a soft 2-D histogram of opponent chromaticity:
// (R-G)/(R+G+B) and (R+G-2B)/(R+G+B), both blind to brightness.
func chromaHistogram(p []float32) []float32 {
	out := make([]float32, colorDim)
	add := func(v, lo, hi float32) (int, int, float32) {
		pos := (v - lo) / (hi - lo) * (colorBins - 1)
		if pos < 0 {
			pos = 0
		}
		if pos > colorBins-1 {
			pos = colorBins - 1
		}
		i := int(pos)
		if i >= colorBins-1 {
			return colorBins - 1, colorBins - 1, 0
		}
		return i, i + 1, pos - float32(i)
	}
	for i := 0; i < len(p); i += 3 {
		r, g, b := p[i], p[i+1], p[i+2]
		s := r + g + b + 30 // the constant keeps near-black pixels from counting as vivid
		a0, a1, fa := add((r-g)/s, -0.5, 0.5)
		b0, b1, fb := add((r+g-2*b)/s, -0.8, 0.8)
		out[a0*colorBins+b0] += (1 - fa) * (1 - fb)
		out[a1*colorBins+b0] += fa * (1 - fb)
		out[a0*colorBins+b1] += (1 - fa) * fb
		out[a1*colorBins+b1] += fa * fb
	}
	for i := range out {
		out[i] = float32(math.Sqrt(float64(out[i]))) // Hellinger: tames the dominant bin
	}
	centre(out)
	normalise(out)
	return out
}

// centre subtracts a histogram's mean bin, so that two histograms' cosine
// is their correlation: flat, featureless histograms no longer look alike.
func centre(v []float32) {
	var m float32
	for _, x := range v {
		m += x
	}
	m /= float32(len(v))
	for i := range v {
		v[i] -= m
	}
}

func normalise(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	scale(v, float32(1/math.Sqrt(s)))
}

func scale(v []float32, k float32) {
	for i := range v {
		v[i] *= k
	}
}

func scaled(v []float32, k float32) []float32 { scale(v, k); return v }

// Cosine is the dot product of two normalised descriptors.
func Cosine(a, b []float32) float32 {
	var s float32
	n := min(len(a), len(b))
	a, b = a[:n], b[:n]
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// windows are the parts of a frame a clip is described by: the whole, the
// centre (a crop), and the two halves (split-screen news layouts put a
// second picture in one half).
func windows(w, h int) []region {
	mx, my := w/8, h/8
	return []region{
		{0, 0, w, h},
		{mx, my, w - mx, h - my},
		{0, 0, w / 2, h},
		{w / 2, 0, w, h},
	}
}

// Windows is how many descriptors a clip carries.
const Windows = 4

// ImageDescriptor describes a query image as a whole.
func ImageDescriptor(img image.Image) []float32 {
	p := toRGB(img, 640)
	return describe(p, region{0, 0, p.W, p.H})
}

func toRGBSize(img image.Image, maxW int) (int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxW {
		h = h * maxW / w
		w = maxW
	}
	return max(w, 1), max(h, 1)
}

// toRGB converts img to packed RGB no wider than maxW (box-averaged).
func toRGB(img image.Image, maxW int) rgb {
	b := img.Bounds()
	full := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(full, full.Bounds(), img, b.Min, draw.Src)
	src := rgb{W: b.Dx(), H: b.Dy(), Pix: make([]byte, b.Dx()*b.Dy()*3)}
	for i := 0; i < src.W*src.H; i++ {
		src.Pix[i*3], src.Pix[i*3+1], src.Pix[i*3+2] = full.Pix[i*4], full.Pix[i*4+1], full.Pix[i*4+2]
	}
	w, h := toRGBSize(img, maxW)
	if w == src.W {
		return src
	}
	f := resampleTo(src, w, h)
	return f
}

func resampleTo(src rgb, w, h int) rgb {
	out := rgb{W: w, H: h, Pix: make([]byte, w*h*3)}
	for y := 0; y < h; y++ {
		y0, y1 := y*src.H/h, max((y+1)*src.H/h, y*src.H/h+1)
		for x := 0; x < w; x++ {
			x0, x1 := x*src.W/w, max((x+1)*src.W/w, x*src.W/w+1)
			var s [3]int
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					o := (yy*src.W + xx) * 3
					s[0] += int(src.Pix[o])
					s[1] += int(src.Pix[o+1])
					s[2] += int(src.Pix[o+2])
				}
			}
			n := (y1 - y0) * (x1 - x0)
			o := (y*w + x) * 3
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = byte(s[0]/n), byte(s[1]/n), byte(s[2]/n)
		}
	}
	return out
}
