package tlclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// CreateTask uploads a video (req.Video) or hands over its URL (req.VideoURL)
// for indexing (POST /tasks, multipart). The upload streams: nothing of the
// file is held in memory.
func (c *Client) CreateTask(ctx context.Context, req CreateTaskRequest) (*CreateTaskResponse, error) {
	if err := needID("index id", req.IndexID); err != nil {
		return nil, err
	}
	if (req.Video == nil) == (req.VideoURL == "") {
		return nil, errors.New("tlclient: CreateTask needs exactly one of Video and VideoURL")
	}
	form := &multipartForm{}
	form.add("index_id", req.IndexID)
	form.addIf("video_url", req.VideoURL)
	if req.EnableVideoStream != nil {
		form.add("enable_video_stream", strconv.FormatBool(*req.EnableVideoStream))
	}
	if req.UserMetadata != nil {
		b, err := json.Marshal(req.UserMetadata)
		if err != nil {
			return nil, fmt.Errorf("tlclient: encode user_metadata: %w", err)
		}
		form.add("user_metadata", string(b))
	}
	form.addFile("video_file", req.Video, req.OnUploadProgress)
	var out CreateTaskResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: "/tasks", form: form}, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, errors.New("tlclient: POST /tasks: response carries no _id")
	}
	return &out, nil
}

// GetTask retrieves an indexing task (GET /tasks/{id}).
func (c *Client) GetTask(ctx context.Context, id string) (*Task, error) {
	if err := needID("task id", id); err != nil {
		return nil, err
	}
	var out Task
	if err := c.do(ctx, request{method: http.MethodGet, path: pathf("/tasks/%s", id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p ListTasksParams) values() url.Values {
	q := queryBuilder{}
	q.str("index_id", p.IndexID)
	for _, s := range p.Status {
		q.str("status", s)
	}
	q.num("page", p.Page)
	q.num("page_limit", p.PageLimit)
	q.str("filename", p.Filename)
	q.str("sort_by", p.SortBy)
	q.str("sort_option", p.SortOption)
	return url.Values(q)
}

// ListTasks returns one page of tasks (GET /tasks).
func (c *Client) ListTasks(ctx context.Context, p ListTasksParams) (*TaskPage, error) {
	var out TaskPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/tasks", query: p.values()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Tasks iterates over tasks from p.Page on, fetching pages lazily.
func (c *Client) Tasks(ctx context.Context, p ListTasksParams) iter.Seq2[Task, error] {
	return pages(ctx, p.Page, func(ctx context.Context, page int) ([]Task, error) {
		p.Page = page
		pg, err := c.ListTasks(ctx, p)
		if err != nil {
			return nil, err
		}
		return pg.Data, nil
	})
}

// DeleteTask deletes an indexing task (DELETE /tasks/{id}).
func (c *Client) DeleteTask(ctx context.Context, id string) error {
	if err := needID("task id", id); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: pathf("/tasks/%s", id)}, nil)
}

// WaitForTask polls a task until it is ready or failed and returns it; check
// Status (and Failure) of the result. It never waits forever: it stops at the
// context's deadline, or after opts.Timeout (DefaultWaitTimeout) when the
// context has none.
func (c *Client) WaitForTask(ctx context.Context, id string, opts WaitOptions) (*Task, error) {
	if err := needID("task id", id); err != nil {
		return nil, err
	}
	interval := opts.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if _, ok := ctx.Deadline(); !ok || opts.Timeout > 0 {
		timeout := opts.Timeout
		if timeout <= 0 {
			timeout = DefaultWaitTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var last *Task
	for {
		t, err := c.GetTask(ctx, id)
		if err != nil {
			if last != nil && ctx.Err() != nil {
				return last, fmt.Errorf("tlclient: task %s still %q: %w", id, last.Status, ctx.Err())
			}
			return last, err
		}
		last = t
		if opts.OnUpdate != nil {
			opts.OnUpdate(t)
		}
		if t.Done() {
			return t, nil
		}
		select {
		case <-ctx.Done():
			return t, fmt.Errorf("tlclient: task %s still %q: %w", id, t.Status, ctx.Err())
		case <-ticker.C:
		}
	}
}
