package search

import (
	"context"
	"fmt"
	"image"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
)

// One space, one length. Marengo puts text, image, audio and video in one
// space so that any can be compared with any (the full description of
// /embed and /embed/tasks says so), and clients rely on it: they take the
// cosine of a text vector and a clip's. The engine keeps that promise
// only as far as it can:
//   - with an image–text model (Config.Semantic) text, images and every
//     clip of a video are the model's vectors: one space, one length;
//   - without one, images and clips are the visual descriptor
//     (understand.ImageDescriptor, VisualDim floats), comparable with each
//     other, and text has no vector in that space at all. EmbedText then
//     refuses (400) rather than answer a vector of another space and
//     length that a client would compare with clips and get noise.
// Audio has no model here either: /embed refuses it (engine/api).

// ErrNoTextSpace is EmbedText's refusal without an image–text model.
var ErrNoTextSpace = wire.ParameterInvalid("This engine embeds images and videos as visual descriptors and has no " +
	"image–text model, so a text vector could not be compared with them; text embeddings need one (GLIMPSE_CLIP_DIR). " +
	"Text search works without it: POST /search.")

// EmbedText is text's vector in the space of EmbedImage's and of the
// clips of embedding tasks: the image–text model's. Without a model it is
// ErrNoTextSpace.
func (s *Search) EmbedText(text string) ([]float32, error) {
	if s.cfg.Semantic == nil {
		return nil, ErrNoTextSpace
	}
	vec, err := s.cfg.Semantic.TextEmbedding(text)
	if err != nil {
		return nil, fmt.Errorf("image-text model: %w", err)
	}
	return vec, nil
}

// EmbedImage is an image's vector: the image–text model's when there is
// one, else its visual descriptor; either way in the space of the clips
// of embedding tasks.
func (s *Search) EmbedImage(img image.Image) ([]float32, error) {
	if s.cfg.Semantic == nil {
		return understand.ImageDescriptor(img), nil
	}
	vec, err := s.cfg.Semantic.ImageEmbedding(img)
	if err != nil {
		return nil, fmt.Errorf("image-text model: %w", err)
	}
	return vec, nil
}

// VisualOption is the documented embedding_option that names the engine's
// visual vectors for a model: "visual" for Marengo 3.0, "visual-text" for
// Marengo 2.7 (its one vector of what is seen and written on screen).
// Marengo 3.0's "audio" and "transcription" and 2.7's "audio" have no
// vectors here.
func VisualOption(model string) string {
	if strings.HasPrefix(strings.ToLower(model), "marengo3") {
		return "visual"
	}
	return "visual-text"
}

// Segment is one embedding of a span of a video.
type Segment struct {
	Float      []float32
	Start, End float64 // seconds
	Scope      string  // "clip" or "video"
	Option     string  // VisualOption of the task's model
}

// EmbedTask is one video embedding task, kept in memory.
type EmbedTask struct {
	ID        string
	Model     string
	Status    string // processing, ready, failed
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
	Segments  []Segment // when ready
	Failure   string
}

