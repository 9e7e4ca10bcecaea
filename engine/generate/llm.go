package generate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// llmBackend speaks the OpenAI chat-completions protocol with stream: true,
// as Ollama, llama.cpp's server and vLLM do.
type llmBackend struct {
	endpoint string
	model    string
	apiKey   string
	client   *http.Client
}

func newLLMBackend(c LLMConfig) (*llmBackend, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("generate: LLM URL must be an http(s) URL such as http://127.0.0.1:11434/v1")
	}
	if c.Model == "" {
		return nil, errors.New("generate: LLM model is required with an LLM URL")
	}
	endpoint := strings.TrimRight(c.URL, "/")
	if !strings.HasSuffix(endpoint, "/chat/completions") {
		endpoint += "/chat/completions"
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			ResponseHeaderTimeout: 60 * time.Second, // a cold model loads slowly
		}}
	}
	return &llmBackend{endpoint: endpoint, model: c.Model, apiKey: c.APIKey, client: client}, nil
}

// where names the server for logs: scheme and host only, never credentials.
func (b *llmBackend) where() string {
	u, err := url.Parse(b.endpoint)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host
}

// unreachableError means the server never started an answer: the caller
// may fall back to the built-in generator.
type unreachableError struct{ Err error }

func (e *unreachableError) Error() string { return "language model unreachable: " + e.Err.Error() }

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Stream      bool          `json:"stream"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens"`
}

type chatChunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// stream sends the messages and hands each streamed delta to write. The
// request is bound to ctx, so a client that leaves closes the upstream
// connection.
func (b *llmBackend) stream(ctx context.Context, msgs []chatMessage, temp float64, maxTokens int, write func(string) error) error {
	body, err := json.Marshal(chatRequest{Model: b.model, Messages: msgs, Stream: true, Temperature: temp, MaxTokens: maxTokens})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if b.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+b.apiKey)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &unreachableError{Err: scrub(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Read past the cut by the key's length, so a key across it is redacted whole.
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, int64(300+len(b.apiKey))))
		snippet := b.redact(string(raw))
		if len(snippet) > 300 {
			snippet = strings.ToValidUTF8(snippet[:300], "")
		}
		return &unreachableError{Err: fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(snippet))}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	started := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		data, ok := strings.CutPrefix(line, "data:")
		if !ok {
			continue // comments, event names, blank separators
		}
		data = strings.TrimSpace(data)
		if data == "[DONE]" {
			return nil
		}
		var c chatChunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return fmt.Errorf("language model sent an unreadable chunk: %w", err)
		}
		if c.Error != nil {
			err := fmt.Errorf("language model error: %s", b.redact(c.Error.Message))
			if !started {
				return &unreachableError{Err: err}
			}
			return err
		}
		for _, ch := range c.Choices {
			if ch.Delta.Content != "" {
				started = true
				if err := write(ch.Delta.Content); err != nil {
					return err
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !started {
			return &unreachableError{Err: scrub(err)}
		}
		return err
	}
	if !started {
		return &unreachableError{Err: errors.New("the stream ended without text")}
	}
	return nil // the server closed without [DONE]; what it sent stands
}

// redact removes the API key from text the server sent back: a refusal
// may quote the key, and these errors reach the log.
func (b *llmBackend) redact(s string) string {
	if b.apiKey == "" {
		return s
	}
	return strings.ReplaceAll(s, b.apiKey, "[redacted]")
}

// scrub drops the URL from a transport error: it may carry credentials.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Evidence sent to the model is bounded so a long video's transcript does
// not crowd out the question.
const llmEvidenceChars = 12000

const llmSystemPrompt = `You answer questions about one video. You cannot see or hear it: you get its evidence, a machine transcript of its speech and the text that appears on screen, each line with its time (m:ss). Use only this evidence. Cite times as m:ss. When the evidence does not answer the question, say so plainly instead of guessing. Answer in Markdown.`

// llmPrompt lays out the evidence: the video's length and shots, the
// moments the prompt is about, then the transcript and captions in order.
func llmPrompt(ev *evidence, moments []Moment, prompt string) []chatMessage {
	var b strings.Builder
	fmt.Fprintf(&b, "Video length: %s. Shot changes at: ", clock(ev.Duration))
	if len(ev.Shots) == 0 {
		b.WriteString("none detected")
	}
	for i, s := range ev.Shots {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(clock(s))
	}
	b.WriteString(".\n")
	if len(moments) > 0 {
		b.WriteString("\nMoments that match the question:\n")
		for _, m := range moments {
			text, src := m.Text, m.Source
			if text == "" {
				text, src = ev.quoteAt(m.Start, m.End)
			}
			fmt.Fprintf(&b, "[%s] (%s) %s\n", clockRange(m.Start, m.End), src, oneLine(text))
		}
	}
	b.WriteString("\nAll evidence in order:\n")
	if len(ev.Units) == 0 {
		b.WriteString("(no speech or on-screen text was detected)\n")
	}
	for _, un := range ev.Units {
		line := fmt.Sprintf("[%s] (%s) %s\n", clockRange(un.Start, un.End), un.Source, oneLine(un.Text))
		if b.Len()+len(line) > llmEvidenceChars {
			b.WriteString("(evidence shortened)\n")
			break
		}
		b.WriteString(line)
	}
	fmt.Fprintf(&b, "\nQuestion or instruction: %s", prompt)
	return []chatMessage{{Role: "system", Content: llmSystemPrompt}, {Role: "user", Content: b.String()}}
}
