package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"glimpse/engine/netguard"
	"glimpse/engine/pipeline"
	"glimpse/engine/store"
)

// Downloader fetches video_url sources with a size limit and a timeout,
// through the engine's one outbound-fetch guard (netguard).
type Downloader struct {
	client       *http.Client
	maxBytes     int64
	allowPrivate bool
}

// NewDownloader makes a Downloader; allowPrivate lets downloads reach
// loopback and private networks.
func NewDownloader(maxBytes int64, timeout time.Duration, allowPrivate bool) *Downloader {
	return &Downloader{
		client:       netguard.Client(netguard.Options{Timeout: timeout, AllowPrivate: allowPrivate}),
		maxBytes:     maxBytes,
		allowPrivate: allowPrivate,
	}
}

// Close drops idle keep-alive connections, so no goroutine outlives the engine.
func (d *Downloader) Close() { d.client.CloseIdleConnections() }

// CheckURL accepts absolute http(s) URLs only.
func CheckURL(raw string) error {
	if netguard.CheckURL(raw) != nil {
		return errors.New("video_url must be an absolute http or https URL")
	}
	return nil
}

// CheckHost refuses a video_url whose host has no public address, so the
// request can be answered 400 at once.
func (d *Downloader) CheckHost(ctx context.Context, raw string) error {
	if err := CheckURL(raw); err != nil {
		return err
	}
	if err := netguard.CheckHost(ctx, raw, d.allowPrivate); err != nil {
		return errors.New("video_url: " + err.Error())
	}
	return nil
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
		if errors.Is(err, netguard.ErrPrivateAddress) {
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
