// Package understand is the local engine's understanding of a video, as an
// ingest stage: clips aligned to shot changes, a thumbnail per clip, visual
// descriptors, speech (pocketsphinx) and on-screen text (tesseract).
package understand

import (
	"context"
	"errors"
	"fmt"
	"image"
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

// transcriptSpans groups words into phrases at pauses, as a transcription reads.
func transcriptSpans(words []Word) []pipeline.Span {
	var out []pipeline.Span
	var cur []string
	var conf []float64
	var st, en float64
	flush := func() {
		if len(cur) > 0 {
			out = append(out, pipeline.Span{Start: st, End: en, Text: strings.Join(cur, " "), Conf: conf})
		}
		cur, conf = nil, nil
	}
	for _, w := range words {
		if len(cur) > 0 && (w.Start-en > 0.5 || w.End-st > 8) {
			flush()
		}
		if len(cur) == 0 {
			st = w.Start
		}
		cur = append(cur, w.Word)
		conf = append(conf, w.Conf)
		en = w.End
	}
	flush()
	return out
}
