package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"glimpse/internal/testwait"
)

// openNewIndex makes an index through the home page's form and lands on it.
func openNewIndex(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#index-name`)),
		chromedp.SendKeys(chromedp.CSS(`#index-name`), name),
		chromedp.Submit(chromedp.CSS(`#index-name`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-zone]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// TestIndexPageShowsReadyVideosLive picks a video and an empty file on a
// fresh index page: when the task turns ready, the grid and the count
// beside the title show the video without a reload; Dismiss takes the
// finished and the refused card away, and a reload keeps them away.
func TestIndexPageShowsReadyVideosLive(t *testing.T) {
	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()
	openNewIndex(t, ctx, "Live grid")

	count := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=video-count]`)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	if got := count(); got != "0 videos" {
		t.Errorf("count on a new index: %q", got)
	}
	empty := filepath.Join(t.TempDir(), "empty.mp4")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload = true`)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), []string{app.Clip, empty}),
		chromedp.WaitVisible(chromedp.CSS(`#task-list [data-status=ready]`)),
		chromedp.WaitVisible(chromedp.CSS(`#videos [data-testid=video-card]`)),
	)
	if err != nil {
		t.Fatalf("the video never showed in the grid: %v", err)
	}
	if got := count(); !strings.HasPrefix(got, "1 video ·") {
		t.Errorf("count once the video is ready: %q, want 1 video · its length", got)
	}
	check, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`({
		noReload: window.__noReload === true,
		emptyNote: !!document.querySelector('[data-testid=no-videos]'),
		cardVideo: document.querySelector('#task-list [data-status=ready]').dataset.videoId,
		gridVideos: [...document.querySelectorAll('#videos [data-testid=video-card]')].map(c => c.dataset.videoId),
		cards: document.querySelectorAll('#task-list .task-card').length,
		rejected: document.querySelectorAll('#task-list [data-status=rejected]').length,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if check["noReload"] != true || check["emptyNote"] != false {
		t.Errorf("after ready: %v; want no reload and no 'No videos yet'", check)
	}
	grid, _ := check["gridVideos"].([]any)
	if len(grid) != 1 || grid[0] != check["cardVideo"] || check["cardVideo"] == "" {
		t.Errorf("grid holds %v, the ready card is video %v", grid, check["cardVideo"])
	}
	if check["cards"] != float64(2) || check["rejected"] != float64(1) {
		t.Errorf("recent uploads: %v cards, %v refused; want the ready one and the empty file's", check["cards"], check["rejected"])
	}

	// Dismiss both: the refused one at once, the ready one once the
	// session has forgotten it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#task-list [data-status=rejected] [data-testid=dismiss]`)),
		chromedp.Click(chromedp.CSS(`#task-list [data-status=ready] [data-testid=dismiss]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#task-list .task-card`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#videos [data-testid=video-card]`)),
	)
	if err != nil {
		t.Fatalf("dismissing: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.task-card').length`)); err != nil || n != 0 {
		t.Errorf("after a reload %d dismissed cards came back (%v)", n, err)
	}
	if got := count(); !strings.HasPrefix(got, "1 video ·") {
		t.Errorf("count after a reload: %q", got)
	}
}
