package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"glimpse/engine/pipeline"
	"glimpse/engine/store"
)

// Downloader fetches video_url sources with a size limit, a timeout, and a
// guard against private and loopback addresses. The guard checks the address
// actually dialled, so DNS answers that change between check and use (and
// redirects) cannot reach an internal service.
type Downloader struct {
	client   *http.Client
	maxBytes int64
	// AllowPrivate lets downloads reach loopback and private networks.
	allowPrivate bool
}

// NewDownloader makes a Downloader.
func NewDownloader(maxBytes int64, timeout time.Duration, allowPrivate bool) *Downloader {
	d := &Downloader{maxBytes: maxBytes, allowPrivate: allowPrivate}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: d.checkDial}
	d.client = &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would dial on our behalf, unchecked
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
	return d
}

// Close drops idle keep-alive connections, so no goroutine outlives the engine.
func (d *Downloader) Close() { d.client.CloseIdleConnections() }

// CheckURL accepts absolute http(s) URLs only.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("video_url must be an absolute http or https URL")
	}
	return nil
}

// errPrivateAddress is the guard refusing an address.
var errPrivateAddress = errors.New("private address")

func (d *Downloader) checkDial(_, address string, _ syscall.RawConn) error {
	if d.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errPrivateAddress, address)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", errPrivateAddress, ap.Addr())
	}
	return nil
}

// IsPublic reports whether ip is a globally routable unicast address.
// Addresses that embed an IPv4 one (NAT64, 6to4) are judged by it, since a
// gateway turns them into that address.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if b := ip.As16(); ip.Is6() && netip.MustParsePrefix("64:ff9b::/96").Contains(ip) {
		ip = netip.AddrFrom4([4]byte(b[12:16]))
	} else if ip.Is6() && netip.MustParsePrefix("2002::/16").Contains(ip) {
		ip = netip.AddrFrom4([4]byte(b[2:6]))
	}
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range []string{
		"0.0.0.0/8",      // this network
		"100.64.0.0/10",  // carrier-grade NAT
		"192.0.0.0/24",   // IETF protocol assignments
		"198.18.0.0/15",  // benchmarking
		"240.0.0.0/4",    // reserved
		"64:ff9b:1::/48", // local-use NAT64
	} {
		if netip.MustParsePrefix(p).Contains(ip) {
			return false
		}
	}
	return true
}

// CheckHost resolves a URL's host and refuses it when every address is
// private, so a request can be answered 400 at once; the dial-time guard
// still protects the download itself.
func (d *Downloader) CheckHost(ctx context.Context, raw string) error {
	if err := CheckURL(raw); err != nil {
		return err
	}
	if d.allowPrivate {
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
	return errors.New("video_url points to a private or loopback address, which this engine does not fetch")
}

// Fetch writes the body at raw into a new file in dir and returns its name
// and size. Failures are StageErrors a person can act on.
func (d *Downloader) Fetch(ctx context.Context, raw, dir string) (string, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return "", 0, &pipeline.StageError{Code: "parameter_invalid", Message: "The video_url is not a valid URL."}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
		if errors.Is(err, errPrivateAddress) {
			return "", 0, &pipeline.StageError{Code: "parameter_invalid", Message: "The video_url leads to a private or loopback address, which this engine does not fetch."}
		}
		return "", 0, &pipeline.StageError{Code: "parameter_invalid", Message: "The video at video_url could not be downloaded: " + errText(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, &pipeline.StageError{Code: "parameter_invalid", Message: fmt.Sprintf("The video at video_url could not be downloaded: the server answered %s.", resp.Status)}
	}
	if resp.ContentLength > d.maxBytes {
		return "", 0, tooLarge(d.maxBytes)
	}
	f, err := os.CreateTemp(dir, "download-*")
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, d.maxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		os.Remove(f.Name())
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
		return "", 0, &pipeline.StageError{Code: "parameter_invalid", Message: "The download from video_url broke off: " + errText(err)}
	case n > d.maxBytes:
		os.Remove(f.Name())
		return "", 0, tooLarge(d.maxBytes)
	}
	return filepath.Base(f.Name()), n, nil
}

func tooLarge(limit int64) *pipeline.StageError {
	return &pipeline.StageError{Code: "video_filesize_too_large", Message: fmt.Sprintf("The video is larger than the %s limit.", HumanBytes(limit))}
}

// HumanBytes formats a byte count for messages.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// download fetches a task's video_url into its directory and moves the task
// on to validating.
func (m *Manager) download(ctx context.Context, taskID string) error {
	t, err := m.cfg.Store.GetTask(ctx, taskID)
	if err != nil {
		return err
	}
	// The folder exists since Submit; it is not recreated, so a task
	// deleted meanwhile leaves nothing behind.
	dir := m.videoDir(t.VideoID)
	// A download a crash cut off left its partial file here; the retry
	// starts a new one, and the old must not outlive it.
	stale, _ := filepath.Glob(filepath.Join(dir, "download-*"))
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			m.log.Warn("remove partial download", "task_id", taskID, "err", err)
		}
	}
	tmpName, size, err := m.cfg.Downloader.Fetch(ctx, t.VideoURL, dir)
	if err != nil {
		return err
	}
	source := "source" + sourceExt(t.Video.Filename)
	if err := os.Rename(filepath.Join(dir, tmpName), filepath.Join(dir, source)); err != nil {
		return err
	}
	if err := m.cfg.Store.SetSource(ctx, t.VideoID, source, size); err != nil {
		return err
	}
	return m.cfg.Store.SetStatus(ctx, taskID, store.StatusValidating, 0, m.cfg.Now())
}
