package tlclient

import "time"

// The wire types of analysis (analyze, gist, summarize) and embeddings;
// types.go holds those of indexes, videos, tasks and search.

// ---- Analyze, gist, summarize ----

// Usage counts tokens.
type Usage struct {
	OutputTokens int `json:"output_tokens"`
	InputTokens  int `json:"input_tokens,omitempty"`
}

// AnalyzeRequest is the body of POST /analyze.
type AnalyzeRequest struct {
	VideoID     string
	Prompt      string
	Temperature *float64
	MaxTokens   int
	// ResponseFormat is an optional structured output format (json_schema).
	ResponseFormat map[string]any
}

// AnalyzeResponse is the non-streaming answer of POST /analyze.
type AnalyzeResponse struct {
	ID           string `json:"id"`
	Data         string `json:"data"`
	FinishReason string `json:"finish_reason"`
	Usage        Usage  `json:"usage"`
}

// Stream event types.
const (
	EventStreamStart    = "stream_start"
	EventTextGeneration = "text_generation"
	EventStreamEnd      = "stream_end"
)

// StreamMetadata rides on stream_start and stream_end events.
type StreamMetadata struct {
	GenerationID string `json:"generation_id"`
	Usage        *Usage `json:"usage,omitempty"`
}

// StreamEvent is one NDJSON event of a streamed analysis.
type StreamEvent struct {
	EventType    string         `json:"event_type"`
	Text         string         `json:"text,omitempty"`
	FinishReason string         `json:"finish_reason,omitempty"`
	Metadata     StreamMetadata `json:"metadata"`
}

// GistRequest is the body of POST /gist; Types holds title, topic and/or hashtag.
type GistRequest struct {
	VideoID string   `json:"video_id"`
	Types   []string `json:"types"`
}

// Gist is the answer of POST /gist.
type Gist struct {
	ID       string   `json:"id"`
	Title    string   `json:"title,omitempty"`
	Topics   []string `json:"topics,omitempty"`
	Hashtags []string `json:"hashtags,omitempty"`
	Usage    Usage    `json:"usage"`
}

// SummarizeRequest is the body of POST /summarize; Type is summary, chapter or highlight.
type SummarizeRequest struct {
	VideoID     string   `json:"video_id"`
	Type        string   `json:"type"`
	Prompt      string   `json:"prompt,omitempty"`
	Temperature *float64 `json:"temperature,omitempty"`
}

// Chapter is one chapter of a chapter summary.
type Chapter struct {
	ChapterNumber  int     `json:"chapter_number"`
	StartSec       float64 `json:"start_sec"`
	EndSec         float64 `json:"end_sec"`
	ChapterTitle   string  `json:"chapter_title"`
	ChapterSummary string  `json:"chapter_summary"`
}

// Highlight is one highlight of a highlight summary.
type Highlight struct {
	StartSec         float64 `json:"start_sec"`
	EndSec           float64 `json:"end_sec"`
	Highlight        string  `json:"highlight"`
	HighlightSummary string  `json:"highlight_summary,omitempty"`
}

// Summary is the answer of POST /summarize.
type Summary struct {
	ID            string      `json:"id"`
	SummarizeType string      `json:"summarize_type"`
	Summary       string      `json:"summary,omitempty"`
	Chapters      []Chapter   `json:"chapters,omitempty"`
	Highlights    []Highlight `json:"highlights,omitempty"`
	Usage         Usage       `json:"usage"`
}

// ---- Embed ----

// EmbedRequest is the body of POST /embed: one of text, image, audio or video.
type EmbedRequest struct {
	ModelName    string
	Text         string
	TextTruncate string // start | end | none
	ImageURL     string
	ImageFile    *Upload
	AudioURL     string
	AudioFile    *Upload
	VideoURL     string
	VideoFile    *Upload
}

// EmbeddingSegment is one embedding vector with the span it covers.
type EmbeddingSegment struct {
	Float           []float64 `json:"float"`
	StartOffsetSec  float64   `json:"start_offset_sec"`
	EndOffsetSec    float64   `json:"end_offset_sec"`
	EmbeddingScope  string    `json:"embedding_scope,omitempty"`
	EmbeddingOption string    `json:"embedding_option,omitempty"`
}

// EmbeddingSegments holds the segments of one modality.
type EmbeddingSegments struct {
	Segments []EmbeddingSegment `json:"segments"`
}

// EmbedResponse is the answer of POST /embed.
type EmbedResponse struct {
	ModelName      string             `json:"model_name"`
	TextEmbedding  *EmbeddingSegments `json:"text_embedding,omitempty"`
	ImageEmbedding *EmbeddingSegments `json:"image_embedding,omitempty"`
	AudioEmbedding *EmbeddingSegments `json:"audio_embedding,omitempty"`
	VideoEmbedding *EmbeddingSegments `json:"video_embedding,omitempty"`
}

// CreateEmbeddingTaskRequest is the body of POST /embed/tasks.
type CreateEmbeddingTaskRequest struct {
	ModelName            string
	VideoURL             string
	VideoFile            *Upload
	VideoEmbeddingScopes []string // clip, video
	OnUploadProgress     func(sent int64)
}

// EmbeddingTask is an asynchronous video embedding task.
type EmbeddingTask struct {
	ID             string             `json:"_id"`
	ModelName      string             `json:"model_name"`
	Status         string             `json:"status"` // processing | ready | failed
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	VideoEmbedding *EmbeddingSegments `json:"video_embedding,omitempty"`
}

// EmbeddingTaskStatus is the answer of GET /embed/tasks/{id}/status.
type EmbeddingTaskStatus struct {
	ID        string `json:"_id"`
	ModelName string `json:"model_name"`
	Status    string `json:"status"`
}

// ListEmbeddingTasksParams pages GET /embed/tasks. Zero values are left out.
type ListEmbeddingTasksParams struct {
	Page      int
	PageLimit int
	Status    string
}

// EmbeddingTaskPage is one page of embedding tasks.
type EmbeddingTaskPage struct {
	Data     []EmbeddingTask `json:"data"`
	PageInfo PageInfo        `json:"page_info"`
}
