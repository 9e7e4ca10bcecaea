package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"glimpse/internal/testwait"
)

// TestBrowserKeyCheckedAndTroubleShown walks it in Chromium: a wrong key
// pasted on the settings page is refused there with the reason; a good one
// is saved; when the cloud then goes away, the index page says so under a
// red badge, and its link leads to the settings page, which says it too.
func TestBrowserKeyCheckedAndTroubleShown(t *testing.T) {
	const wrong, good = "tlk_BROWSER_WRONG_0123456789", "tlk_BROWSER_GOOD_0123456789"
	app.Cloud.set(good, keyOK)
	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()

	paste := func(key string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(app.URL+"/settings"),
			chromedp.WaitVisible(chromedp.CSS(`#api-key`)),
			chromedp.SendKeys(chromedp.CSS(`#api-key`), key),
			chromedp.Submit(chromedp.CSS(`#api-key`)),
			chromedp.WaitReady(chromedp.CSS(`[data-testid=key-state]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	visibleText := func(sel string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pageHas := func(s string) bool {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
		return strings.Contains(html, s)
	}

	paste(wrong)
	if got := visibleText(`[data-testid=key-error]`); !strings.Contains(got, "refused this key") || !strings.Contains(got, "not saved") {
		t.Errorf("refusal reads %q", got)
	}
	if got := visibleText(`[data-testid=key-state]`); !strings.Contains(got, "No key of yours") {
		t.Errorf("after a wrong key: %q", got)
	}
	if pageHas(wrong) {
		t.Error("the wrong key is on the page")
	}

	paste(good)
	if got := visibleText(`[data-testid=backend]`); got != "TwelveLabs cloud (your key)" {
		t.Errorf("after a good key the badge reads %q", got)
	}
	if got := visibleText(`[data-testid=backend-check]`); !strings.Contains(got, "accepts your key") {
		t.Errorf("settings check reads %q", got)
	}

	app.Cloud.set(good, cloudGone)
	if err := chromedp.Do(ctx, chromedp.Navigate(app.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if got := visibleText(`[data-testid=backend-trouble]`); !strings.Contains(got, "cannot be reached") {
		t.Errorf("index page banner %q", got)
	}
	if pageHas("Something went wrong") {
		t.Error("the page says only that something went wrong")
	}
	color, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('[data-testid=backend]')).color`))
	danger, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const p = document.createElement('p'); p.className = 'backend-check-bad'; document.body.append(p); const c = getComputedStyle(p).color; p.remove(); return c })()`))
	if err != nil || color != danger {
		t.Errorf("badge colour %q, want the danger colour %q (%v)", color, danger, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=trouble-settings]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=key-state]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); u != "/settings" {
		t.Errorf("the banner's link led to %q", u)
	}
	if got := visibleText(`[data-testid=backend-check]`); !strings.Contains(got, "could not be reached") {
		t.Errorf("settings check reads %q", got)
	}
	if pageHas(good) {
		t.Error("the key is on the page")
	}
}
