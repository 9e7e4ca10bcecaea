package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

// Trouble with the backend, noted per request: every API call a page makes
// passes the transport NoteTrouble wraps, which marks the request when the
// backend refused the key (401/403) or gave no answer. The page then says
// so at the top, with a link to the settings page, whatever the handler
// did with the error (some show it inline, some ignore it).

type troubleKey struct{}

// troubleNote is what one request learned about its backend.
type troubleNote struct {
	// describe words the trouble for the person (it needs the session).
	describe func(refused, unreachable bool) *templates.Trouble

	mu          sync.Mutex
	refused     bool // the key was refused: stays, whatever comes next
	unreachable bool // no answer; a later answer clears it (a retry got through)
}

func (n *troubleNote) note(refused, unreachable bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.refused = n.refused || refused
	n.unreachable = unreachable
}

func (n *troubleNote) state() (refused, unreachable bool) {
	if n == nil {
		return false, false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.refused, n.unreachable
}

// view is what the page says about the backend, or nil when all went well.
func (n *troubleNote) view() *templates.Trouble {
	refused, unreachable := n.state()
	if !refused && !unreachable {
		return nil
	}
	return n.describe(refused, unreachable)
}

func troubleOf(ctx context.Context) *troubleNote {
	n, _ := ctx.Value(troubleKey{}).(*troubleNote)
	return n
}

// withoutTrouble is ctx whose calls note nothing on the page (a key being
// checked on the settings page is not the backend in use).
func withoutTrouble(ctx context.Context) context.Context {
	return context.WithValue(ctx, troubleKey{}, (*troubleNote)(nil))
}

// noteTrouble gives each app request its note. It replaces the request in
// place, as sessions do, so a *http.Request held elsewhere sees it too.
func (s *Server) noteTrouble() gin.HandlerFunc {
	return func(c *gin.Context) {
		if appPath(c.Request.URL.Path) {
			n := &troubleNote{describe: func(refused, unreachable bool) *templates.Trouble {
				t := s.describeTrouble(c, refused)
				t.Backend = s.backend(c).Name
				return t
			}}
			*c.Request = *c.Request.WithContext(context.WithValue(c.Request.Context(), troubleKey{}, n))
		}
		c.Next()
	}
}

// NoteTrouble wraps the transport of the API clients so that a refused
// key or an unreachable backend shows on the page that asked (requests
// without a note, such as the task watcher's, pass through untouched).
func NoteTrouble(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return troubleTransport{next}
}

type troubleTransport struct{ next http.RoundTripper }

func (t troubleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := troubleOf(req.Context())
	if n == nil {
		return t.next.RoundTrip(req)
	}
	var body *bodyWatch
	if req.Body != nil && req.Body != http.NoBody {
		body = &bodyWatch{ReadCloser: req.Body}
		r := *req
		r.Body = body
		req = &r
	}
	resp, err := t.next.RoundTrip(req)
	switch {
	case err == nil:
		refused := resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden
		n.note(refused, false)
	case req.Context().Err() != nil, body != nil && body.failed.Load():
		// The person left, or the upload they were sending broke off:
		// neither says anything about the backend.
	default:
		n.note(false, true)
	}
	return resp, err
}

// bodyWatch remembers that reading the request's own body failed.
type bodyWatch struct {
	io.ReadCloser
	failed atomic.Bool
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		b.failed.Store(true)
	}
	return n, err
}

// describeTrouble words a refused key (else an unreachable backend) for
// the backend of this request.
func (s *Server) describeTrouble(c *gin.Context, refused bool) *templates.Trouble {
	ownKey := s.Sessions.Get(c.Request).APIKey != ""
	what := "The TwelveLabs cloud"
	if !ownKey && s.Backends.Default().Name == BackendLocal {
		what = "The local engine"
	}
	switch {
	case refused && ownKey:
		return &templates.Trouble{Kind: "refused",
			Message: "The TwelveLabs cloud refuses your API key, so this page could not be shown in full.",
			Action:  "Check or replace the key in Settings"}
	case refused:
		return &templates.Trouble{Kind: "refused",
			Message: what + " refuses this server's API key, so this page could not be shown in full.",
			Action:  "Use a key of your own in Settings"}
	}
	return &templates.Trouble{Kind: "unreachable",
		Message: what + " cannot be reached right now, so this page could not be shown in full. Try again in a moment.",
		Action:  "Check the backend in Settings"}
}
