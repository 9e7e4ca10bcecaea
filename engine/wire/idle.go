package wire

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// DefaultBodyIdle is how long a request body may send nothing before the
// server gives up on it.
const DefaultBodyIdle = 30 * time.Second

// IdleBodies ends a request whose body stalls: before each read the
// connection's read deadline moves idle ahead, so an upload that keeps
// sending, however slowly, runs to its end, and one that sends nothing for
// idle fails its read and lets go of its connection, goroutine and temp
// file. A server-wide ReadTimeout cannot tell those two apart.
func IdleBodies(next http.Handler, idle time.Duration) http.Handler {
	if idle <= 0 {
		idle = DefaultBodyIdle
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			r.Body = &idleBody{ReadCloser: r.Body, rc: rc, idle: idle}
		}
		next.ServeHTTP(w, r)
	})
}

type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	done bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	if err := b.rc.SetReadDeadline(time.Now().Add(b.idle)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		// The whole body is in; a long answer (or an SSE stream) must not
		// be cut by a deadline meant for the body.
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
