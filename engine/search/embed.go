package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"image"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
)

// TextDim is the length of the engine's text vectors: words hashed into
// buckets after stemming, with near-synonyms sharing weight, so texts that
// say the same thing in other word forms land close together.
const TextDim = 512

// TextVector embeds text in the engine's lexical space (not the visual
// space: the local engine has no joint image-text model).
func TextVector(lx text.Lexicon, s string) []float32 {
	v := make([]float32, TextDim)
	add := func(st string, w float32) {
		h := fnv.New32a()
		h.Write([]byte(st))
		sum := h.Sum32()
		sign := float32(1)
		if sum&(1<<31) != 0 {
			sign = -1
		}
		v[int(sum%TextDim)] += sign * w
	}
	for _, t := range queryTerms(s) {
		add(t.Stem, 1)
		for _, syn := range lx[t.Stem] {
			add(syn, synonymMatch/2)
		}
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n > 0 {
		k := float32(1 / math.Sqrt(n))
		for i := range v {
			v[i] *= k
		}
	}
	return v
}

// EmbedText is text's vector: the image–text model's when there is one
// (in one space with EmbedImage's), else the lexical TextVector.
func (s *Search) EmbedText(text string) ([]float32, error) {
	if s.cfg.Semantic == nil {
		return TextVector(s.index.lex, text), nil
	}
	vec, err := s.cfg.Semantic.TextEmbedding(text)
	if err != nil {
		return nil, fmt.Errorf("image-text model: %w", err)
	}
	return vec, nil
}

// EmbedImage is an image's vector: the image–text model's when there is
// one, else its visual descriptor.
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

// Segment is one embedding of a span of a video.
type Segment struct {
	Float      []float32
	Start, End float64 // seconds
	Scope      string  // "clip" or "video"
	Option     string  // "visual-image"
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
		segs = videoSegments(clips, task.Scopes)
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

// videoSegments are the clip vectors (the whole-frame window) and, for the
// video scope, their normalised mean.
func videoSegments(clips []understand.ClipFeatures, scopes []string) []Segment {
	var out []Segment
	mean := make([]float32, understand.VisualDim)
	for _, c := range clips {
		if len(c.Visual) == 0 {
			continue
		}
		for i, x := range c.Visual[0] {
			mean[i] += x
		}
		if slices.Contains(scopes, "clip") {
			out = append(out, Segment{Float: c.Visual[0], Start: c.Start, End: c.End, Scope: "clip", Option: "visual-image"})
		}
	}
	if slices.Contains(scopes, "video") && len(clips) > 0 {
		var n float64
		for _, x := range mean {
			n += float64(x * x)
		}
		if n > 0 {
			for i := range mean {
				mean[i] /= float32(math.Sqrt(n))
			}
		}
		out = append(out, Segment{Float: mean, Start: 0, End: clips[len(clips)-1].End, Scope: "video", Option: "visual-image"})
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
