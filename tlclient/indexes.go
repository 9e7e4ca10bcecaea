package tlclient

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
)

func (p ListIndexesParams) values() url.Values {
	q := queryBuilder{}
	q.num("page", p.Page)
	q.num("page_limit", p.PageLimit)
	q.str("sort_by", p.SortBy)
	q.str("sort_option", p.SortOption)
	q.str("index_name", p.IndexName)
	return url.Values(q)
}

// ListIndexes returns one page of indexes (GET /indexes).
func (c *Client) ListIndexes(ctx context.Context, p ListIndexesParams) (*IndexPage, error) {
	var out IndexPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/indexes", query: p.values()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Indexes iterates over every index from p.Page on, fetching pages lazily.
func (c *Client) Indexes(ctx context.Context, p ListIndexesParams) iter.Seq2[Index, error] {
	return pages(ctx, p.Page, func(ctx context.Context, page int) ([]Index, error) {
		p.Page = page
		pg, err := c.ListIndexes(ctx, p)
		if err != nil {
			return nil, err
		}
		return pg.Data, nil
	})
}

// CreateIndex creates an index and returns its id (POST /indexes).
func (c *Client) CreateIndex(ctx context.Context, r CreateIndexRequest) (string, error) {
	if r.IndexName == "" || len(r.Models) == 0 {
		return "", errors.New("tlclient: CreateIndex needs IndexName and at least one model")
	}
	var out struct {
		ID string `json:"_id"`
	}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/indexes", json: r}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// GetIndex retrieves an index (GET /indexes/{id}).
func (c *Client) GetIndex(ctx context.Context, id string) (*Index, error) {
	if err := needID("index id", id); err != nil {
		return nil, err
	}
	var out Index
	if err := c.do(ctx, request{method: http.MethodGet, path: pathf("/indexes/%s", id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateIndex renames an index (PUT /indexes/{id}).
func (c *Client) UpdateIndex(ctx context.Context, id, name string) error {
	if err := needID("index id", id); err != nil {
		return err
	}
	if name == "" {
		return errors.New("tlclient: UpdateIndex needs a name")
	}
	body := map[string]string{"index_name": name}
	return c.do(ctx, request{method: http.MethodPut, path: pathf("/indexes/%s", id), json: body}, nil)
}

// DeleteIndex deletes an index and its videos (DELETE /indexes/{id}).
func (c *Client) DeleteIndex(ctx context.Context, id string) error {
	if err := needID("index id", id); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: pathf("/indexes/%s", id)}, nil)
}

// needID rejects empty ids before they turn into a request for a list endpoint.
func needID(what, id string) error {
	if id == "" {
		return errors.New("tlclient: empty " + what)
	}
	return nil
}
