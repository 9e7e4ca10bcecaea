package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"glimpse/internal/testwait"
)

// TestReloadMidUploadWarnsAndSaysWhatWasLost holds two uploads in flight
// (the first request paused in the browser, the second queued behind it)
// and reloads: the page asks before leaving, and the reloaded page says
// both were interrupted, by name, with a button that picks them again.
// Once nothing is in flight a reload neither asks nor warns.
func TestReloadMidUploadWarnsAndSaysWhatWasLost(t *testing.T) {
	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()
	openNewIndex(t, ctx, "Interrupted")

	second := filepath.Join(t.TempDir(), "second.mp4")
	data, err := os.ReadFile(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, data, 0o644); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var dialogs []page.DialogType
	paused := make(chan struct{}, 4)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := chromedp.Listen(lctx, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			paused <- struct{}{} // left paused: the upload stays in flight
		case *page.EventJavascriptDialogOpening:
			mu.Lock()
			dialogs = append(dialogs, e.Type)
			mu.Unlock()
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}); err != nil {
		t.Fatal(err)
	}
	seenDialogs := func() []page.DialogType {
		mu.Lock()
		defer mu.Unlock()
		return append([]page.DialogType(nil), dialogs...)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/upload"}}}); err != nil {
		t.Fatal(err)
	}
	// A click first: browsers ask before leaving only a page the person used.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=index-title]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), []string{app.Clip, second}),
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-paused:
	case <-ctx.Done():
		t.Fatal("the upload never started")
	}
	// The page reloads itself, as a person's F5 would (a script-started
	// navigation runs beforeunload; one from DevTools need not).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`setTimeout(() => location.reload(), 0), true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=interrupted]`))); err != nil {
		t.Fatalf("after the reload: %v (dialogs %v)", err, seenDialogs())
	}
	if d := seenDialogs(); len(d) != 1 || d[0] != page.DialogTypeBeforeunload {
		t.Errorf("dialogs before leaving: %v, want one beforeunload", d)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=interrupted] p`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "2 uploads were interrupted") || !strings.Contains(msg, filepath.Base(app.Clip)) || !strings.Contains(msg, "second.mp4") {
		t.Errorf("the reloaded page says %q", msg)
	}

	// Pick them again: the upload goes through this time.
	if _, err := chromedp.Call(ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	pickThroughChooser(t, ctx, `[data-testid=pick-again]`, second)
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#task-list [data-status=ready]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=interrupted]`)),
	)
	if err != nil {
		t.Fatalf("picking again: %v", err)
	}

	// Nothing in flight: a reload neither asks nor warns.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=index-title]`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#task-list [data-status=ready]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if d := seenDialogs(); len(d) != 1 {
		t.Errorf("dialogs: %v; a reload with nothing in flight asked too", d)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=interrupted]').length`)); err != nil || n != 0 {
		t.Errorf("a reload with nothing in flight says uploads were interrupted (%v)", err)
	}
}
