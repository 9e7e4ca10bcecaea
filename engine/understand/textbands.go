package understand

import (
	"bytes"
	"fmt"
	"os"
	"sort"
)

// On-screen text read whole: tesseract given a whole frame reads captions
// over busy or bright pictures clipped or not at all. So the frame's text
// regions are found first (rows and columns dense in sharp vertical
// strokes: lettering is, photographs mostly are not), each is cropped,
// upscaled until its letters are the size tesseract reads best, and
// binarised both ways (light text on dark and dark on light), and the
// reading tesseract is surest of is kept.

// gray is an 8-bit luma picture.
type gray struct {
	W, H int
	Pix  []byte
}

func toGray(p rgb) gray {
	g := gray{W: p.W, H: p.H, Pix: make([]byte, p.W*p.H)}
	for i := range g.Pix {
		g.Pix[i] = byte((299*int(p.Pix[i*3]) + 587*int(p.Pix[i*3+1]) + 114*int(p.Pix[i*3+2])) / 1000)
	}
	return g
}

const (
	// strokeEdge is the luma step across two pixels that counts as the
	// edge of a letter's stroke: captions are drawn to be read, so their
	// edges are much sharper than a photograph's at this size.
	strokeEdge = 70
	// bandMinH and bandMaxH bound a text line's height in the 360-line
	// frame the picture pass decodes (10 to 90 px on 720 lines).
	bandMinH = 5
	bandMaxH = 45
	// textHeight is the band height the crop is scaled to for tesseract.
	textHeight = 64
)

// edgeMap marks pixels at the edge of a stroke.
func edgeMap(g gray) []bool {
	e := make([]bool, g.W*g.H)
	for y := 0; y < g.H; y++ {
		row := g.Pix[y*g.W : (y+1)*g.W]
		for x := 1; x+1 < g.W; x++ {
			d := int(row[x+1]) - int(row[x-1])
			if d >= strokeEdge || d <= -strokeEdge {
				e[y*g.W+x] = true
			}
		}
	}
	return e
}

// textBands finds the regions of g that look like lines of text, top to
// bottom: runs of rows with many stroke edges, narrowed to the columns
// where those edges cluster.
func textBands(g gray) []region {
	e := edgeMap(g)
	rowScore := make([]int, g.H)
	for y := 0; y < g.H; y++ {
		n := 0
		for x := 0; x < g.W; x++ {
			if e[y*g.W+x] {
				n++
			}
		}
		rowScore[y] = n
	}
	// A text row crosses several letters, each with two or more edges.
	minRow := max(10, g.W/40)
	var out []region
	for y := 0; y < g.H; {
		if rowScore[y] < minRow {
			y++
			continue
		}
		y0 := y
		for y < g.H && rowScore[y] >= minRow {
			y++
		}
		y1 := y
		if y1-y0 < bandMinH || y1-y0 > bandMaxH {
			continue
		}
		for _, xs := range edgeClusters(e, g.W, y0, y1) {
			pad := max(4, (y1-y0)/2)
			out = append(out, region{
				X0: max(0, xs[0]-pad), X1: min(g.W, xs[1]+pad),
				Y0: max(0, y0-pad), Y1: min(g.H, y1+pad),
			})
		}
	}
	return out
}

// edgeClusters are the column ranges of rows [y0, y1) where stroke edges
// gather: columns with edges, joined across gaps narrower than about a
// word space, kept when wide enough for a few letters.
func edgeClusters(e []bool, w, y0, y1 int) [][2]int {
	h := y1 - y0
	col := make([]int, w)
	for y := y0; y < y1; y++ {
		for x := 0; x < w; x++ {
			if e[y*w+x] {
				col[x]++
			}
		}
	}
	minCol := max(2, h/4)
	gap := max(6, h*3/2)
	var out [][2]int
	start, last := -1, -1
	flush := func() {
		if start >= 0 && last-start >= 2*h {
			out = append(out, [2]int{start, last + 1})
		}
		start = -1
	}
	for x := 0; x < w; x++ {
		if col[x] < minCol {
			continue
		}
		if start >= 0 && x-last > gap {
			flush()
		}
		if start < 0 {
			start = x
		}
		last = x
	}
	flush()
	return out
}

// luma and whiteness are what a crop measures of each pixel: brightness,
// or how close to white it is (the least of its channels), which parts
// white letters from a bright but coloured picture behind them.
func luma(r, g, b byte) float64 { return 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b) }

func whiteness(r, g, b byte) float64 { return float64(min(r, g, b)) }

