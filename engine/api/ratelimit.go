package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"glimpse/engine/wire"
)

// RateLimiter is the live service's rate limit: a number of requests per
// endpoint in fixed windows, reported on every response as
// X-Ratelimit-Limit, -Remaining, -Used and -Reset (epoch seconds). A
// request past the limit is refused with 429 too_many_requests, except an
// upload: a retried multipart upload cannot be resent by the official SDK,
// so uploads are counted but always accepted and queued.
type RateLimiter struct {
	// Limit is the number of requests per endpoint and window.
	Limit int
	// Window is the length of a window; a window starts at a multiple of it.
	Window time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	reset time.Time
	used  int
}

// DefaultRateLimit is generous for one local user: a web page polling a
// task every 50 ms stays well inside it.
const DefaultRateLimit = 6000

func (l *RateLimiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// take counts one request to endpoint and says how the window stands.
func (l *RateLimiter) take(endpoint string) (used int, reset time.Time) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows = map[string]*rateWindow{}
	}
	w := l.windows[endpoint]
	if w == nil || !now.Before(w.reset) {
		w = &rateWindow{reset: now.Truncate(l.Window).Add(l.Window)}
		l.windows[endpoint] = w
	}
	w.used++
	return w.used, w.reset
}

// limit wraps one endpoint (its route pattern).
func (l *RateLimiter) limit(endpoint string, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	exempt := endpoint == "POST /tasks"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		used, reset := l.take(endpoint)
		h := w.Header()
		h.Set("X-Ratelimit-Limit", strconv.Itoa(l.Limit))
		h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(l.Limit-used, 0)))
		h.Set("X-Ratelimit-Used", strconv.Itoa(used))
		h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		if used > l.Limit && !exempt {
			wait := max(math.Ceil(reset.Sub(l.now()).Seconds()), 1)
			h.Set("Retry-After", strconv.Itoa(int(wait)))
			wire.WriteError(w, wire.Errorf(http.StatusTooManyRequests, "too_many_requests",
				fmt.Sprintf("You have exceeded the rate limit (%d requests per %s for %s). Please try again after %s.",
					l.Limit, l.Window, endpoint, wire.Time(reset))))
			return
		}
		next.ServeHTTP(w, r)
	})
}
