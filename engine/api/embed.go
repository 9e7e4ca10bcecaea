package api

import (
	"context"
	"fmt"
	"image"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"glimpse/engine/search"
	"glimpse/engine/wire"
)

// Embedder embeds texts and images: POST /embed. *search.Search is one.
type Embedder interface {
	EmbedText(text string) ([]float32, error)
	EmbedImage(img image.Image) ([]float32, error)
}

// VideoEmbedder runs video embedding tasks: /embed/tasks.
// *search.Search is one.
type VideoEmbedder interface {
	// StartEmbedTask embeds the video file at path, which becomes the task's.
	StartEmbedTask(model string, scopes []string, path string) (search.EmbedTask, error)
	EmbedTask(id string) (search.EmbedTask, error)
	// EmbedTasks are every task, newest first.
	EmbedTasks() []search.EmbedTask
	// VideoEmbeddings are an indexed video's clip vectors and the model
	// they are of.
	VideoEmbeddings(ctx context.Context, videoID string) (string, []search.Segment, error)
}

// maxEmbedVideoBytes bounds an embedding task's video.
const maxEmbedVideoBytes = 2 << 30

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

// createEmbeddings answers POST /embed for texts and images.
func (s *Server) createEmbeddings(w http.ResponseWriter, r *http.Request) error {
	if err := readForm(r, maxImageBytes+1<<20); err != nil {
		return err
	}
	model, maxTokens, err := embedModel(r)
	if err != nil {
		return err
	}
	resp := embedResponse{ModelName: model}
	if text := formValue(r, "text"); text != "" {
		text, err := truncateText(text, maxTokens, model, formValue(r, "text_truncate"))
		if err != nil {
			return err
		}
		vec, err := s.Embed.EmbedText(text)
		if err != nil {
			return err
		}
		resp.TextEmbedding = &segmentsJSON{Segments: []segmentJSON{{Float: vec, EmbeddingScope: "clip"}}}
	}
	img, err := s.queryImage(r, "image_file", "image_url")
	if err != nil {
		return err
	}
	if img != nil {
		vec, err := s.Embed.EmbedImage(img)
		if err != nil {
			return err
		}
		resp.ImageEmbedding = &segmentsJSON{Segments: []segmentJSON{{Float: vec, EmbeddingScope: "clip"}}}
	}
	if formValue(r, "audio_url") != "" || hasFile(r, "audio_file") {
		return wire.ParameterInvalid("Audio embeddings are not supported: the local engine has no audio model. It embeds images here and videos with POST /embed/tasks.")
	}
	if formValue(r, "video_url") != "" || hasFile(r, "video_file") {
		return wire.ParameterInvalid("Videos are embedded with POST /embed/tasks, not here.")
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

func (s *Server) createEmbeddingTask(w http.ResponseWriter, r *http.Request) error {
	if err := readForm(r, maxEmbedVideoBytes+1<<20); err != nil {
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
	src, err := formFile(r, "video_file")
	if err != nil {
		return err
	}
	if u := formValue(r, "video_url"); src == nil && u != "" {
		if src, err = s.download(r.Context(), u, maxEmbedVideoBytes); err != nil {
			return err
		}
	}
	if src == nil {
		return wire.ParameterNotProvided("video_file or video_url")
	}
	defer src.Close()
	dir := s.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "glimpse-embed-*")
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(src, maxEmbedVideoBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || n > maxEmbedVideoBytes {
		os.Remove(f.Name())
		if err == nil {
			return wire.Errorf(http.StatusBadRequest, "video_filesize_too_large", "The video is larger than the engine accepts.")
		}
		return wire.ParameterInvalid("The video could not be received whole.")
	}
	task, err := s.EmbedTasks.StartEmbedTask(model, scopes, f.Name())
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, map[string]string{"_id": task.ID})
	return nil
}

type embedTaskJSON struct {
	ID             string        `json:"_id"`
	ModelName      string        `json:"model_name"`
	Status         string        `json:"status"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
	VideoEmbedding *segmentsJSON `json:"video_embedding,omitempty"`
}

func embedTaskView(task search.EmbedTask, withVectors bool) embedTaskJSON {
	j := embedTaskJSON{ID: task.ID, ModelName: task.Model, Status: task.Status,
		CreatedAt: wire.Time(task.CreatedAt), UpdatedAt: wire.Time(task.UpdatedAt)}
	if withVectors && task.Status == "ready" {
		j.VideoEmbedding = segmentsView(task.Segments)
	}
	return j
}

func segmentsView(segs []search.Segment) *segmentsJSON {
	out := &segmentsJSON{Segments: []segmentJSON{}}
	for _, sg := range segs {
		out.Segments = append(out.Segments, segmentJSON{Float: sg.Float,
			StartOffsetSec: sg.Start, EndOffsetSec: sg.End, EmbeddingScope: sg.Scope, EmbeddingOpt: sg.Option})
	}
	return out
}

func (s *Server) retrieveEmbeddingTask(w http.ResponseWriter, r *http.Request) error {
	task, err := s.EmbedTasks.EmbedTask(r.PathValue("task_id"))
	if err != nil {
		return err
	}
	if err := checkEmbeddingOptions(r.URL.Query()["embedding_option"], task.Model); err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, embedTaskView(task, true))
	return nil
}

// embeddingOptions are the documented values of embedding_option per
// Marengo generation (the full description's embedding_option parameter).
var embeddingOptions = map[string][]string{
	"visual":      {"visual", "audio", "transcription"}, // Marengo 3.0
	"visual-text": {"visual-text", "audio"},             // Marengo 2.7
}

// checkEmbeddingOptions refuses embedding_option values the model's
// generation does not document, and those the engine has no vectors for
// (every option but search.VisualOption). Asking for none, or for the
// visual one, is answered with the visual vectors.
func checkEmbeddingOptions(asked []string, model string) error {
	visual := search.VisualOption(model)
	for _, o := range asked {
		switch {
		case o == visual:
		case slices.Contains(embeddingOptions[visual], o):
			return wire.ParameterInvalid(fmt.Sprintf("The local engine has no %s embeddings; it embeds what is seen (embedding_option %s).", o, visual))
		default:
			return wire.ParameterInvalid(fmt.Sprintf("embedding_option %q is not one of %s's: %s.", o, model, strings.Join(embeddingOptions[visual], ", ")))
		}
	}
	return nil
}

func (s *Server) embeddingTaskStatus(w http.ResponseWriter, r *http.Request) error {
	task, err := s.EmbedTasks.EmbedTask(r.PathValue("task_id"))
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, map[string]string{"_id": task.ID, "model_name": task.Model, "status": task.Status})
	return nil
}

func (s *Server) listEmbeddingTasks(w http.ResponseWriter, r *http.Request) error {
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
	all := s.EmbedTasks.EmbedTasks()
	data := []embedTaskJSON{}
	if page-1 <= len(all)/limit { // else past the end; and (page-1)*limit could overflow
		for i := (page - 1) * limit; i < min(page*limit, len(all)); i++ {
			data = append(data, embedTaskView(all[i], false))
		}
	}
	wire.WriteJSON(w, http.StatusOK, map[string]any{"data": data, "page_info": wire.PageInfo{
		Page: page, LimitPerPage: limit, TotalResults: len(all), TotalPage: max(1, (len(all)+limit-1)/limit)}})
	return nil
}
