// Package netguard is the engine's one outbound-fetch guard: every URL the
// engine fetches on a caller's behalf (video_url, query images, embed
// sources) goes through a Client made here. The guard checks the address
// actually dialled, so DNS answers that change between check and use, and
// redirects, cannot reach an internal service.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrPrivateAddress is the guard refusing an address; callers match it with
// errors.Is to say so plainly.
var ErrPrivateAddress = errors.New("private address")

// Options shape a guarded client.
type Options struct {
	// Timeout bounds a whole fetch, body included.
	Timeout time.Duration
	// AllowPrivate lets fetches reach loopback and private networks (tests,
	// an operator's own LAN).
	AllowPrivate bool
}

// Client returns an http.Client that dials public addresses only, follows at
// most five redirects to http(s) URLs, and never uses a proxy (a proxy would
// dial on our behalf, unchecked).
func Client(o Options) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = checkDial
	}
	return &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConns:          4,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return CheckURL(req.URL.String())
		},
	}
}

// CheckURL accepts absolute http(s) URLs only.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("the URL must be an absolute http or https URL")
	}
	return nil
}

func checkDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// nonPublic are ranges that are unicast by the standard library's reckoning
// but are not globally routable.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // this network
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// IsPublic reports whether ip is a globally routable unicast address.
// Addresses that embed an IPv4 one (NAT64, 6to4) are judged by it, since a
// gateway turns them into that address.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if b := ip.As16(); ip.Is6() && nat64.Contains(ip) {
		ip = netip.AddrFrom4([4]byte(b[12:16]))
	} else if ip.Is6() && sixToFour.Contains(ip) {
		ip = netip.AddrFrom4([4]byte(b[2:6]))
	}
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckHost resolves a URL's host and refuses it when no address is public,
// so a request can be answered 400 at once; the dial-time guard still
// protects the fetch itself.
func CheckHost(ctx context.Context, raw string, allowPrivate bool) error {
	if err := CheckURL(raw); err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	u, _ := url.Parse(raw)
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		return fmt.Errorf("the host %s could not be resolved", u.Hostname())
	}
	for _, a := range addrs {
		if IsPublic(a) {
			return nil
		}
	}
	return errors.New("the URL points to a private or loopback address, which this engine does not fetch")
}
