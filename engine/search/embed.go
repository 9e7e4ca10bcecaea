package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/understand"
	"glimpse/engine/wire"
)

// TextDim is the length of the engine's text vectors: words hashed into
// buckets after stemming, with near-synonyms sharing weight, so texts that
// say the same thing in other word forms land close together.
const TextDim = 512

// TextVector embeds text in the engine's lexical space (not the visual
// space: the local engine has no joint image-text model).
func TextVector(lx lexicon, text string) []float32 {
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
	for _, t := range queryTerms(text) {
		add(t.stem, 1)
		for _, syn := range lx[t.stem] {
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

type segmentJSON struct {
	Float          []float32 `json:"float"`
	StartOffsetSec float64   `json:"start_offset_sec"`
	EndOffsetSec   float64   `json:"end_offset_sec"`
	EmbeddingScope string    `json:"embedding_scope"`
	EmbeddingOpt   string    `json:"embedding_option,omitempty"`
}

type segmentsJSON struct {
	Segments []segmentJSON `json:"segments"`
}

type embedResponse struct {
	ModelName      string        `json:"model_name"`
	TextEmbedding  *segmentsJSON `json:"text_embedding,omitempty"`
	ImageEmbedding *segmentsJSON `json:"image_embedding,omitempty"`
	VideoEmbedding *segmentsJSON `json:"video_embedding,omitempty"`
}

// handleEmbed answers POST /embed for text and images.
func (s *Search) handleEmbed(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, s.cfg.MaxImageBytes+1<<20)
	if err := parseForm(r, 32<<20); err != nil {
		return err
	}
	model, maxTokens, err := embedModel(r)
	if err != nil {
		return err
	}
	// With an image–text model both vectors come from it, in one space;
	// without, text is lexical and images visual descriptors.
	resp := embedResponse{ModelName: model}
	if text := formValue(r, "text"); text != "" {
		text, err := truncateText(text, maxTokens, model, formValue(r, "text_truncate"))
		if err != nil {
			return err
		}
		vec := TextVector(s.index.lex, text)
		if s.cfg.Semantic != nil {
			var err error
			if vec, err = s.cfg.Semantic.TextEmbedding(text); err != nil {
				return fmt.Errorf("image-text model: %w", err)
			}
		}
		resp.TextEmbedding = &segmentsJSON{Segments: []segmentJSON{{Float: vec, EmbeddingScope: "clip"}}}
	}
	var file io.ReadCloser
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["image_file"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return wire.ParameterInvalid("image_file could not be read.")
			}
			file = f
		}
	}
	if u := formValue(r, "image_url"); file == nil && u != "" {
		body, err := s.download(r.Context(), u, s.cfg.MaxImageBytes)
		if err != nil {
			return err
		}
		file = body
	}
	if file != nil {
		defer file.Close()
		img, err := decodeImage(file, s.cfg.MaxImageBytes)
		if err != nil {
			return err
		}
		vec := understand.ImageDescriptor(img)
		if s.cfg.Semantic != nil {
			if vec, err = s.cfg.Semantic.ImageEmbedding(img); err != nil {
				return fmt.Errorf("image-text model: %w", err)
			}
		}
		resp.ImageEmbedding = &segmentsJSON{Segments: []segmentJSON{{Float: vec, EmbeddingScope: "clip"}}}
	}
	hasAV := formValue(r, "audio_url") != "" || formValue(r, "video_url") != ""
	if r.MultipartForm != nil {
		hasAV = hasAV || len(r.MultipartForm.File["audio_file"]) > 0 || len(r.MultipartForm.File["video_file"]) > 0
	}
	if hasAV {
		return wire.ParameterInvalid("The local engine embeds text and images here; embed videos with POST /embed/tasks. Audio embeddings are not supported.")
	}
	if resp.TextEmbedding == nil && resp.ImageEmbedding == nil {
		return wire.ParameterNotProvided("text or image_file or image_url")
	}
	wire.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// embedModels are the model names /embed and /embed/tasks take, with the
// longest text each embeds, in tokens (counted here as words).
var embedModels = map[string]int{"marengo3.0": 500, "Marengo-retrieval-2.7": 77}

func embedModel(r *http.Request) (name string, maxTokens int, err error) {
	name = formValue(r, "model_name")
	if name == "" {
		return "", 0, wire.ParameterNotProvided("model_name")
	}
	maxTokens, ok := embedModels[name]
	if !ok {
		return "", 0, wire.ParameterInvalid(fmt.Sprintf("The model_name %q is not available; use marengo3.0 or Marengo-retrieval-2.7.", name))
	}
	return name, maxTokens, nil
}

// truncateText applies text_truncate: a text over the model's limit loses
// words from its start or its end (the default), or is refused ("none").
// Marengo 3.0 deprecates the parameter and always cuts the end.
func truncateText(text string, maxTokens int, model, how string) (string, error) {
	switch how {
	case "", "start", "end", "none":
	default:
		return "", wire.ParameterInvalid(fmt.Sprintf("The text_truncate parameter must be start, end or none; got %q.", how))
	}
	if model == "marengo3.0" {
		how = "end"
	}
	words := strings.Fields(text)
	if len(words) <= maxTokens {
		return text, nil
	}
	switch how {
	case "none":
		return "", wire.Errorf(http.StatusBadRequest, "token_limit_exceeded",
			fmt.Sprintf("The text has %d tokens; %s embeds at most %d. Shorten it, or set text_truncate to start or end.", len(words), model, maxTokens))
	case "start":
		return strings.Join(words[len(words)-maxTokens:], " "), nil
	default:
		return strings.Join(words[:maxTokens], " "), nil
	}
}

// embedTask is one video embedding task, kept in memory.
type embedTask struct {
	ID        string
	Model     string
	Status    string // processing, ready, failed
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
	Segments  []segmentJSON
	Failure   string
}

type embedTasks struct {
	s      *Search
	mu     sync.Mutex
	tasks  map[string]*embedTask
	sem    chan struct{} // one video at a time: they share the cores with ingest
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newEmbedTasks(s *Search) *embedTasks {
	ctx, cancel := context.WithCancel(context.Background())
	return &embedTasks{s: s, tasks: map[string]*embedTask{}, sem: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

func (t *embedTasks) close() {
	t.cancel()
	t.wg.Wait()
}

func (t *embedTasks) handleCreate(w http.ResponseWriter, r *http.Request) error {
	s := t.s
	if s.cfg.Embedder == nil {
		return wire.Errorf(http.StatusBadRequest, "parameter_invalid", "Video embeddings are not enabled on this engine.")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, s.cfg.MaxVideoBytes+1<<20)
	if err := parseForm(r, 32<<20); err != nil {
		return err
	}
	model, _, err := embedModel(r)
	if err != nil {
		return err
	}
	// The SDK sends video_embedding_scope (one field per value); the
	// description names it video_embedding_scopes. Accept both.
	scopes := append(formValues(r, "video_embedding_scope"), formValues(r, "video_embedding_scopes")...)
	if len(scopes) == 0 {
		scopes = []string{"clip"}
	}
	for _, sc := range scopes {
		if sc != "clip" && sc != "video" {
			return wire.ParameterInvalid("video_embedding_scopes must be clip and/or video.")
		}
	}
	var src io.ReadCloser
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["video_file"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return wire.ParameterInvalid("video_file could not be read.")
			}
			src = f
		}
	}
	if u := formValue(r, "video_url"); src == nil && u != "" {
		body, err := s.download(r.Context(), u, s.cfg.MaxVideoBytes)
		if err != nil {
			return err
		}
		src = body
	}
	if src == nil {
		return wire.ParameterNotProvided("video_file or video_url")
	}
	defer src.Close()
	dir := s.cfg.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "glimpse-embed-*")
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(src, s.cfg.MaxVideoBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || n > s.cfg.MaxVideoBytes {
		os.Remove(f.Name())
		if err == nil {
			return wire.Errorf(http.StatusBadRequest, "video_filesize_too_large", "The video is larger than the engine accepts.")
		}
		return wire.ParameterInvalid("The video could not be received whole.")
	}
	now := s.cfg.Now()
	task := &embedTask{ID: wire.NewID(), Model: model, Status: "processing", Scopes: scopes, CreatedAt: now, UpdatedAt: now}
	t.mu.Lock()
	t.tasks[task.ID] = task
	t.mu.Unlock()
	t.wg.Add(1)
	go t.process(task, f.Name())
	wire.WriteJSON(w, http.StatusOK, map[string]string{"_id": task.ID})
	return nil
}

func (t *embedTasks) process(task *embedTask, path string) {
	defer t.wg.Done()
	defer os.Remove(path)
	select {
	case t.sem <- struct{}{}:
		defer func() { <-t.sem }()
	case <-t.ctx.Done():
		return
	}
	clips, err := t.s.cfg.Embedder.EmbedVideo(t.ctx, path)
	var segs []segmentJSON
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
func videoSegments(clips []understand.ClipFeatures, scopes []string) []segmentJSON {
	var out []segmentJSON
	mean := make([]float32, understand.VisualDim)
	for _, c := range clips {
		if len(c.Visual) == 0 {
			continue
		}
		for i, x := range c.Visual[0] {
			mean[i] += x
		}
		if slices.Contains(scopes, "clip") {
			out = append(out, segmentJSON{Float: c.Visual[0], StartOffsetSec: c.Start, EndOffsetSec: c.End,
				EmbeddingScope: "clip", EmbeddingOpt: "visual-image"})
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
		out = append(out, segmentJSON{Float: mean, StartOffsetSec: 0, EndOffsetSec: clips[len(clips)-1].End,
			EmbeddingScope: "video", EmbeddingOpt: "visual-image"})
	}
	return out
}

type taskJSON struct {
	ID             string        `json:"_id"`
	ModelName      string        `json:"model_name"`
	Status         string        `json:"status"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
	VideoEmbedding *segmentsJSON `json:"video_embedding,omitempty"`
}

func (t *embedTasks) find(r *http.Request) (*embedTask, error) {
	id := r.PathValue("task_id")
	t.mu.Lock()
	defer t.mu.Unlock()
	task := t.tasks[id]
	if task == nil {
		return nil, wire.NotFound(fmt.Sprintf("The embedding task %s does not exist.", id))
	}
	c := *task
	return &c, nil
}

func (task *embedTask) json(withVectors bool) taskJSON {
	j := taskJSON{ID: task.ID, ModelName: task.Model, Status: task.Status,
		CreatedAt: wire.Time(task.CreatedAt), UpdatedAt: wire.Time(task.UpdatedAt)}
	if withVectors && task.Status == "ready" {
		j.VideoEmbedding = &segmentsJSON{Segments: task.Segments}
		if j.VideoEmbedding.Segments == nil {
			j.VideoEmbedding.Segments = []segmentJSON{}
		}
	}
	return j
}

func (t *embedTasks) handleGet(w http.ResponseWriter, r *http.Request) error {
	task, err := t.find(r)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, task.json(true))
	return nil
}

func (t *embedTasks) handleStatus(w http.ResponseWriter, r *http.Request) error {
	task, err := t.find(r)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, map[string]string{"_id": task.ID, "model_name": task.Model, "status": task.Status})
	return nil
}

func (t *embedTasks) handleList(w http.ResponseWriter, r *http.Request) error {
	page, limit := 1, 10
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return wire.ParameterInvalid("page must be a whole number of 1 or more.")
		}
		page = n
	}
	if v := r.URL.Query().Get("page_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return wire.ParameterInvalid("page_limit must be a whole number from 1 to 50.")
		}
		limit = n
	}
	t.mu.Lock()
	all := make([]*embedTask, 0, len(t.tasks))
	for _, task := range t.tasks {
		all = append(all, task)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.After(all[j].CreatedAt)
		}
		return all[i].ID > all[j].ID
	})
	data := []taskJSON{}
	if page-1 <= len(all)/limit { // else past the end; and (page-1)*limit could overflow
		for i := (page - 1) * limit; i < min(page*limit, len(all)); i++ {
			data = append(data, all[i].json(false))
		}
	}
	t.mu.Unlock()
	wire.WriteJSON(w, http.StatusOK, map[string]any{"data": data, "page_info": wire.PageInfo{
		Page: page, LimitPerPage: limit, TotalResults: len(all), TotalPage: max(1, (len(all)+limit-1)/limit)}})
	return nil
}
