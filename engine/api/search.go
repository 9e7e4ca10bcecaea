package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"glimpse/engine/search"
	"glimpse/engine/wire"
)

// Searcher runs searches and keeps their pages: POST /search and
// GET /search/{page_token}. *search.Search is one.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (*search.Page, error)
	// Page returns the page a token names, or search.ErrPageExpired.
	Page(token string) (*search.Page, error)
}

func (s *Server) createSearch(w http.ResponseWriter, r *http.Request) error {
	req, err := s.searchRequest(r)
	if err != nil {
		return err
	}
	page, err := s.Search.Search(r.Context(), req)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, s.pageJSON(r, page))
	return nil
}

func (s *Server) retrieveSearchPage(w http.ResponseWriter, r *http.Request) error {
	page, err := s.Search.Page(r.PathValue("page_token"))
	if errors.Is(err, search.ErrPageExpired) {
		// This endpoint's error has its own shape live: {error_code, message}.
		wire.WriteJSON(w, http.StatusBadRequest, struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		}{"search_page_token_expired", "The page token is invalid or has expired. Run the search again to get fresh page tokens."})
		return nil
	}
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, s.pageJSON(r, page))
	return nil
}

// thresholds are the threshold parameter's values.
var thresholds = map[string]float64{"high": search.HighScore, "medium": search.MediumScore, "low": search.LowScore, "none": 0}

// searchRequest reads the form of POST /search.
func (s *Server) searchRequest(r *http.Request) (search.Request, error) {
	if err := readForm(r, maxImageBytes+1<<20); err != nil {
		return search.Request{}, err
	}
	req := search.Request{IndexID: formValue(r, "index_id"), PageLimit: 10, Threshold: search.LowScore, Operator: "or"}
	if req.IndexID == "" {
		return req, wire.ParameterNotProvided("index_id")
	}
	opts := formValues(r, "search_options")
	if len(opts) == 0 {
		return req, wire.ParameterNotProvided("search_options")
	}
	for _, o := range opts {
		switch o {
		case "visual":
			req.Visual = true
		case "audio", "transcription": // newer clients' lexical speech option: here speech is always matched by its words
			req.Audio = true
		default:
			return req, wire.ParameterInvalid(fmt.Sprintf("search_options: %q is not an option; use visual and/or audio.", o))
		}
	}
	req.Text = strings.TrimSpace(formValue(r, "query_text"))
	if n := len(strings.Fields(req.Text)); n > 500 {
		return req, wire.Errorf(http.StatusBadRequest, "token_limit_exceeded", fmt.Sprintf("query_text has %d words; the limit is 500 tokens.", n))
	}
	mediaType := formValue(r, "query_media_type")
	if !hasFile(r, "query_media_file") && formValue(r, "query_media_url") == "" {
		if mediaType != "" {
			return req, wire.ParameterNotProvided("query_media_file or query_media_url")
		}
	} else {
		if mediaType != "" && mediaType != "image" {
			return req, wire.ParameterInvalid("query_media_type must be image.")
		}
		img, err := s.queryImage(r, "query_media_file", "query_media_url")
		if err != nil {
			return req, err
		}
		if !req.Visual {
			return req, wire.Errorf(http.StatusBadRequest, "search_option_combination_not_supported", "An image query needs the visual search option.")
		}
		req.Image = img
	}
	if req.Text == "" && req.Image == nil {
		return req, wire.ParameterNotProvided("query_text or query_media_file or query_media_url")
	}
	if v := formValue(r, "operator"); v != "" {
		if v != "or" && v != "and" {
			return req, wire.ParameterInvalid("operator must be or or and.")
		}
		req.Operator = v
	}
	if v := formValue(r, "group_by"); v != "" {
		if v != "clip" && v != "video" {
			return req, wire.ParameterInvalid("group_by must be clip or video.")
		}
		req.GroupByVideo = v == "video"
	}
	if v := formValue(r, "sort_option"); v != "" {
		if v != "score" && v != "clip_count" {
			return req, wire.ParameterInvalid("sort_option must be score or clip_count.")
		}
		req.ByClipCount = v == "clip_count"
	}
	if v := formValue(r, "threshold"); v != "" {
		t, ok := thresholds[v]
		if !ok {
			return req, wire.ParameterInvalid("threshold must be high, medium, low or none.")
		}
		req.Threshold = t
	}
	if v := formValue(r, "page_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return req, wire.ParameterInvalid("page_limit must be a whole number from 1 to 50.")
		}
		req.PageLimit = n
	}
	req.Filter = formValue(r, "filter")
	req.WithMetadata = formValue(r, "include_user_metadata") == "true"
	return req, nil
}

// Wire shapes of a search page.
type resultJSON struct {
	ID           string         `json:"id,omitempty"` // video groups
	VideoID      string         `json:"video_id"`
	Score        float64        `json:"score"`
	Start        float64        `json:"start"`
	End          float64        `json:"end"`
	Confidence   string         `json:"confidence"`
	Rank         int            `json:"rank"`
	ThumbnailURL string         `json:"thumbnail_url,omitempty"`
	Clips        []resultJSON   `json:"clips,omitempty"`
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
	// Match is why the clip matched: an extension field, which the
	// official SDK ignores (unknown response fields are dropped).
	Match []search.Why `json:"x_glimpse_match,omitempty"`
}

type searchPageInfoJSON struct {
	LimitPerPage      int    `json:"limit_per_page"`
	Page              int    `json:"page"`
	TotalPage         int    `json:"total_page"`
	TotalResults      int    `json:"total_results"`
	TotalInnerMatches int    `json:"total_inner_matches,omitempty"`
	PageExpiresAt     string `json:"page_expires_at"`
	NextPageToken     string `json:"next_page_token,omitempty"`
	PrevPageToken     string `json:"prev_page_token,omitempty"`
}

type searchPoolJSON struct {
	TotalCount    int     `json:"total_count"`
	TotalDuration float64 `json:"total_duration"`
	IndexID       string  `json:"index_id"`
}

type searchPageJSON struct {
	SearchPool searchPoolJSON     `json:"search_pool"`
	Data       []resultJSON       `json:"data"`
	PageInfo   searchPageInfoJSON `json:"page_info"`
}

func (s *Server) pageJSON(r *http.Request, p *search.Page) searchPageJSON {
	out := searchPageJSON{
		SearchPool: searchPoolJSON{TotalCount: p.PoolVideos, TotalDuration: p.PoolSeconds, IndexID: p.IndexID},
		Data:       []resultJSON{},
		PageInfo: searchPageInfoJSON{LimitPerPage: p.Limit, Page: p.Number, TotalPage: p.TotalPages, TotalResults: p.Total,
			TotalInnerMatches: p.InnerTotal, PageExpiresAt: wire.Time(p.Expires), NextPageToken: p.Next, PrevPageToken: p.Prev},
	}
	var result func(res search.Result) resultJSON
	result = func(res search.Result) resultJSON {
		j := resultJSON{VideoID: res.VideoID, Score: res.Score, Start: res.Start, End: res.End,
			Confidence: res.Confidence, Rank: res.Rank, UserMetadata: res.UserMetadata, Match: res.Match}
		if res.Thumb != "" {
			j.ThumbnailURL = s.Media.URL(r, res.VideoID, res.Thumb)
		}
		for _, c := range res.Clips {
			j.Clips = append(j.Clips, result(c))
		}
		return j
	}
	for _, res := range p.Results {
		j := result(res)
		if p.Grouped {
			j.ID = j.VideoID
		}
		out.Data = append(out.Data, j)
	}
	return out
}
