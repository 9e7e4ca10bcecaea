package tlclient

import "time"

// PageInfo is the pagination block of list responses.
type PageInfo struct {
	LimitPerPage  int    `json:"limit_per_page"`
	TotalResults  int    `json:"total_results"`
	Page          int    `json:"page"`
	TotalPage     int    `json:"total_page"`
	NextPageToken string `json:"next_page_token,omitempty"`
	PrevPageToken string `json:"prev_page_token,omitempty"`
}

// ---- Indexes ----

// IndexModel is one video understanding model enabled on an index.
type IndexModel struct {
	ModelName    string   `json:"model_name"`
	ModelOptions []string `json:"model_options"`
}

// Index is a TwelveLabs index.
type Index struct {
	ID            string       `json:"_id"`
	IndexName     string       `json:"index_name"`
	Models        []IndexModel `json:"models"`
	Addons        []string     `json:"addons,omitempty"`
	VideoCount    int          `json:"video_count"`
	TotalDuration float64      `json:"total_duration"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// ListIndexesParams filters and sorts GET /indexes. Zero values are left out.
type ListIndexesParams struct {
	Page       int
	PageLimit  int
	SortBy     string // created_at | updated_at
	SortOption string // asc | desc
	IndexName  string
}

// IndexPage is one page of indexes.
type IndexPage struct {
	Data     []Index  `json:"data"`
	PageInfo PageInfo `json:"page_info"`
}

// CreateIndexRequest is the body of POST /indexes.
type CreateIndexRequest struct {
	IndexName string       `json:"index_name"`
	Models    []IndexModel `json:"models"`
	Addons    []string     `json:"addons,omitempty"`
}

// ---- Videos ----

// VideoSystemMetadata is what the platform measured about a video.
type VideoSystemMetadata struct {
	Filename   string  `json:"filename"`
	Duration   float64 `json:"duration"`
	FPS        float64 `json:"fps"`
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	Size       int64   `json:"size"`
	VideoTitle string  `json:"video_title,omitempty"`
}

// HLS describes the streamable rendition of a video.
type HLS struct {
	VideoURL      string    `json:"video_url"`
	ThumbnailURLs []string  `json:"thumbnail_urls"`
	Status        string    `json:"status"` // PROCESSING | COMPLETE | CANCELED | ERROR
	UpdatedAt     time.Time `json:"updated_at"`
}

// TranscriptionSpan is one timed piece of a video's transcript.
type TranscriptionSpan struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Value string  `json:"value"`
}

// Video is a video in an index.
type Video struct {
	ID             string              `json:"_id"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	IndexedAt      time.Time           `json:"indexed_at"`
	SystemMetadata VideoSystemMetadata `json:"system_metadata"`
	UserMetadata   map[string]any      `json:"user_metadata,omitempty"`
	HLS            *HLS                `json:"hls,omitempty"`
	Transcription  []TranscriptionSpan `json:"transcription,omitempty"`
	// Embedding is set when GetVideo asked for EmbeddingOptions.
	Embedding *VideoEmbedding `json:"embedding,omitempty"`
}

// ListVideosParams filters and sorts GET /indexes/{id}/videos. Zero values are left out.
type ListVideosParams struct {
	Page       int
	PageLimit  int
	SortBy     string // created_at | updated_at
	SortOption string // asc | desc
	Filename   string
}

// VideoPage is one page of videos.
type VideoPage struct {
	Data     []Video  `json:"data"`
	PageInfo PageInfo `json:"page_info"`
}

// GetVideoParams are the options of GET /indexes/{id}/videos/{id}.
type GetVideoParams struct {
	Transcription bool
	// EmbeddingOptions asks for the video's embeddings of these kinds:
	// visual, audio, transcription (Marengo 3.0) or visual-text, audio
	// (Marengo 2.7). Empty: no embeddings.
	EmbeddingOptions []string
}

// VideoEmbedding is a video's embeddings, returned when GetVideo asks for
// them with EmbeddingOptions.
type VideoEmbedding struct {
	ModelName      string             `json:"model_name"`
	VideoEmbedding *EmbeddingSegments `json:"video_embedding,omitempty"`
}

// UpdateVideoRequest is the body of PUT /indexes/{id}/videos/{id}.
type UpdateVideoRequest struct {
	VideoTitle   string         `json:"video_title,omitempty"`
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
}

// ---- Tasks ----

// Task statuses seen on the wire.
const (
	TaskUploading  = "uploading"
	TaskValidating = "validating"
	TaskPending    = "pending"
	TaskQueued     = "queued"
	TaskIndexing   = "indexing"
	TaskReady      = "ready"
	TaskFailed     = "failed"
)

