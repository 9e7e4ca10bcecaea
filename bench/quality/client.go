package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"glimpse/engine/pipeline"
)

// client speaks the v1.3 API to the engine under measurement, as any
// TwelveLabs client would; catalog reads what the API does not serve
// (the on-screen text the engine read).
type client struct {
	base    string
	catalog pipeline.Catalog
}

func (c *client) do(ctx context.Context, method, path, ct string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("x-api-key", "quality")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

func (c *client) json(ctx context.Context, path string, in, out any) error {
	b, _ := json.Marshal(in)
	return c.do(ctx, "POST", path, "application/json", bytes.NewReader(b), out)
}

func (c *client) multipart(ctx context.Context, path string, fields [][2]string, file string, out any) error {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != "" {
		fw, _ := w.CreateFormFile("video_file", filepath.Base(file))
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		_, err = io.Copy(fw, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	w.Close()
	return c.do(ctx, "POST", path, w.FormDataContentType(), &b, out)
}

// ingestAll puts every video into one new index (search ranks them against
// each other) and waits until all are ready; it sets each video's ID.
func (c *client) ingestAll(ctx context.Context, videos []*builtVideo) (string, error) {
	var idx struct {
		ID string `json:"_id"`
	}
	err := c.json(ctx, "/indexes", map[string]any{
		"index_name": fmt.Sprintf("quality-%d", time.Now().UnixNano()),
		"models": []map[string]any{
			{"model_name": "marengo2.7", "model_options": []string{"visual", "audio"}},
			{"model_name": "pegasus1.2", "model_options": []string{"visual", "audio"}},
		},
	}, &idx)
	if err != nil {
		return "", err
	}
	tasks := make([]string, len(videos))
	for i, bv := range videos {
		var task struct {
			ID string `json:"_id"`
		}
		if err := c.multipart(ctx, "/tasks", [][2]string{{"index_id", idx.ID}}, bv.Path, &task); err != nil {
			return "", err
		}
		tasks[i] = task.ID
	}
	for i, id := range tasks {
		for {
			var task struct {
				Status  string          `json:"status"`
				VideoID string          `json:"video_id"`
				Failure json.RawMessage `json:"failure"`
			}
			if err := c.do(ctx, "GET", "/tasks/"+id, "", nil, &task); err != nil {
				return "", err
			}
			if task.Status == "ready" {
				videos[i].ID = task.VideoID
				break
			}
			if task.Status == "failed" {
				return "", fmt.Errorf("%s failed: %s", videos[i].Spec.Name, task.Failure)
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return idx.ID, nil
}

// ingested records, in a kept data folder, which engine video each built
// file became.
type ingested struct {
	IndexID string
	Videos  map[string]string // built file -> video id
}

func saveIngested(data, indexID string, videos []*builtVideo) error {
	in := ingested{IndexID: indexID, Videos: map[string]string{}}
	for _, bv := range videos {
		in.Videos[bv.Path] = bv.ID
	}
	b, _ := json.MarshalIndent(in, "", " ")
	return os.WriteFile(filepath.Join(data, "quality-ingested.json"), b, 0o644)
}

// reuse sets each video's ID from a kept data folder when every one of
// them is there and ready.
func (c *client) reuse(ctx context.Context, data string, videos []*builtVideo) (string, bool) {
	b, err := os.ReadFile(filepath.Join(data, "quality-ingested.json"))
	if err != nil {
		return "", false
	}
	var in ingested
	if json.Unmarshal(b, &in) != nil {
		return "", false
	}
	for _, bv := range videos {
		id := in.Videos[bv.Path]
		if m, err := c.catalog.FindVideo(ctx, id); id == "" || err != nil || !m.Ready {
			return "", false
		}
	}
	for _, bv := range videos {
		bv.ID = in.Videos[bv.Path]
	}
	return in.IndexID, true
}

// hit is one search result.
type hit struct {
	VideoID    string  `json:"video_id"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Score      float64 `json:"score"`
	Confidence string  `json:"confidence"`
}

// search asks for clips matching q in what is seen and heard; threshold ""
// is the API's default.
func (c *client) search(ctx context.Context, indexID, q, threshold string, limit int) ([]hit, error) {
	fields := [][2]string{{"index_id", indexID}, {"query_text", q}, {"search_options", "visual"}, {"search_options", "audio"},
		{"group_by", "clip"}, {"page_limit", fmt.Sprint(limit)}}
	if threshold != "" {
		fields = append(fields, [2]string{"threshold", threshold})
	}
	var page struct {
		Data []hit `json:"data"`
	}
	err := c.multipart(ctx, "/search", fields, "", &page)
	return page.Data, err
}

type chapter struct {
	Start float64 `json:"start_sec"`
	End   float64 `json:"end_sec"`
	Title string  `json:"chapter_title"`
}

func (c *client) chapters(ctx context.Context, videoID string) ([]chapter, error) {
	var out struct {
		Chapters []chapter `json:"chapters"`
	}
	err := c.json(ctx, "/summarize", map[string]any{"video_id": videoID, "type": "chapter"}, &out)
	return out.Chapters, err
}

func (c *client) summary(ctx context.Context, videoID string) (string, error) {
	var out struct {
		Summary string `json:"summary"`
	}
	err := c.json(ctx, "/summarize", map[string]any{"video_id": videoID, "type": "summary"}, &out)
	return out.Summary, err
}

func (c *client) title(ctx context.Context, videoID string) (string, error) {
	var out struct {
		Title string `json:"title"`
	}
	err := c.json(ctx, "/gist", map[string]any{"video_id": videoID, "types": []string{"title", "topic"}}, &out)
	return out.Title, err
}

func (c *client) answer(ctx context.Context, videoID, prompt string) (string, error) {
	var out struct {
		Data string `json:"data"`
	}
	err := c.json(ctx, "/analyze", map[string]any{"video_id": videoID, "prompt": prompt, "stream": false, "temperature": 0}, &out)
	return strings.TrimSpace(out.Data), err
}

// onScreen is the on-screen text the engine kept for the video.
func (c *client) onScreen(ctx context.Context, videoID string) ([]pipeline.Span, error) {
	meta, err := c.catalog.FindVideo(ctx, videoID)
	if err != nil {
		return nil, err
	}
	u, err := pipeline.LoadUnderstanding(meta.Dir)
	if err != nil {
		return nil, err
	}
	return u.OnScreen, nil
}
