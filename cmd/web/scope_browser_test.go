package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"glimpse/internal/browsertest"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

// TestNewIndexKeepsTheSearchScope makes a new, empty index (which becomes
// the current one) and then searches from the navigation: the page says it
// searches every index with videos, names them, leaves the empty one out,
// and finds the example video's moments; ticking another index under
// Options changes the names shown.
func TestNewIndexKeepsTheSearchScope(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a 160 s video and drives Chromium")
	}
	app := indexedExample(t, testmedia.Path(t, "example.mp4"))
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Bound(t))
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	browsertest.FailOnCSPViolations(t, bctx)

	err := chromedp.Do(bctx,
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#index-name`)),
		chromedp.SendKeys(chromedp.CSS(`#index-name`), "Empty scope"),
		chromedp.Submit(chromedp.CSS(`#index-name`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-zone]`)),
		chromedp.Click(chromedp.CSS(`.top nav a[href="/search"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-scope]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	scope := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`[data-testid=scope-names]`)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	names := scope()
	if !strings.Contains(names, "browser") || strings.Contains(names, "Empty scope") {
		t.Errorf("searching %q; want the example's index and not the new empty one", names)
	}
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=scope-default]').length`)); err != nil || n != 1 {
		t.Errorf("the page does not say it searches every index with videos (%v)", err)
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "train derailment\n"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=result-link]`)),
	)
	if err != nil {
		t.Fatalf("the search found nothing: %v", err)
	}

	// Ticking the empty index under Options names it too.
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`.options summary`)),
		chromedp.Click(chromedp.CSS(`input[name=index][data-name="Empty scope"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if names := scope(); !strings.Contains(names, "Empty scope") || !strings.Contains(names, "browser") {
		t.Errorf("after ticking the new index the page says it searches %q", names)
	}
}
