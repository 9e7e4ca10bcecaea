package tlclient

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
)

// Embed creates embeddings for text, an image, audio or a short video (POST /embed).
func (c *Client) Embed(ctx context.Context, r EmbedRequest) (*EmbedResponse, error) {
	if r.ModelName == "" {
		return nil, errors.New("tlclient: Embed needs a ModelName")
	}
	f := &multipartForm{}
	f.add("model_name", r.ModelName)
	f.addIf("text", r.Text)
	f.addIf("text_truncate", r.TextTruncate)
	f.addIf("image_url", r.ImageURL)
	f.addIf("audio_url", r.AudioURL)
	f.addIf("video_url", r.VideoURL)
	f.addFile("image_file", r.ImageFile, nil)
	f.addFile("audio_file", r.AudioFile, nil)
	f.addFile("video_file", r.VideoFile, nil)
	if len(f.fields) == 1 {
		return nil, errors.New("tlclient: Embed needs text, an image, audio or a video")
	}
	var out EmbedResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: "/embed", form: f}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateEmbeddingTask starts an asynchronous video embedding task and returns its id (POST /embed/tasks).
func (c *Client) CreateEmbeddingTask(ctx context.Context, r CreateEmbeddingTaskRequest) (string, error) {
	if r.ModelName == "" {
		return "", errors.New("tlclient: CreateEmbeddingTask needs a ModelName")
	}
	if (r.VideoFile == nil) == (r.VideoURL == "") {
		return "", errors.New("tlclient: CreateEmbeddingTask needs exactly one of VideoFile and VideoURL")
	}
	f := &multipartForm{}
	f.add("model_name", r.ModelName)
	f.addIf("video_url", r.VideoURL)
	for _, s := range r.VideoEmbeddingScopes {
		f.add("video_embedding_scope", s)
	}
	f.addFile("video_file", r.VideoFile, r.OnUploadProgress)
	var out struct {
		ID string `json:"_id"`
	}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/embed/tasks", form: f}, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("tlclient: POST /embed/tasks: response carries no _id")
	}
	return out.ID, nil
}

func (p ListEmbeddingTasksParams) values() url.Values {
	q := queryBuilder{}
	q.num("page", p.Page)
	q.num("page_limit", p.PageLimit)
	q.str("status", p.Status)
	return url.Values(q)
}

// ListEmbeddingTasks returns one page of embedding tasks (GET /embed/tasks).
func (c *Client) ListEmbeddingTasks(ctx context.Context, p ListEmbeddingTasksParams) (*EmbeddingTaskPage, error) {
	var out EmbeddingTaskPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/embed/tasks", query: p.values()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EmbeddingTasks iterates over embedding tasks from p.Page on, fetching pages lazily.
func (c *Client) EmbeddingTasks(ctx context.Context, p ListEmbeddingTasksParams) iter.Seq2[EmbeddingTask, error] {
	return pages(ctx, p.Page, func(ctx context.Context, page int) ([]EmbeddingTask, error) {
		p.Page = page
		pg, err := c.ListEmbeddingTasks(ctx, p)
		if err != nil {
			return nil, err
		}
		return pg.Data, nil
	})
}

// GetEmbeddingTask retrieves an embedding task with its embeddings (GET /embed/tasks/{id}).
func (c *Client) GetEmbeddingTask(ctx context.Context, id string) (*EmbeddingTask, error) {
	if err := needID("embedding task id", id); err != nil {
		return nil, err
	}
	var out EmbeddingTask
	if err := c.do(ctx, request{method: http.MethodGet, path: pathf("/embed/tasks/%s", id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetEmbeddingTaskStatus retrieves only the status of an embedding task (GET /embed/tasks/{id}/status).
func (c *Client) GetEmbeddingTaskStatus(ctx context.Context, id string) (*EmbeddingTaskStatus, error) {
	if err := needID("embedding task id", id); err != nil {
		return nil, err
	}
	var out EmbeddingTaskStatus
	if err := c.do(ctx, request{method: http.MethodGet, path: pathf("/embed/tasks/%s/status", id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
