// Package pipeline is the contract between the ingest state machine and the
// work done on a video while it is indexing. Media packaging, understanding
// (speech, on-screen text, visual features) and anything later are Stages; the
// state machine runs them in order and knows nothing of what they do.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Video is what a stage is given: the validated source and where to write.
type Video struct {
	IndexID string
	VideoID string
	// SourcePath is the uploaded file, already validated by ffprobe.
	SourcePath string
	// Dir is the video's own directory; a stage writes only below it, and
	// deleting the video removes it whole.
	Dir string

	Duration float64 // seconds
	Width    int
	Height   int
	FPS      float64
	HasAudio bool

	// ModelOptions are the index's options for its Marengo model ("visual",
	// "audio"); Addons its addons ("thumbnail").
	ModelOptions []string
	Addons       []string
	// EnableStream says whether an HLS stream is kept for the video.
	EnableStream bool
}

// Stage is one step of indexing.
type Stage interface {
	// Name names the stage in logs and in timing reports.
	Name() string
	// Weight is the share of indexing time the stage usually takes; the
	// task's progress percentage is the weighted sum of stage fractions.
	Weight() float64
	// Run does the stage's work. progress takes a fraction in [0,1]. An error
	// fails the task; a *StageError carries the live error code to report.
	Run(ctx context.Context, v *Video, progress func(fraction float64)) error
}

// StageError is a failure with a code a client understands
// (for example video_file_broken) and a message a person understands.
type StageError struct {
	Code    string
	Message string
}

func (e *StageError) Error() string { return e.Code + ": " + e.Message }

// Span is a stretch of a video with text in it.
type Span struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"value"`
	// Conf is the recogniser's confidence in each word of a transcript
	// span's Text (split at spaces). It is nil for on-screen text and for
	// transcripts stored before confidences were kept: those words count
	// as sure. The wire's transcription leaves it out.
	Conf []float64 `json:"conf,omitempty"`
}

// SureConf is the recogniser confidence (its lattice posterior) from which
// a spoken word is taken as heard right. Measured on bench/quality's
// narrations (docs/QUALITY.md): every tenth below it has 21–64% of its
// words wrong, every tenth above it 3–17%; a third of the words below are
// wrong (19 of 56), one in sixteen above (15 of 243).
const SureConf = 0.5

// Sure says whether a word of confidence c may be quoted as fact; 0 means
// not known (data from before confidences were kept) and counts as sure.
func Sure(c float64) bool { return c == 0 || c >= SureConf }

// WordConfs pairs Text's words (split at spaces) with their confidences,
// 0 (sure) where none are known.
func (s Span) WordConfs() ([]string, []float64) {
	ws := strings.Fields(s.Text)
	cs := make([]float64, len(ws))
	if len(s.Conf) == len(ws) {
		copy(cs, s.Conf)
	}
	return ws, cs
}

// Clip is one search unit: a few seconds, aligned to shot changes.
type Clip struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	// Thumbnail is a file name relative to the video's Dir, or "".
	Thumbnail string `json:"thumbnail,omitempty"`
}

// Understanding is what the understanding stages derived from one video.
// It is kept as understanding.json in the video's Dir; search and
// generation read it, and GET video?transcription=true serves Transcript.
type Understanding struct {
	Duration   float64   `json:"duration"`
	Clips      []Clip    `json:"clips"`
	Shots      []float64 `json:"shots"` // times of shot changes, seconds
	Transcript []Span    `json:"transcript"`
	OnScreen   []Span    `json:"on_screen_text"`
}

const understandingFile = "understanding.json"

// LoadUnderstanding reads dir's understanding; a video indexed without the
// understanding stages has none and gets an empty one.
func LoadUnderstanding(dir string) (*Understanding, error) {
	b, err := os.ReadFile(filepath.Join(dir, understandingFile))
	if errors.Is(err, os.ErrNotExist) {
		return &Understanding{}, nil
	}
	if err != nil {
		return nil, err
	}
	var u Understanding
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Save writes u into dir atomically, so a crash never leaves half a file.
func (u *Understanding) Save(dir string) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, understandingFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, understandingFile))
}

// Listener hears about videos entering and leaving the engine, so that
// in-memory structures such as the search index stay in step with storage.
type Listener interface {
	VideoReady(ctx context.Context, v *Video) error
	VideoDeleted(indexID, videoID string)
	IndexDeleted(indexID string)
}

// VideoMeta is what the engine's storage knows of a video, for search
// filters and for generation.
type VideoMeta struct {
	IndexID      string
	VideoID      string
	Filename     string
	Title        string
	Duration     float64
	Width        int
	Height       int
	FPS          float64
	Size         int64
	UserMetadata map[string]any
	// Dir is the video's directory (see Video.Dir).
	Dir string
	// Ready is false while the video's task has not reached "ready".
	Ready     bool
	CreatedAt time.Time
}

// Catalog is the read side of the engine's storage that search and
// generation use; the engine core implements it.
type Catalog interface {
	// ReadyVideos lists every ready video, to load the search index at start.
	ReadyVideos(ctx context.Context) ([]VideoMeta, error)
	// FindVideo looks a video up by id alone (analyze names only the video);
	// a missing video is a wire.NotFound error.
	FindVideo(ctx context.Context, videoID string) (*VideoMeta, error)
	// IndexModels names the models of an index (search needs a Marengo
	// one); a missing index is a wire.NotFound error.
	IndexModels(ctx context.Context, indexID string) ([]string, error)
}
