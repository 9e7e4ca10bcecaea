package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"glimpse/engine/store"
	"glimpse/engine/wire"
)

const maxPageLimit = 50

// page reads page, page_limit, sort_by and sort_option.
func page(r *http.Request) (store.Page, int, error) {
	q := r.URL.Query()
	num := func(name string, def int) (int, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, wire.ParameterInvalid(fmt.Sprintf("The %s parameter must be a positive integer; got %q.", name, v))
		}
		return n, nil
	}
	pageNo, err := num("page", 1)
	if err != nil {
		return store.Page{}, 0, err
	}
	limit, err := num("page_limit", 10)
	if err != nil {
		return store.Page{}, 0, err
	}
	if limit > maxPageLimit {
		return store.Page{}, 0, wire.ParameterInvalid(fmt.Sprintf("The page_limit parameter must be at most %d.", maxPageLimit))
	}
	// A page beyond what any list holds must stay past the end: the product
	// would overflow and SQLite reads a negative OFFSET as 0, the first page.
	offset := math.MaxInt
	if pageNo-1 <= math.MaxInt/limit {
		offset = (pageNo - 1) * limit
	}
	p := store.Page{Limit: limit, Offset: offset, SortBy: "created_at", Desc: true}
	switch v := q.Get("sort_by"); v {
	case "", "created_at", "updated_at":
		if v != "" {
			p.SortBy = v
		}
	default:
		return store.Page{}, 0, wire.ParameterInvalid("The sort_by parameter must be created_at or updated_at.")
	}
	switch v := q.Get("sort_option"); v {
	case "", "desc":
	case "asc":
		p.Desc = false
	default:
		return store.Page{}, 0, wire.ParameterInvalid("The sort_option parameter must be asc or desc.")
	}
	return p, pageNo, nil
}

func pageInfo(pageNo, limit, total int) wire.PageInfo {
	return wire.PageInfo{Page: pageNo, LimitPerPage: limit, TotalResults: total,
		TotalPage: int(math.Ceil(float64(total) / float64(limit)))}
}

type listResponse struct {
	Data     any           `json:"data"`
	PageInfo wire.PageInfo `json:"page_info"`
}

var idPattern = regexp.MustCompile(`^[0-9a-f]{24}$`)

// checkMetadata accepts user metadata whose values are strings, numbers,
// booleans, or null (which deletes a key on update).
func checkMetadata(meta map[string]any) error {
	for k, v := range meta {
		if strings.TrimSpace(k) == "" {
			return wire.ParameterInvalid("user_metadata keys must not be empty.")
		}
		switch v.(type) {
		case nil, string, float64, bool, json.Number:
		default:
			return wire.ParameterInvalid(fmt.Sprintf("user_metadata.%s must be a string, number or boolean.", k))
		}
	}
	return nil
}

func notFound(kind, id string) *wire.Error {
	return wire.NotFound(fmt.Sprintf("The %s %s does not exist.", kind, id))
}
