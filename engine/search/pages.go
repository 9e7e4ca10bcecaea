package search

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// resultSet is one search's ordered results, kept for paging until it expires.
type resultSet struct {
	id      string
	indexID string
	// The clips as they were when searched: these slices are shared with
	// later snapshots, so keeping them costs nothing; the snapshot's maps
	// (cloned per change) are not kept.
	videos      []*videoDoc
	clips       []clipRef
	hits        []hit   // group_by clip, in order
	groups      []group // group_by video, in order
	metas       map[int32]*pipeline.VideoMeta
	limit       int
	innerTotal  int // clips inside video groups
	expires     time.Time
	withMeta    bool
	poolCount   int
	poolSeconds float64
}

// group is one video's matching clips, best first.
type group struct {
	video int32
	hits  []hit
}

func (rs *resultSet) count() int {
	if rs.groups != nil {
		return len(rs.groups)
	}
	return len(rs.hits)
}

// pageStore keeps result sets by id; tokens are "<id>-<page>".
type pageStore struct {
	mu   sync.Mutex
	sets map[string]*resultSet
	max  int
}

func newPageStore() *pageStore { return &pageStore{sets: map[string]*resultSet{}, max: 1000} }

func (p *pageStore) put(rs *resultSet, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, s := range p.sets {
		if now.After(s.expires) {
			delete(p.sets, id)
		}
	}
	if len(p.sets) >= p.max { // drop the oldest to bound memory
		var oldest *resultSet
		for _, s := range p.sets {
			if oldest == nil || s.expires.Before(oldest.expires) {
				oldest = s
			}
		}
		delete(p.sets, oldest.id)
	}
	p.sets[rs.id] = rs
}

func token(id string, page int) string { return id + "-" + strconv.Itoa(page) }

// pageTokenExpired is the error the page endpoint answers with, in the
// shape that endpoint uses live: {error_code, message}.
type pageError struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

func writePageExpired(w http.ResponseWriter) {
	wire.WriteJSON(w, http.StatusBadRequest, pageError{
		ErrorCode: "search_page_token_expired",
		Message:   "The page token is invalid or has expired. Run the search again to get fresh page tokens.",
	})
}

// get finds the result set and page a token names, if it has not expired.
func (p *pageStore) get(tok string, now time.Time) (*resultSet, int, bool) {
	i := strings.LastIndexByte(tok, '-')
	if i <= 0 {
		return nil, 0, false
	}
	page, err := strconv.Atoi(tok[i+1:])
	if err != nil || page < 1 {
		return nil, 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rs := p.sets[tok[:i]]
	// Compare page numbers, not offsets: (page-1)*limit overflows for a made-up page.
	if rs == nil || now.After(rs.expires) || page > (max(rs.count(), 1)+rs.limit-1)/rs.limit {
		return nil, 0, false
	}
	return rs, page, true
}
