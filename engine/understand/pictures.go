package understand

// The picture pass of the stage: one decode of the video at a few frames a
// second that finds shots, builds clips and their thumbnails, and hands
// changed frames to OCR.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"

	"glimpse/engine/pipeline"
)

// builtClip is a clip while the picture pass builds it.
type builtClip struct {
	Start, End float64
	visual     [][]float32
	semantic   []float32
	thumb      string
}

const (
	sampleFPS = 2.0 // frames looked at per second
	// ocrEvery bounds OCR work on footage that never stops moving (crowds,
	// split screens): captions stay up for seconds, so 2 s loses none.
	ocrEvery = 2.0
	thumbW   = 320
	// wholeEvery: one OCR frame in this many is also read whole.
	wholeEvery = 3
)

// pictures is the one decoding pass over the picture: it finds shot changes,
// cuts clips, describes them, writes their thumbnails, and hands frames whose
// picture changed to ocr (at most one per second).
func (s *Stage) pictures(ctx context.Context, v *pipeline.Video, ocr func(at float64, p rgb) error, progress func(float64)) ([]builtClip, []float64, int, error) {
	var (
		clips     []builtClip
		shots     []float64
		det       shotDetector
		cur       *builtClip
		sums      [][]float32
		frames    []rgb // small copies of the current clip's frames, for its thumbnail
		lastOCR   []float32
		lastOCRAt = -10.0
		ocrCount  int
	)
	if err := os.MkdirAll(filepath.Join(v.Dir, "clips"), 0o755); err != nil {
		return nil, nil, 0, err
	}
	closeClip := func(end float64) error {
		if cur == nil {
			return nil
		}
		cur.End = end
		for _, s := range sums {
			normalise(s)
		}
		cur.visual = sums
		mid := len(frames) / 2
		name := fmt.Sprintf("clips/%04d.jpg", len(clips))
		if len(frames) > 0 {
			if err := writeJPEG(filepath.Join(v.Dir, name), frames[mid]); err != nil {
				return err
			}
			cur.thumb = name
			if s.semantic != nil {
				vec, err := s.semantic.ImageEmbedding(rgbImage(frames[mid]))
				if err != nil {
					return fmt.Errorf("image-text model: %w", err)
				}
				cur.semantic = vec
			}
		}
		clips = append(clips, *cur)
		cur, sums, frames = nil, nil, nil
		return nil
	}
	err := decodeFrames(ctx, s.ffmpeg, v.SourcePath, v.Width, v.Height, sampleFPS, func(f *frame) error {
		p := rgb{W: f.W, H: f.H, Pix: f.Pix}
		isCut := det.cut(p)
		if isCut {
			shots = append(shots, f.Time)
		}
		if cur != nil && ((isCut && f.Time-cur.Start >= minClip) || f.Time-cur.Start >= maxClip-1e-9) {
			if err := closeClip(f.Time); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &builtClip{Start: f.Time}
			sums = make([][]float32, Windows)
			for i := range sums {
				sums[i] = make([]float32, VisualDim)
			}
		}
		for i, w := range windows(p.W, p.H) {
			d := describe(p, w)
			for k := range d {
				sums[i][k] += d[k]
			}
		}
		frames = append(frames, resampleTo(p, thumbW, max(1, p.H*thumbW/p.W)))

		// On-screen text: only where the picture changed since the last
		// frame read, and at most every ocrEvery seconds.
		if f.Time-lastOCRAt >= ocrEvery-1e-9 {
			g := grayGrid(p, 32, 32)
			if lastOCR == nil || pictureChanged(lastOCR, g) {
				lastOCR, lastOCRAt = g, f.Time
				ocrCount++
				if err := ocr(f.Time, rgb{W: p.W, H: p.H, Pix: append([]byte(nil), p.Pix...)}); err != nil {
					return err
				}
			}
		}
		if v.Duration > 0 {
			progress(min(1, f.Time/v.Duration))
		}
		return nil
	})
	if err != nil {
		return nil, nil, ocrCount, err
	}
	end := v.Duration
	if cur != nil && end <= cur.Start {
		end = cur.Start + 1/sampleFPS
	}
	// A last sliver joins the clip before it.
	if cur != nil && len(clips) > 0 && end-cur.Start < 1 {
		clips[len(clips)-1].End = end
		cur = nil
	}
	if err := closeClip(end); err != nil {
		return nil, nil, ocrCount, err
	}
	if len(clips) == 0 {
		return nil, nil, ocrCount, errors.New("no frames decoded")
	}
	return clips, shots, ocrCount, nil
}

// pictureChanged: enough 32x32 cells differ from the last frame read.
func pictureChanged(a, b []float32) bool {
	changed := 0
	for i := range a {
		d := a[i] - b[i]
		if d > 12 || d < -12 {
			changed++
		}
	}
	return changed*100 >= len(a)*2 || meanAbsDiff(a, b) > 4
}

func rgbImage(p rgb) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.W, p.H))
	for i := 0; i < p.W*p.H; i++ {
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = p.Pix[i*3], p.Pix[i*3+1], p.Pix[i*3+2], 255
	}
	return img
}

func writeJPEG(path string, p rgb) error {
	img := rgbImage(p)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 80}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
