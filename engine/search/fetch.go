package search

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"glimpse/engine/wire"
)

// guardedClient fetches query images and videos by URL. Unless private
// addresses are allowed it refuses, at connect time (so DNS tricks do not
// help), loopback, private, link-local and unspecified addresses.
func guardedClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
				ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
				return fmt.Errorf("address %s is not public", host)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil, ResponseHeaderTimeout: 30 * time.Second},
	}
}

// download opens a public http(s) URL; the body is cut at limit+1 bytes so
// the caller can tell an oversized file.
func (s *Search) download(ctx context.Context, raw string, limit int64) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, wire.ParameterInvalid("The URL must be an http or https URL.")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, wire.ParameterInvalid("The URL is not valid.")
	}
	resp, err := s.fetch.Do(req)
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
