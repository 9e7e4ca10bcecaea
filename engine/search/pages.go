package search

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
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
	// The query and what stood for its words, to say why each clip matched.
	q     query
	terms []text.Word
	cands []map[string]float32
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

// Page is one page of a search's results.
type Page struct {
	IndexID string
	// PoolVideos and PoolSeconds are the videos searched and their length.
	PoolVideos  int
	PoolSeconds float64
	// Grouped: each result is a video, its clips in Clips.
	Grouped bool
	Results []Result
	// Number is this page's, from 1; Limit the results per page.
	Number, Limit, TotalPages int
	// Total counts results (videos when grouped), InnerTotal the clips
	// inside video groups.
	Total, InnerTotal int
	Expires           time.Time
	// Next and Prev are page tokens, "" at either end.
	Next, Prev string
}

// Result is one clip, or one video with its matching clips.
type Result struct {
	VideoID string
	// Score is 0–100; Score, Start and End are rounded to hundredths.
	Score, Start, End float64
	Confidence        string
	Rank              int
	// Thumb is the clip's thumbnail, relative to the video's media, or "".
	Thumb        string
	UserMetadata map[string]any
	Clips        []Result
	// Match is why the clip matched; /search writes it in the extension
	// field x_glimpse_match, which the official SDK ignores.
	Match []Why
}

// page assembles page number n (from 1) of a result set.
func (rs *resultSet) page(n int) *Page {
	total := rs.count()
	lo := (n - 1) * rs.limit
	hi := min(lo+rs.limit, total)
	out := &Page{IndexID: rs.indexID, PoolVideos: rs.poolCount, PoolSeconds: round2(rs.poolSeconds),
		Grouped: rs.groups != nil, Results: []Result{}, Number: n, Limit: rs.limit,
		TotalPages: max(1, (total+rs.limit-1)/rs.limit), Total: total, InnerTotal: rs.innerTotal, Expires: rs.expires}
	clip := func(h hit, rank int) Result {
		ref := rs.clips[h.clip]
		v := rs.videos[ref.video]
		c := v.Clips[ref.clip]
		r := Result{VideoID: v.VideoID, Score: round2(h.score * 100), Start: round2(c.Start),
			End: round2(c.End), Confidence: confidence(h.score), Rank: rank, Thumb: c.Thumb}
		if m := rs.metas[ref.video]; rs.withMeta && m != nil {
			r.UserMetadata = m.UserMetadata
		}
		r.Match = explain(&c, rs.q, rs.terms, rs.cands)
		return r
	}
	for i := lo; i < hi; i++ {
		if rs.groups == nil {
			out.Results = append(out.Results, clip(rs.hits[i], i+1))
			continue
		}
		g := rs.groups[i]
		r := clip(g.hits[0], i+1)
		for k, h := range g.hits {
			c := clip(h, k+1)
			c.UserMetadata = nil
			r.Clips = append(r.Clips, c)
		}
		out.Results = append(out.Results, r)
	}
	if hi < total {
		out.Next = token(rs.id, n+1)
	}
	if n > 1 {
		out.Prev = token(rs.id, n-1)
	}
	return out
}
