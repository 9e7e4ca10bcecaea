// Package understand is the local engine's understanding of a video, as an
// ingest stage: clips aligned to shot changes, a thumbnail per clip, visual
// descriptors, speech (pocketsphinx) and on-screen text (tesseract).
package understand

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
)

// Config says where the tools are; empty fields take the Debian defaults.
type Config struct {
	FFmpeg       string // default "ffmpeg" on PATH
	Tesseract    string // default "tesseract"
	Pocketsphinx string // pocketsphinx_batch; default on PATH
	ModelDir     string // default /usr/share/pocketsphinx/model/en-us
	Workers      int    // processes per tool; default NumCPU
	// WorkDir holds each run's scratch folder (frames, audio); the engine
	// puts it under its data dir and empties it at start, so a crash
	// leaves nothing behind in /tmp. Default os.TempDir().
	WorkDir string
	Logger  *slog.Logger
	// Semantic, if set, is an image–text model (engine/understand/onnx)
	// whose image vector of each clip's middle frame is kept for text queries.
	Semantic ImageEncoder
}

// ImageEncoder turns a picture into an image–text model's vector.
type ImageEncoder interface {
	ImageEmbedding(img image.Image) ([]float32, error)
}

// Stage is the understanding stage (pipeline.Stage).
type Stage struct {
	semantic ImageEncoder
	ffmpeg   string
	speech   *Speech
	ocr      *OCR
	work     int
	workDir  string
	log      *slog.Logger
}

// New checks that the tools and the speech model are present.
func New(cfg Config) (*Stage, error) {
	look := func(name, def string) (string, error) {
		if name == "" {
			name = def
		}
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("understand: %s not found (run scripts/deps.sh): %w", name, err)
		}
		return p, nil
	}
	ff, err := look(cfg.FFmpeg, "ffmpeg")
	if err != nil {
		return nil, err
	}
	tess, err := look(cfg.Tesseract, "tesseract")
	if err != nil {
		return nil, err
	}
	ps, err := look(cfg.Pocketsphinx, "pocketsphinx_batch")
	if err != nil {
		return nil, err
	}
	model := cfg.ModelDir
	if model == "" {
		model = "/usr/share/pocketsphinx/model/en-us"
	}
	if _, err := os.Stat(filepath.Join(model, "en-us.lm.bin")); err != nil {
		return nil, fmt.Errorf("understand: pocketsphinx en-us model missing in %s: %w", model, err)
	}
	w := cfg.Workers
	if w <= 0 {
		w = runtime.NumCPU()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Stage{
		semantic: cfg.Semantic,
		ffmpeg:   ff,
		speech:   &Speech{FFmpeg: ff, Batch: ps, ModelDir: model, Workers: w, WorkDir: cfg.WorkDir},
		ocr:      &OCR{Tesseract: tess},
		work:     w,
		workDir:  cfg.WorkDir,
		log:      log,
	}, nil
}

func (s *Stage) Name() string { return "understand" }

// Weight: about 0.11 s per second of video (example.mp4: 17 s for 160 s),
// against the core's HLS stage at weight 6, which is near-instant for the
// usual H.264 upload (stream copy) and 0.4 s/s when it must transcode.
func (s *Stage) Weight() float64 { return 12 }

// Speech gives the recogniser, for measuring it on its own (WER).
func (s *Stage) Speech() *Speech { return s.speech }

// Timing is where one run's time went, for the benchmark.
type Timing struct {
	Visual, OCR, Speech, Total time.Duration
	OCRFrames, Clips           int
}

// Run derives the video's understanding and features and saves them in v.Dir.
func (s *Stage) Run(ctx context.Context, v *pipeline.Video, progress func(float64)) error {
	_, err := s.RunTimed(ctx, v, progress)
	return err
}

