package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"glimpse/engine/generate"
	"glimpse/engine/wire"
)

// Generator writes about a video: POST /analyze, /gist and /summarize.
// *generate.Generator is one.
type Generator interface {
	// Analyze finds the video and readies its answer, which the returned
	// Analysis then writes.
	Analyze(ctx context.Context, req generate.AnalyzeRequest) (*generate.Analysis, error)
	Gist(ctx context.Context, req generate.GistRequest) (*generate.Gist, error)
	Summarize(ctx context.Context, req generate.SummarizeRequest) (*generate.Summary, error)
}

// analyzeRequest is POST /analyze as SDK 1.3.1 (video_id) and 1.3.4
// (video: {type, ...}) send it.
type analyzeRequest struct {
	VideoID        string          `json:"video_id"`
	Video          *videoContext   `json:"video"`
	Prompt         string          `json:"prompt"`
	Temperature    *float64        `json:"temperature"`
	Stream         *bool           `json:"stream"`
	MaxTokens      *int            `json:"max_tokens"`
	ResponseFormat json.RawMessage `json:"response_format"`
	// StartTime and EndTime (seconds) limit the analysis to part of the video.
	StartTime *float64 `json:"start_time"`
	EndTime   *float64 `json:"end_time"`
}

type videoContext struct {
	Type         string `json:"type"`
	AssetID      string `json:"asset_id"`
	URL          string `json:"url"`
	Base64String string `json:"base64_string"`
}

var mediaPathRE = regexp.MustCompile(`/media/([0-9a-fA-F]{24})/`)

// videoID names the video a request is about: video_id, or a video object
// whose asset_id is an indexed video's id, or whose url is one of this
// engine's media URLs for it.
func (req *analyzeRequest) videoID() (string, error) {
	if req.VideoID != "" {
		return req.VideoID, nil
	}
	if req.Video == nil {
		return "", wire.ParameterNotProvided("video_id")
	}
	switch req.Video.Type {
	case "asset_id":
		if req.Video.AssetID == "" {
			return "", wire.ParameterNotProvided("video.asset_id")
		}
		return req.Video.AssetID, nil
	case "url":
		if u, err := url.Parse(req.Video.URL); err == nil {
			if m := mediaPathRE.FindStringSubmatch(u.Path); m != nil {
				return m[1], nil
			}
		}
		return "", wire.ParameterInvalid("The local engine analyzes indexed videos only; video.url must be one of its media URLs. Name the video by video_id instead.")
	case "":
		return "", wire.ParameterNotProvided("video.type")
	default:
		return "", wire.ParameterInvalid("The local engine analyzes indexed videos only; name one by video_id or by video {type: \"asset_id\"}, not by " + generate.QuoteForError(req.Video.Type) + ".")
	}
}

func (s *Server) analyzeVideo(w http.ResponseWriter, r *http.Request) error {
	var req analyzeRequest
	if err := decodeJSON(r, &req, promptJSON); err != nil {
		return err
	}
	id, err := req.videoID()
	if err != nil {
		return err
	}
	if err := generate.CheckPrompt(req.Prompt, true); err != nil {
		return err
	}
	if err := generate.CheckTemperature(req.Temperature); err != nil {
		return err
	}
	if req.MaxTokens != nil && (*req.MaxTokens < 1 || *req.MaxTokens > generate.MaxOutputTokens) {
		return wire.ParameterInvalid("The max_tokens parameter must be between 1 and 4096.")
	}
	if len(req.ResponseFormat) > 0 && string(req.ResponseFormat) != "null" {
		return wire.ParameterInvalid("The local engine does not support response_format; ask for the structure in the prompt instead.")
	}
	a, err := s.Generate.Analyze(r.Context(), generate.AnalyzeRequest{VideoID: id, Prompt: req.Prompt,
		Temperature: req.Temperature, MaxTokens: req.MaxTokens, Start: req.StartTime, End: req.EndTime})
	if err != nil {
		return err
	}
	genID := wire.NewID()
	if req.Stream != nil && !*req.Stream {
		var text strings.Builder
		done, err := a.Write(r.Context(), func(s string) error { text.WriteString(s); return nil })
		if err != nil {
			return err
		}
		wire.WriteJSON(w, http.StatusOK, map[string]any{
			"id": genID, "data": text.String(), "finish_reason": done.FinishReason, "usage": done.Usage,
		})
		return nil
	}

	nd := newNDJSON(w)
	if err := nd.event(map[string]any{"event_type": "stream_start", "metadata": map[string]any{"generation_id": genID}}); err != nil {
		return err
	}
	done, err := a.Write(r.Context(), func(s string) error {
		return nd.event(map[string]any{"event_type": "text_generation", "text": s})
	})
	end := map[string]any{"event_type": "stream_end"}
	if err != nil {
		if r.Context().Err() != nil {
			return nil // the client left; the stream is gone
		}
		// Headers are sent: the error can only travel in the last event.
		s.Logger.Error("generate: analyze stream failed", "video_id", id, "err", err)
		end["error"] = map[string]any{"message": "Generation failed part way; the text so far is incomplete."}
	} else {
		end["finish_reason"] = done.FinishReason
	}
	end["metadata"] = map[string]any{"generation_id": genID, "usage": done.Usage}
	_ = nd.event(end)
	return nil
}

// ndjson writes one JSON object per line and flushes each, so a client
// sees every event as soon as it is written.
type ndjson struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newNDJSON(w http.ResponseWriter) *ndjson {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a server WriteTimeout would cut long answers
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	return &ndjson{w: w, rc: rc}
}

func (n *ndjson) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := n.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return n.rc.Flush()
}

func (s *Server) generateGist(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		VideoID string   `json:"video_id"`
		Types   []string `json:"types"`
	}
	if err := decodeJSON(r, &req, promptJSON); err != nil {
		return err
	}
	if req.VideoID == "" {
		return wire.ParameterNotProvided("video_id")
	}
	if len(req.Types) == 0 {
		return wire.ParameterNotProvided("types")
	}
	gr := generate.GistRequest{VideoID: req.VideoID}
	for _, t := range req.Types {
		switch t {
		case "title":
			gr.Title = true
		case "topic":
			gr.Topics = true
		case "hashtag":
			gr.Hashtags = true
		default:
			return wire.ParameterInvalid("The types parameter accepts title, topic and hashtag; got " + generate.QuoteForError(t) + ".")
		}
	}
	out, err := s.Generate.Gist(r.Context(), gr)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) summarizeVideo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		VideoID     string   `json:"video_id"`
		Type        string   `json:"type"`
		Prompt      string   `json:"prompt"`
		Temperature *float64 `json:"temperature"`
		MaxTokens   *int     `json:"max_tokens"`
	}
	if err := decodeJSON(r, &req, promptJSON); err != nil {
		return err
	}
	if req.VideoID == "" {
		return wire.ParameterNotProvided("video_id")
	}
	if req.Type == "" {
		return wire.ParameterNotProvided("type")
	}
	if req.Type != "summary" && req.Type != "chapter" && req.Type != "highlight" {
		return wire.ParameterInvalid("The type parameter accepts summary, chapter and highlight; got " + generate.QuoteForError(req.Type) + ".")
	}
	if err := generate.CheckPrompt(req.Prompt, false); err != nil {
		return err
	}
	if err := generate.CheckTemperature(req.Temperature); err != nil {
		return err
	}
	out, err := s.Generate.Summarize(r.Context(), generate.SummarizeRequest{VideoID: req.VideoID, Type: req.Type, Prompt: req.Prompt})
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, out)
	return nil
}
