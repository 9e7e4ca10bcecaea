package tlclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

func (p ListVideosParams) values() url.Values {
	q := queryBuilder{}
	q.num("page", p.Page)
	q.num("page_limit", p.PageLimit)
	q.str("sort_by", p.SortBy)
	q.str("sort_option", p.SortOption)
	q.str("filename", p.Filename)
	return url.Values(q)
}

// ListVideos returns one page of an index's videos (GET /indexes/{id}/videos).
func (c *Client) ListVideos(ctx context.Context, indexID string, p ListVideosParams) (*VideoPage, error) {
	if err := needID("index id", indexID); err != nil {
		return nil, err
	}
	var out VideoPage
	r := request{method: http.MethodGet, path: pathf("/indexes/%s/videos", indexID), query: p.values()}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Videos iterates over an index's videos from p.Page on, fetching pages lazily.
func (c *Client) Videos(ctx context.Context, indexID string, p ListVideosParams) iter.Seq2[Video, error] {
	return pages(ctx, p.Page, func(ctx context.Context, page int) ([]Video, error) {
		p.Page = page
		pg, err := c.ListVideos(ctx, indexID, p)
		if err != nil {
			return nil, err
		}
		return pg.Data, nil
	})
}

// GetVideo retrieves a video, with its transcription and its embeddings
// when asked (GET /indexes/{id}/videos/{id}).
func (c *Client) GetVideo(ctx context.Context, indexID, videoID string, p GetVideoParams) (*Video, error) {
	if err := needID("index id", indexID); err != nil {
		return nil, err
	}
	if err := needID("video id", videoID); err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.Transcription {
		q.Set("transcription", "true")
	}
	for _, o := range p.EmbeddingOptions {
		q.Add("embedding_option", o) // repeated, as the description's explode: true
	}
	var out Video
	r := request{method: http.MethodGet, path: pathf("/indexes/%s/videos/%s", indexID, videoID), query: q}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PatchVideoMetadata merges metadata into the video's user_metadata the way the
// live API does (PATCH); a nil value deletes that key.
func (c *Client) PatchVideoMetadata(ctx context.Context, indexID, videoID string, metadata map[string]any) error {
	if err := needID("index id", indexID); err != nil {
		return err
	}
	if err := needID("video id", videoID); err != nil {
		return err
	}
	if metadata == nil {
		metadata = map[string]any{}
	}
	body := map[string]any{"user_metadata": metadata}
	return c.do(ctx, request{method: http.MethodPatch, path: pathf("/indexes/%s/videos/%s", indexID, videoID), json: body}, nil)
}

// UpdateVideo sets the title and user metadata of a video (PUT, as the API description has it).
func (c *Client) UpdateVideo(ctx context.Context, indexID, videoID string, r UpdateVideoRequest) error {
	if err := needID("index id", indexID); err != nil {
		return err
	}
	if err := needID("video id", videoID); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodPut, path: pathf("/indexes/%s/videos/%s", indexID, videoID), json: r}, nil)
}

// DeleteVideo deletes a video (DELETE /indexes/{id}/videos/{id}).
func (c *Client) DeleteVideo(ctx context.Context, indexID, videoID string) error {
	if err := needID("index id", indexID); err != nil {
		return err
	}
	if err := needID("video id", videoID); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: pathf("/indexes/%s/videos/%s", indexID, videoID)}, nil)
}