// RunTimed is Run that also reports where the time went.
func (s *Stage) RunTimed(ctx context.Context, v *pipeline.Video, progress func(float64)) (Timing, error) {
	start := time.Now()
	var tm Timing
	if progress == nil {
		progress = func(float64) {}
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	tmp, err := os.MkdirTemp(s.workDir, "glimpse-understand-")
	if err != nil {
		return tm, err
	}
	defer os.RemoveAll(tmp)

	var mu sync.Mutex
	var visFrac, speechFrac float64
	report := func() { progress(0.5*visFrac + 0.5*speechFrac) }

	// Speech runs beside the picture work: the two never wait on each other.
	var words []Word
	speechErr := make(chan error, 1)
	wantSpeech := v.HasAudio && (len(v.ModelOptions) == 0 || slices.Contains(v.ModelOptions, "audio"))
	go func() {
		if !wantSpeech {
			speechErr <- nil
			return
		}
		t0 := time.Now()
		w, err := s.speech.RecognizeProgress(ctx, v.SourcePath, func(f float64) {
			mu.Lock()
			speechFrac = 0.95 * f
			report()
			mu.Unlock()
		})
		mu.Lock()
		words, tm.Speech, speechFrac = w, time.Since(t0), 1
		report()
		mu.Unlock()
		if err != nil {
			cancel()
		}
		speechErr <- err
	}()

	// OCR workers read the frames the picture pass hands them.
	jobs := make(chan *ocrFrame, 64)
	var lines []TextLine
	var ocrErr error
	var ocrBusy time.Duration
	var wg sync.WaitGroup
	for i := 0; i < s.work; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				t0 := time.Now()
				got, err := s.ocr.ReadFrame(ctx, j)
				j.remove()
				mu.Lock()
				ocrBusy += time.Since(t0)
				if err != nil && ocrErr == nil {
					ocrErr = err
				}
				lines = append(lines, got...)
				mu.Unlock()
			}
		}()
	}

	t0 := time.Now()
	nOCR := 0
	clips, shots, ocrFrames, visErr := s.pictures(ctx, v, func(at float64, p rgb) error {
		// The whole frame is read every wholeEvery frames, for text the
		// bands miss; the bands, where captions are, every time.
		f, err := prepareOCR(tmp, fmt.Sprintf("f%07d", int(at*1000)), at, p, nOCR%wholeEvery == 0)
		nOCR++
		if err != nil {
			return err
		}
		select {
		case jobs <- f:
			return nil
		case <-ctx.Done():
			f.remove()
			return ctx.Err()
		}
	}, func(f float64) {
		mu.Lock()
		visFrac = f * 0.9
		report()
		mu.Unlock()
	})
	close(jobs)
	tm.Visual = time.Since(t0)
	if visErr != nil {
		cancel() // the video is refused either way: stop OCR and speech now
	}
	wg.Wait()
	tm.OCR = ocrBusy
	tm.OCRFrames = ocrFrames
	spErr := <-speechErr
	if visErr != nil {
		if parent.Err() != nil {
			return tm, parent.Err()
		}
		if spErr == nil || !errors.Is(visErr, context.Canceled) {
			return tm, &pipeline.StageError{Code: "video_file_broken", Message: "The video could not be decoded: " + visErr.Error()}
		}
	}
	if spErr != nil {
		if parent.Err() != nil {
			return tm, parent.Err()
		}
		return tm, &pipeline.StageError{Code: "video_file_broken", Message: "The audio could not be decoded: " + spErr.Error()}
	}
	if ocrErr != nil {
		return tm, fmt.Errorf("on-screen text: %w", ocrErr)
	}

	sort.Slice(lines, func(a, b int) bool { return lines[a].Time < lines[b].Time })
	feat := &Features{Model: ModelName, Words: words, Text: lines}
	u := &pipeline.Understanding{Duration: v.Duration, Shots: shots}
	for _, c := range clips {
		feat.Clips = append(feat.Clips, ClipFeatures{Start: c.Start, End: c.End, Visual: c.visual, Semantic: c.semantic})
		u.Clips = append(u.Clips, pipeline.Clip{Start: c.Start, End: c.End, Thumbnail: c.thumb})
	}
	u.Transcript = transcriptSpans(words)
	u.OnScreen = onScreenSpans(lines, v.Duration)
	if err := feat.save(v.Dir); err != nil {
		return tm, err
	}
	if err := u.Save(v.Dir); err != nil {
		return tm, err
	}
	progress(1)
	tm.Clips = len(clips)
	tm.Total = time.Since(start)
	s.log.Info("understood video", "video_id", v.VideoID, "clips", len(clips), "words", len(words),
		"text_lines", len(lines), "ocr_frames", ocrFrames, "took", tm.Total.Round(time.Millisecond),
		"pictures", tm.Visual.Round(time.Millisecond), "speech", tm.Speech.Round(time.Millisecond),
		"ocr_busy", tm.OCR.Round(time.Millisecond))
	return tm, nil
}

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

// transcriptSpans groups words into phrases at pauses, as a transcription reads.
func transcriptSpans(words []Word) []pipeline.Span {
	var out []pipeline.Span
	var cur []string
	var st, en float64
	flush := func() {
		if len(cur) > 0 {
			out = append(out, pipeline.Span{Start: st, End: en, Text: strings.Join(cur, " ")})
		}
		cur = nil
	}
	for _, w := range words {
		if len(cur) > 0 && (w.Start-en > 0.5 || w.End-st > 8) {
			flush()
		}
		if len(cur) == 0 {
			st = w.Start
		}
		cur = append(cur, w.Word)
		en = w.End
	}
	flush()
	return out
}
