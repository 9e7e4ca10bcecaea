package tlclient

import (
	"context"
	"testing"
)

// generateOpCases are the cases of TestOperationsAgainstDescription for generation: analyze (single and NDJSON), gist, summarize.
func generateOpCases() []opCase {
	return []opCase{
		{
			name:    "analyze, single response",
			replies: []reply{{status: 200, body: `{"id":"gen1","data":"A train derailed.","finish_reason":"stop","usage":{"output_tokens":5}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyze(ctx, AnalyzeRequest{VideoID: "v1", Prompt: "What happens?", Temperature: ptr(0.3), MaxTokens: 100})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/analyze").jsonBody(t),
					map[string]any{"video_id": "v1", "prompt": "What happens?", "temperature": 0.3, "stream": false, "max_tokens": float64(100)})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "analysis", *got.(*AnalyzeResponse), AnalyzeResponse{"gen1", "A train derailed.", "stop", Usage{OutputTokens: 5}})
			},
		},
		{
			name: "analyze, NDJSON stream",
			replies: []reply{{status: 200, ndjson: true, body: `{"event_type":"stream_start","metadata":{"generation_id":"gen1"}}` + "\n" +
				`{"event_type":"text_generation","text":"A train "}` + "\n" + `{"event_type":"text_generation","text":"derailed."}` + "\n" +
				`{"event_type":"stream_end","finish_reason":"stop","metadata":{"generation_id":"gen1","usage":{"output_tokens":4}}}` + "\n"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				var evs []StreamEvent
				for ev, err := range c.AnalyzeStream(ctx, AnalyzeRequest{VideoID: "v1", Prompt: "What happens?"}) {
					if err != nil {
						return evs, err
					}
					evs = append(evs, ev)
				}
				return evs, nil
			},
			checkReq: func(t *testing.T, ex []exchange) {
				e := oneReq(t, ex, "POST", "/analyze")
				wantEq(t, "body", e.jsonBody(t), map[string]any{"video_id": "v1", "prompt": "What happens?", "stream": true})
				wantEq(t, "accept", e.header.Get("Accept"), "application/x-ndjson, application/json")
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "events", got.([]StreamEvent), []StreamEvent{
					{EventType: "stream_start", Metadata: StreamMetadata{GenerationID: "gen1"}},
					{EventType: "text_generation", Text: "A train "}, {EventType: "text_generation", Text: "derailed."},
					{EventType: "stream_end", FinishReason: "stop", Metadata: StreamMetadata{GenerationID: "gen1", Usage: &Usage{OutputTokens: 4}}}})
			},
		},
		{
			name:    "gist",
			replies: []reply{{status: 200, body: `{"id":"g1","title":"Train derails","topics":["rail","accident"],"hashtags":["#train"],"usage":{"output_tokens":12}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Gist(ctx, GistRequest{VideoID: "v1", Types: []string{"title", "topic", "hashtag"}})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/gist").jsonBody(t), map[string]any{"video_id": "v1", "types": []any{"title", "topic", "hashtag"}})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "gist", *got.(*Gist), Gist{"g1", "Train derails", []string{"rail", "accident"}, []string{"#train"}, Usage{OutputTokens: 12}})
			},
		},
		{
			name:    "summarize: summary",
			replies: []reply{{status: 200, body: `{"id":"s1","summarize_type":"summary","summary":"A freight train derailed.","usage":{"output_tokens":6}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "summary", Prompt: "Short", Temperature: ptr(0.2)})
			},
			checkReq: func(t *testing.T, ex []exchange) {
				wantEq(t, "body", oneReq(t, ex, "POST", "/summarize").jsonBody(t), map[string]any{"video_id": "v1", "type": "summary", "prompt": "Short", "temperature": 0.2})
			},
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "summary", got.(*Summary).Summary, "A freight train derailed.")
			},
		},
		{
			name: "summarize: chapters with start/end of the description",
			waive: waiver{full: "the seed's shape: no summarize_type, fractional start/end; the full description requires " +
				"summarize_type and keeps start/end as deprecated whole seconds (start_sec/end_sec carry fractions)"},
			replies: []reply{{status: 200, body: `{"id":"s2","chapters":[{"chapter_number":1,"start":0,"end":42.5,"chapter_title":"Intro","chapter_summary":"Anchors open."}]}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "chapter"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				s := got.(*Summary)
				wantEq(t, "type", s.SummarizeType, "chapter")
				wantEq(t, "chapters", s.Chapters, []Chapter{{1, 0, 42.5, "Intro", "Anchors open."}})
			},
		},
		{
			name: "summarize: chapters in the full description's shape",
			replies: []reply{{status: 200, body: `{"id":"s4","summarize_type":"chapter","chapters":[{"chapter_number":1,"start":0,"end":42,` +
				`"start_sec":0.5,"end_sec":42.75,"chapter_title":"Intro","chapter_summary":"Anchors open."}],"usage":{"output_tokens":9}}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "chapter"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				// start_sec/end_sec win over the deprecated whole seconds.
				wantEq(t, "chapters", got.(*Summary).Chapters, []Chapter{{1, 0.5, 42.75, "Intro", "Anchors open."}})
			},
		},
		{
			name:    "summarize: highlights with start_sec/end_sec",
			replies: []reply{{status: 200, body: `{"id":"s3","summarize_type":"highlight","highlights":[{"start_sec":12,"end_sec":20.5,"highlight":"Derailment","highlight_summary":"Cars off the track."}]}`}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Summarize(ctx, SummarizeRequest{VideoID: "v1", Type: "highlight"})
			},
			checkReq: func(t *testing.T, ex []exchange) { oneReq(t, ex, "POST", "/summarize") },
			check: func(t *testing.T, got any, err error) {
				wantOK(t, err)
				wantEq(t, "highlights", got.(*Summary).Highlights, []Highlight{{12, 20.5, "Derailment", "Cars off the track."}})
			},
		},
	}
}
