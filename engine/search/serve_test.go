package search

import (
	"net/http"

	"glimpse/engine/wire"
)

// ServeAPI serves a Search over HTTP the way the engine does, through
// engine/api. That package imports this one, so a test of this package
// cannot import it; the external test package sets ServeAPI (surface_test.go).
var ServeAPI func(s *Search, media *wire.MediaLinks) http.Handler

// The wire shapes the tests read, as engine/api writes them.
type resultJSON struct {
	ID           string         `json:"id"`
	VideoID      string         `json:"video_id"`
	Score        float64        `json:"score"`
	Start        float64        `json:"start"`
	End          float64        `json:"end"`
	Confidence   string         `json:"confidence"`
	Rank         int            `json:"rank"`
	ThumbnailURL string         `json:"thumbnail_url"`
	Clips        []resultJSON   `json:"clips"`
	UserMetadata map[string]any `json:"user_metadata"`
}

type pageJSON struct {
	SearchPool struct {
		TotalCount    int     `json:"total_count"`
		TotalDuration float64 `json:"total_duration"`
		IndexID       string  `json:"index_id"`
	} `json:"search_pool"`
	Data     []resultJSON `json:"data"`
	PageInfo struct {
		LimitPerPage      int    `json:"limit_per_page"`
		Page              int    `json:"page"`
		TotalPage         int    `json:"total_page"`
		TotalResults      int    `json:"total_results"`
		TotalInnerMatches int    `json:"total_inner_matches"`
		PageExpiresAt     string `json:"page_expires_at"`
		NextPageToken     string `json:"next_page_token"`
		PrevPageToken     string `json:"prev_page_token"`
	} `json:"page_info"`
}

type segmentJSON struct {
	Float          []float32 `json:"float"`
	StartOffsetSec float64   `json:"start_offset_sec"`
	EndOffsetSec   float64   `json:"end_offset_sec"`
	EmbeddingScope string    `json:"embedding_scope"`
	EmbeddingOpt   string    `json:"embedding_option"`
}

type segmentsJSON struct {
	Segments []segmentJSON `json:"segments"`
}

type embedResponse struct {
	ModelName      string        `json:"model_name"`
	TextEmbedding  *segmentsJSON `json:"text_embedding"`
	ImageEmbedding *segmentsJSON `json:"image_embedding"`
}

type taskJSON struct {
	ID             string        `json:"_id"`
	ModelName      string        `json:"model_name"`
	Status         string        `json:"status"`
	VideoEmbedding *segmentsJSON `json:"video_embedding"`
}
