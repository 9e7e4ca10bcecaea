package tlclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
)

type analyzeBody struct {
	VideoID        string         `json:"video_id"`
	Prompt         string         `json:"prompt"`
	Temperature    *float64       `json:"temperature,omitempty"`
	Stream         bool           `json:"stream"`
	MaxTokens      int            `json:"max_tokens,omitempty"`
	ResponseFormat map[string]any `json:"response_format,omitempty"`
}

func (r AnalyzeRequest) body(stream bool) (analyzeBody, error) {
	if r.VideoID == "" || r.Prompt == "" {
		return analyzeBody{}, errors.New("tlclient: Analyze needs a VideoID and a Prompt")
	}
	return analyzeBody{VideoID: r.VideoID, Prompt: r.Prompt, Temperature: r.Temperature,
		Stream: stream, MaxTokens: r.MaxTokens, ResponseFormat: r.ResponseFormat}, nil
}

// Analyze generates text about a video in one response (POST /analyze, stream=false).
func (c *Client) Analyze(ctx context.Context, r AnalyzeRequest) (*AnalyzeResponse, error) {
	b, err := r.body(false)
	if err != nil {
		return nil, err
	}
	var out AnalyzeResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: "/analyze", json: b}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AnalyzeStream generates text about a video as a stream of NDJSON events
// (POST /analyze, stream=true). Stopping the loop or cancelling ctx closes the
// connection at once.
func (c *Client) AnalyzeStream(ctx context.Context, r AnalyzeRequest) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		b, err := r.body(true)
		if err != nil {
			yield(StreamEvent{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		resp, err := c.send(ctx, request{method: http.MethodPost, path: "/analyze", json: b,
			accept: "application/x-ndjson, application/json"})
		if err != nil {
			yield(StreamEvent{}, err)
			return
		}
		defer resp.Body.Close()
		for ev, err := range decodeEvents(resp.Body) {
			if err != nil && ctx.Err() != nil {
				err = fmt.Errorf("tlclient: analyze stream: %w", ctx.Err())
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				apiErr.Message, apiErr.Code = redact(apiErr.Message, c.apiKey), redact(apiErr.Code, c.apiKey)
				apiErr.Method, apiErr.Path = http.MethodPost, "/analyze"
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// decodeEvents reads NDJSON stream events from r until EOF or the first error.
func decodeEvents(r io.Reader) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		nr := newNDJSONReader(r)
		for {
			line, err := nr.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(StreamEvent{}, fmt.Errorf("tlclient: analyze stream: %w", err))
				return
			}
			var ev StreamEvent
			if err := json.Unmarshal(line, &ev); err != nil {
				yield(StreamEvent{}, fmt.Errorf("tlclient: analyze stream: bad event %q: %w", snippet(line), err))
				return
			}
			if e := streamError(line); e != nil {
				yield(StreamEvent{}, e)
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Gist generates titles, topics and/or hashtags (POST /gist).
func (c *Client) Gist(ctx context.Context, r GistRequest) (*Gist, error) {
	if r.VideoID == "" || len(r.Types) == 0 {
		return nil, errors.New("tlclient: Gist needs a VideoID and at least one type")
	}
	var out Gist
	if err := c.do(ctx, request{method: http.MethodPost, path: "/gist", json: r}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Summarize generates a summary, chapters or highlights (POST /summarize).
func (c *Client) Summarize(ctx context.Context, r SummarizeRequest) (*Summary, error) {
	if r.VideoID == "" || r.Type == "" {
		return nil, errors.New("tlclient: Summarize needs a VideoID and a Type")
	}
	var out Summary
	if err := c.do(ctx, request{method: http.MethodPost, path: "/summarize", json: r}, &out); err != nil {
		return nil, err
	}
	if out.SummarizeType == "" {
		out.SummarizeType = r.Type
	}
	return &out, nil
}

// streamError is the failure an event reports in an "error" object (the
// local engine ends a stream so when generation fails part way), or nil.
// The answer was 200, so it carries that status and the server's message.
func streamError(line []byte) *APIError {
	var tail struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(line, &tail) != nil || len(tail.Error) == 0 || string(tail.Error) == "null" {
		return nil
	}
	e := decodeError(http.StatusOK, line)
	if e.Message == http.StatusText(http.StatusOK) {
		e.Message = "the server ended the stream with an error"
	}
	return e
}