// cropScaled cuts r out of p and scales it so its height is about
// textHeight, measuring each pixel with m.
func cropScaled(p rgb, r region, m func(r, g, b byte) float64) gray {
	rw, rh := r.X1-r.X0, r.Y1-r.Y0
	scale := float64(textHeight) / float64(rh)
	scale = min(max(scale, 1), 6)
	w, h := int(float64(rw)*scale), int(float64(rh)*scale)
	out := gray{W: w, H: h, Pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		fy := (float64(y)+0.5)/scale - 0.5
		y0 := int(fy)
		ty := fy - float64(y0)
		y0 = min(max(y0, 0), rh-1)
		y1 := min(y0+1, rh-1)
		for x := 0; x < w; x++ {
			fx := (float64(x)+0.5)/scale - 0.5
			x0 := int(fx)
			tx := fx - float64(x0)
			x0 = min(max(x0, 0), rw-1)
			x1 := min(x0+1, rw-1)
			l := func(xx, yy int) float64 {
				o := ((r.Y0+yy)*p.W + r.X0 + xx) * 3
				return m(p.Pix[o], p.Pix[o+1], p.Pix[o+2])
			}
			v := (l(x0, y0)*(1-tx)+l(x1, y0)*tx)*(1-ty) + (l(x0, y1)*(1-tx)+l(x1, y1)*tx)*ty
			out.Pix[y*w+x] = byte(min(max(v, 0), 255))
		}
	}
	return out
}

// otsu is the threshold that best splits g's histogram in two.
func otsu(g gray) int {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	total := len(g.Pix)
	var sum float64
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB float64
	wB, best, bestT := 0, -1.0, 128
	for t := 0; t < 256; t++ {
		wB += hist[t]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * hist[t])
		mB, mF := sumB/float64(wB), (sum-sumB)/float64(wF)
		if v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); v > best {
			best, bestT = v, t
		}
	}
	return bestT
}

// binarised is g in black and white at threshold t: dark text on white
// when light is false (pixels at or below t black), light text turned to
// black on white when it is true.
func binarised(g gray, t int, light bool) gray {
	out := gray{W: g.W, H: g.H, Pix: make([]byte, len(g.Pix))}
	for i, v := range g.Pix {
		ink := int(v) <= t
		if light {
			ink = !ink
		}
		if !ink {
			out.Pix[i] = 255
		}
	}
	clearBorder(out)
	// A white margin: tesseract misreads letters touching the edge.
	return framed(out, 8)
}

// clearBorder whitens the ink touching the crop's edge: letters sit inside
// the padded crop, so what reaches its edge is the picture around them
// (a caption box's border, a blade of grass) and reads as "|" or "I".
func clearBorder(g gray) {
	var stack []int
	push := func(i int) {
		if g.Pix[i] == 0 {
			g.Pix[i] = 255
			stack = append(stack, i)
		}
	}
	for x := 0; x < g.W; x++ {
		push(x)
		push((g.H-1)*g.W + x)
	}
	for y := 0; y < g.H; y++ {
		push(y * g.W)
		push(y*g.W + g.W - 1)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%g.W, i/g.W
		if x > 0 {
			push(i - 1)
		}
		if x+1 < g.W {
			push(i + 1)
		}
		if y > 0 {
			push(i - g.W)
		}
		if y+1 < g.H {
			push(i + g.W)
		}
	}
}

func framed(g gray, m int) gray {
	out := gray{W: g.W + 2*m, H: g.H + 2*m, Pix: bytes.Repeat([]byte{255}, (g.W+2*m)*(g.H+2*m))}
	for y := 0; y < g.H; y++ {
		copy(out.Pix[(y+m)*out.W+m:], g.Pix[y*g.W:(y+1)*g.W])
	}
	return out
}

func (g gray) writePGM(path string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n255\n", g.W, g.H)
	b.Write(g.Pix)
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// sortRegions orders regions top to bottom, then left to right.
func sortRegions(rs []region) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Y0 != rs[j].Y0 {
			return rs[i].Y0 < rs[j].Y0
		}
		return rs[i].X0 < rs[j].X0
	})
}

// otsuWithin is otsu over the pixels of g in [lo, hi] only: run on the
// bright side of the first split, it parts a white fill from the light
// picture behind an outlined caption.
func otsuWithin(g gray, lo, hi int) int {
	var sub []byte
	for _, v := range g.Pix {
		if int(v) >= lo && int(v) <= hi {
			sub = append(sub, v)
		}
	}
	if len(sub) < 16 {
		return (lo + hi) / 2
	}
	return otsu(gray{W: len(sub), H: 1, Pix: sub})
}