type embedTasks struct {
	s      *Search
	mu     sync.Mutex
	tasks  map[string]*EmbedTask
	sem    chan struct{} // one video at a time: they share the cores with ingest
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newEmbedTasks(s *Search) *embedTasks {
	ctx, cancel := context.WithCancel(context.Background())
	return &embedTasks{s: s, tasks: map[string]*EmbedTask{}, sem: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

func (t *embedTasks) close() {
	t.cancel()
	t.wg.Wait()
}

// StartEmbedTask embeds the video at path in the background, one task at
// a time; the file is the task's and is removed when it is done (or when
// it is refused).
func (s *Search) StartEmbedTask(model string, scopes []string, path string) (EmbedTask, error) {
	t := s.tasks
	if s.cfg.Embedder == nil {
		os.Remove(path)
		return EmbedTask{}, wire.Errorf(http.StatusBadRequest, "parameter_invalid", "Video embeddings are not enabled on this engine.")
	}
	now := s.cfg.Now()
	task := &EmbedTask{ID: wire.NewID(), Model: model, Status: "processing", Scopes: scopes, CreatedAt: now, UpdatedAt: now}
	t.mu.Lock()
	t.tasks[task.ID] = task
	c := *task
	t.mu.Unlock()
	t.wg.Add(1)
	go t.process(task, path)
	return c, nil
}

func (t *embedTasks) process(task *EmbedTask, path string) {
	defer t.wg.Done()
	defer os.Remove(path)
	select {
	case t.sem <- struct{}{}:
		defer func() { <-t.sem }()
	case <-t.ctx.Done():
		return
	}
	clips, err := t.s.cfg.Embedder.EmbedVideo(t.ctx, path)
	var segs []Segment
	if err == nil {
		segs = videoSegments(clips, task.Scopes, VisualOption(task.Model), t.s.cfg.Semantic != nil)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	task.UpdatedAt = t.s.cfg.Now()
	if err != nil {
		task.Status, task.Failure = "failed", pipeline.PublicReason(err.Error())
		t.s.log.Warn("embedding task failed", "task_id", task.ID, "err", err)
		return
	}
	task.Status, task.Segments = "ready", segs
}

// videoSegments are the clip vectors and, for the video scope, their
// normalised mean: the image–text model's vector of each clip's middle
// frame when semantic (the space of EmbedText and EmbedImage), else the
// visual descriptor of the whole frame (the space of EmbedImage).
func videoSegments(clips []understand.ClipFeatures, scopes []string, option string, semantic bool) []Segment {
	var out []Segment
	var mean []float32
	for _, c := range clips {
		vec := c.Semantic
		if !semantic && len(c.Visual) > 0 {
			vec = c.Visual[0]
		}
		if len(vec) == 0 {
			continue
		}
		if mean == nil {
			mean = make([]float32, len(vec))
		}
		for i, x := range vec {
			mean[i] += x
		}
		if slices.Contains(scopes, "clip") {
			out = append(out, Segment{Float: vec, Start: c.Start, End: c.End, Scope: "clip", Option: option})
		}
	}
	if slices.Contains(scopes, "video") && mean != nil {
		var n float64
		for _, x := range mean {
			n += float64(x * x)
		}
		if n > 0 {
			for i := range mean {
				mean[i] /= float32(math.Sqrt(n))
			}
		}
		out = append(out, Segment{Float: mean, Start: 0, End: clips[len(clips)-1].End, Scope: "video", Option: option})
	}
	return out
}

// EmbedTask returns a copy of the task id names.
func (s *Search) EmbedTask(id string) (EmbedTask, error) {
	t := s.tasks
	t.mu.Lock()
	defer t.mu.Unlock()
	task := t.tasks[id]
	if task == nil {
		return EmbedTask{}, wire.NotFound(fmt.Sprintf("The embedding task %s does not exist.", id))
	}
	return *task, nil
}

// EmbedTasks returns every task, newest first, without their segments.
func (s *Search) EmbedTasks() []EmbedTask {
	t := s.tasks
	t.mu.Lock()
	all := make([]EmbedTask, 0, len(t.tasks))
	for _, task := range t.tasks {
		c := *task
		c.Segments = nil
		all = append(all, c)
	}
	t.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.After(all[j].CreatedAt)
		}
		return all[i].ID > all[j].ID
	})
	return all
}

// VideoEmbeddings are an indexed video's clip vectors, as an embedding
// task with its index's Marengo model would give them (clip scope), for
// GET /indexes/{id}/videos/{id}?embedding_option=: the model's name and
// the segments.
func (s *Search) VideoEmbeddings(ctx context.Context, videoID string) (string, []Segment, error) {
	meta, err := s.cfg.Catalog.FindVideo(ctx, videoID)
	if err != nil {
		return "", nil, err
	}
	models, err := s.cfg.Catalog.IndexModels(ctx, meta.IndexID)
	if err != nil {
		return "", nil, err
	}
	model := ""
	for _, m := range models {
		if strings.HasPrefix(strings.ToLower(m), "marengo") {
			model = m
			break
		}
	}
	if model == "" {
		return "", nil, wire.ParameterInvalid("The video's index has no Marengo model, so the video has no embeddings.")
	}
	f, err := understand.LoadFeatures(meta.Dir)
	if err != nil {
		return "", nil, fmt.Errorf("features of %s: %w", videoID, err)
	}
	return model, videoSegments(f.Clips, []string{"clip"}, VisualOption(model), s.cfg.Semantic != nil), nil
}