// TaskSystemMetadata is what the platform knows of a task's video.
type TaskSystemMetadata struct {
	Filename string  `json:"filename"`
	Duration float64 `json:"duration"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
}

// TaskFailure says why a task failed (engine extension, also used for live failures).
type TaskFailure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Task is a video indexing task.
type Task struct {
	ID             string             `json:"_id"`
	IndexID        string             `json:"index_id"`
	VideoID        string             `json:"video_id"`
	Status         string             `json:"status"`
	SystemMetadata TaskSystemMetadata `json:"system_metadata"`
	HLS            *HLS               `json:"hls,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	EstimatedTime  time.Time          `json:"estimated_time"`
	// Progress is the indexing percentage 0..100 when the server reports it.
	Progress *float64 `json:"progress,omitempty"`
	// Failure is set when Status is "failed" and the server says why.
	Failure *TaskFailure `json:"failure,omitempty"`
}

// Done reports whether the task reached a terminal status.
func (t *Task) Done() bool { return t.Status == TaskReady || t.Status == TaskFailed }

// ListTasksParams filters GET /tasks. Zero values are left out.
type ListTasksParams struct {
	IndexID    string
	Status     []string
	Page       int
	PageLimit  int
	Filename   string
	SortBy     string
	SortOption string
}

// TaskPage is one page of tasks.
type TaskPage struct {
	Data     []Task   `json:"data"`
	PageInfo PageInfo `json:"page_info"`
}

// CreateTaskRequest uploads a video (Video) or points at one (VideoURL) for indexing.
type CreateTaskRequest struct {
	IndexID           string
	Video             *Upload
	VideoURL          string
	EnableVideoStream *bool
	UserMetadata      map[string]any
	// OnUploadProgress, when set, is called with the bytes of Video sent so far.
	// It restarts from 0 when a file upload is retried.
	OnUploadProgress func(sent int64)
}

// CreateTaskResponse is the answer of POST /tasks.
type CreateTaskResponse struct {
	ID      string `json:"_id"`
	VideoID string `json:"video_id"`
}

// WaitOptions tune WaitForTask.
type WaitOptions struct {
	// Interval between polls; default 2 s.
	Interval time.Duration
	// OnUpdate is called with every polled task.
	OnUpdate func(*Task)
	// Timeout bounds the wait when ctx has no deadline; default DefaultWaitTimeout.
	Timeout time.Duration
}

// ---- Search ----

// SearchRequest is the body of POST /search. Zero values are left out.
type SearchRequest struct {
	IndexID        string
	QueryText      string
	QueryMedia     *Upload
	QueryMediaURL  string
	QueryMediaType string // image
	SearchOptions  []string
	// TranscriptionOptions (lexical, semantic) narrows the transcription option (Marengo 3.0).
	TranscriptionOptions  []string
	Operator              string // or | and
	GroupBy               string // clip | video
	Threshold             string // high | medium | low | none
	SortOption            string // score | clip_count
	PageLimit             int
	Filter                map[string]any
	AdjustConfidenceLevel *float64
	IncludeUserMetadata   *bool
}

// SearchResult is one clip (group_by=clip) or one video with its clips (group_by=video).
type SearchResult struct {
	VideoID string  `json:"video_id"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	// Score and Confidence come from older models; Rank (1 = best) from newer ones.
	Score        *float64       `json:"score,omitempty"`
	Confidence   string         `json:"confidence,omitempty"`
	Rank         *int           `json:"rank,omitempty"`
	ThumbnailURL string         `json:"thumbnail_url,omitempty"`
	Clips        []SearchResult `json:"clips,omitempty"`
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
	// Match says why the result matched. It is the local engine's
	// extension field x_glimpse_match; the cloud API sends none.
	Match []SearchMatch `json:"x_glimpse_match,omitempty"`
}

// SearchMatch is one reason a search result matched: the words of the
// video that stood for the query's, in context, and where they were found.
type SearchMatch struct {
	Source string   `json:"source"` // "speech", "on_screen_text" or "visual"
	Words  []string `json:"words,omitempty"`
	Quote  string   `json:"quote,omitempty"`
	// Unsure: the speech recogniser was unsure of some of the words.
	Unsure bool `json:"unsure,omitempty"`
}

// SearchPageInfo is the pagination block of search responses.
type SearchPageInfo struct {
	LimitPerPage      int       `json:"limit_per_page"`
	TotalResults      int       `json:"total_results"`
	TotalInnerMatches int       `json:"total_inner_matches"`
	PageExpiresAt     time.Time `json:"page_expires_at"`
	NextPageToken     string    `json:"next_page_token,omitempty"`
	PrevPageToken     string    `json:"prev_page_token,omitempty"`
}

// SearchPool describes what was searched.
type SearchPool struct {
	TotalCount    int     `json:"total_count"`
	TotalDuration float64 `json:"total_duration"`
	IndexID       string  `json:"index_id"`
}

// SearchPage is one page of search results.
type SearchPage struct {
	Data       []SearchResult `json:"data"`
	PageInfo   SearchPageInfo `json:"page_info"`
	SearchPool SearchPool     `json:"search_pool"`
}
