package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"glimpse/engine/netguard"
	"glimpse/engine/wire"
)

// guardedClient fetches query images and videos by URL through the engine's
// one outbound-fetch guard.
func guardedClient(allowPrivate bool) *http.Client {
	return netguard.Client(netguard.Options{Timeout: 2 * time.Minute, AllowPrivate: allowPrivate})
}

// download opens a public http(s) URL; the body is cut at limit+1 bytes so
// the caller can tell an oversized file.
func (s *Server) download(ctx context.Context, raw string, limit int64) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || netguard.CheckURL(raw) != nil {
		return nil, wire.ParameterInvalid("The URL must be an http or https URL.")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, wire.ParameterInvalid("The URL is not valid.")
	}
	resp, err := s.fetch.Do(req)
	if errors.Is(err, netguard.ErrPrivateAddress) {
		return nil, wire.ParameterInvalid("The URL leads to a private or loopback address, which this engine does not fetch.")
	}
	if err != nil {
		return nil, wire.ParameterInvalid("The URL could not be fetched: " + hostOnly(u) + " did not answer or is not a public address.")
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, wire.ParameterInvalid(fmt.Sprintf("The URL could not be fetched: %s answered %d.", hostOnly(u), resp.StatusCode))
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, limit+1), resp.Body}, nil
}

// hostOnly keeps query strings (which may hold signed tokens) out of messages.
func hostOnly(u *url.URL) string { return u.Scheme + "://" + u.Host }
