package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"glimpse/internal/browsertest"

	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

// TestSearchAndWatchInBrowser walks the search flow in headless Chromium
// against the web app with its embedded engine and the SDK's example video
// indexed for real: search by text, open the first result and see the video
// play from the clip's start; search with an image; page to more results.
// GLIMPSE_SCREENSHOTS=<dir> also saves laptop and phone screenshots.
func TestSearchAndWatchInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a 160 s video and drives Chromium")
	}
	video := testmedia.Path(t, "example.mp4")
	still := testmedia.Path(t, "search_sample.png")
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing: run scripts/deps.sh test", chromium)
	}

	app := indexedExample(t, video)
	baseURL, indexID := app.URL, app.IndexID
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Bound(t))
	defer cancel()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun,
		chromedp.WindowSize(1366, 860),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	browsertest.FailOnCSPViolations(t, browser)
	shots := os.Getenv("GLIMPSE_SCREENSHOTS")

	searchURL := baseURL + "/search?index=" + indexID
	count := func(t *testing.T) int {
		t.Helper()
		n, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=result]').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	resultsText := func() string {
		s, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`#results`)))
		return strings.Join(strings.Fields(s), " ")
	}

	t.Run("text search plays the first result from its start", func(t *testing.T) {
		err := chromedp.Do(browser,
			chromedp.Navigate(searchURL+"&q=train+derailment"),
			chromedp.WaitVisible(chromedp.CSS(`#results`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if count(t) == 0 {
			t.Fatalf("no results for “train derailment”: %q", resultsText())
		}
		searchShots(t, browser, shots, "search-text")
		link, err := chromedp.Run(browser, chromedp.AttributeValue(chromedp.CSS(`[data-testid=result-link]`), "href"))
		if err != nil {
			t.Fatal(err)
		}
		err = chromedp.Do(browser,
			chromedp.Click(chromedp.CSS(`[data-testid=result-link]`), chromedp.NodeVisible),
			chromedp.WaitReady(chromedp.CSS(`#player`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		type playerState struct {
			T, Start float64
			Paused   bool
		}
		// Resolves at the first 'playing' event (or at once if already playing).
		first, err := chromedp.Run(browser, chromedp.Evaluate[playerState](`new Promise(resolve => {
			const v = document.getElementById('player');
			const report = () => resolve({T: v.currentTime, Start: parseFloat(v.dataset.start), Paused: v.paused});
			if (!v.paused && v.readyState >= 3) report(); else v.addEventListener('playing', report, {once: true});
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		wantStart, _ := strconv.ParseFloat(searchQueryParam(link.Value, "t"), 64)
		if first.Start != wantStart {
			t.Errorf("player starts at %v, the result link said %v", first.Start, wantStart)
		}
		if first.Paused || math.Abs(first.T-first.Start) > 1 {
			t.Fatalf("playback began at %.2f s (paused=%v), want within 1 s of the clip's start %.2f s", first.T, first.Paused, first.Start)
		}
		// It keeps playing: the clock moves.
		time.Sleep(1500 * time.Millisecond)
		later, err := chromedp.Run(browser, chromedp.Evaluate[playerState](`(() => { const v = document.getElementById('player'); return {T: v.currentTime, Paused: v.paused}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if later.Paused || later.T <= first.T+0.5 {
			t.Errorf("after 1.5 s the player is at %.2f s (paused=%v), from %.2f s", later.T, later.Paused, first.T)
		}
		t.Logf("first result %s: playing from %.2f s (clip starts %.2f s), %.2f s later", link.Value, first.T, first.Start, later.T)

		// Any [data-seek] element seeks the player: the replay button, and
		// one added later the way the analysis panel adds its chapters.
		for _, target := range []struct{ sel, add string }{
			{`[data-testid=replay-clip]`, ""},
			{`#late-seek`, `const a = document.createElement('a'); a.id = 'late-seek'; a.href = '#t=100'; a.dataset.seek = '100'; a.textContent = '1:40'; document.getElementById('analysis').append(a);`},
		} {
			want := first.Start
			if target.add != "" {
				want = 100
				if _, err := chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](target.add)); err != nil {
					t.Fatal(err)
				}
			} else if _, err := chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](`document.getElementById('player').currentTime = 140`)); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(target.sel), chromedp.NodeVisible)); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(browser, chromedp.Evaluate[float64](`document.getElementById('player').currentTime`))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1 {
				t.Errorf("clicking %s: player at %.2f s, want %.2f s", target.sel, got, want)
			}
		}
		// Metadata edits go to the engine and come back saved.
		err = chromedp.Do(browser,
			chromedp.SendKeys(chromedp.CSS(`.meta-new input[name=mk]`), "topic"),
			chromedp.SendKeys(chromedp.CSS(`.meta-new input[name=mv]`), "derailment"),
			chromedp.Click(chromedp.CSS(`[data-testid=metadata-save]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=metadata-notice]`)),
		)
		if err != nil {
			t.Fatalf("saving metadata: %v", err)
		}
		saved, _ := chromedp.Run(browser, chromedp.AttributeValue(chromedp.CSS(`#meta-topic`), "value"))
		if saved.Value != "derailment" {
			t.Errorf("after saving, topic = %q", saved.Value)
		}
		searchShots(t, browser, shots, "watch")
	})

	t.Run("the address holds the query and back returns to it", func(t *testing.T) {
		err := chromedp.Do(browser,
			chromedp.Navigate(searchURL+"&q=train+derailment"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=result]`)),
			chromedp.SetValue(chromedp.CSS(`#q`), "residents"),
			chromedp.Click(chromedp.CSS(`[data-testid=search-submit]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(browser, chromedp.Poll[bool](`location.search.includes('q=residents') && document.querySelector('[data-testid=results-summary]').textContent.includes('residents')`,
			chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
			loc, _ := chromedp.Run(browser, chromedp.Location())
			t.Fatalf("after searching “residents” the address is %s: %v", loc, err)
		}
		if err := chromedp.Do(browser, chromedp.NavigateBack()); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(browser, chromedp.Poll[bool](`location.search.includes('q=train+derailment') && document.getElementById('q').value === 'train derailment' && document.querySelectorAll('[data-testid=result]').length > 0`,
			chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
			loc, _ := chromedp.Run(browser, chromedp.Location())
			t.Fatalf("back went to %s without the earlier search: %v", loc, err)
		}
	})

	t.Run("image search shows results", func(t *testing.T) {
		err := chromedp.Do(browser,
			chromedp.Navigate(searchURL),
			chromedp.WaitVisible(chromedp.CSS(`#search-form`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#image`), []string{still}),
			chromedp.WaitVisible(chromedp.CSS(`#image-preview`)),
			chromedp.Click(chromedp.CSS(`[data-testid=search-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=results-summary], [data-testid=search-error], [data-testid=no-results]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		summary := resultsText()
		if n := count(t); n == 0 || !strings.Contains(summary, "your image") {
			t.Fatalf("image search: %d cards, results say %q", n, summary)
		}
		location, _ := chromedp.Run(browser, chromedp.Location())
		if !strings.Contains(location, "/search?index="+indexID) {
			t.Errorf("address after an image search: %s", location)
		}
		searchShots(t, browser, shots, "search-image")

		// A thumbnail whose signed URL broke is fetched afresh through the
		// video; when that fails too, a labelled placeholder takes its place.
		type thumbState struct {
			Src         string
			Width       int
			Placeholder bool
		}
		check := `(() => { const li = document.querySelector('[data-testid=result]'); const img = li.querySelector('.thumb img');
			return {Src: img ? img.getAttribute('src') : '', Width: img ? img.naturalWidth : 0, Placeholder: !!li.querySelector('.thumb-placeholder[role=img][aria-label]')}; })()`
		if _, err := chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=result] .thumb img').src = '/engine/media/expired.jpg'`)); err != nil {
			t.Fatal(err)
		}
		refreshed, err := chromedp.Run(browser, chromedp.Poll[bool](`(() => { const i = document.querySelector('[data-testid=result] .thumb img'); return i && i.complete && i.naturalWidth > 0; })()`,
			chromedp.WithPollingTimeout(testwait.Bound(t))))
		state, _ := chromedp.Run(browser, chromedp.Evaluate[thumbState](check))
		if err != nil || !refreshed || !strings.HasSuffix(state.Src, "/thumbnail") {
			t.Errorf("broken thumbnail not refreshed: %+v (%v)", state, err)
		}
		if _, err := chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=result] .thumb img').src = '/engine/media/expired-again.jpg'`)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(browser, chromedp.Poll[bool](`!!document.querySelector('[data-testid=result] .thumb-placeholder')`, chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
			state, _ := chromedp.Run(browser, chromedp.Evaluate[thumbState](check))
			t.Errorf("a thumbnail broken twice isn't replaced by a placeholder: %+v", state)
		}
	})

	t.Run("scrolling loads the next page", func(t *testing.T) {
		// An image query at threshold none ranks every clip that looks
		// alike: more than one page of them.
		err := chromedp.Do(browser,
			chromedp.Navigate(searchURL+"&threshold=none"),
			chromedp.WaitVisible(chromedp.CSS(`#search-form`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#image`), []string{still}),
			chromedp.Click(chromedp.CSS(`[data-testid=search-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=results-summary], [data-testid=search-error], [data-testid=no-results]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		before := count(t)
		hasMore, _ := chromedp.Run(browser, chromedp.Evaluate[bool](`!!document.querySelector('[data-testid=more-button]')`))
		if !hasMore {
			t.Fatalf("only %d results and no next page for the image at threshold none; paging can't be shown", before)
		}
		err = chromedp.Do(browser, chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=more]`)))
		if err == nil {
			_, err = chromedp.Run(browser, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('[data-testid=result]').length > %d`, before),
				chromedp.WithPollingTimeout(testwait.Bound(t))))
		}
		if err != nil {
			t.Fatalf("the next page never arrived: %v", err)
		}
		keys, _ := chromedp.Run(browser, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=result]')].map(e => e.dataset.videoId + '@' + e.dataset.start)`))
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k] {
				t.Errorf("result %s shown twice after paging", k)
			}
			seen[k] = true
		}
		t.Logf("paging: %d then %d results", before, len(keys))
	})

	t.Run("paging from the keyboard keeps focus on the results", func(t *testing.T) {
		err := chromedp.Do(browser,
			chromedp.Navigate(searchURL+"&threshold=none"),
			chromedp.WaitVisible(chromedp.CSS(`#search-form`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#image`), []string{still}),
			chromedp.Click(chromedp.CSS(`[data-testid=search-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=more-button]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		before := count(t)
		// Tabbing onto "More results" brings it into view, which loads the
		// next page in its place.
		err = chromedp.Do(browser, chromedp.Focus(chromedp.CSS(`[data-testid=more-button]`)))
		if err == nil {
			_, err = chromedp.Run(browser, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('[data-testid=result]').length > %d`, before),
				chromedp.WithPollingTimeout(testwait.Bound(t))))
		}
		if err != nil {
			t.Fatalf("the next page never arrived: %v", err)
		}
		onResult := fmt.Sprintf(`(() => { const r = document.activeElement && document.activeElement.closest('[data-testid=result]');
			return !!r && [...document.querySelectorAll('[data-testid=result]')].indexOf(r) === %d; })()`, before)
		if _, err := chromedp.Run(browser, chromedp.Poll[bool](onResult, chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
			where, _ := chromedp.Run(browser, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : 'none'`))
			t.Errorf("after the next page, focus is on %s, not the first new result", where)
		}
	})
}

// searchShots saves a laptop and a phone screenshot of the current page when
// dir is set.
func searchShots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	for _, size := range []struct {
		name string
		w, h int64
		mob  bool
	}{{"laptop", 1366, 860, false}, {"phone", 390, 844, true}} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(size.w, size.h, func(p *emulation.SetDeviceMetricsOverrideParams, touch *emulation.SetTouchEmulationEnabledParams) {
				p.Mobile, touch.Enabled = size.mob, size.mob
			}),
			chromedp.Sleep(400*time.Millisecond),
		)
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if err != nil {
			t.Logf("screenshot %s-%s: %v", name, size.name, err)
			continue
		}
		os.WriteFile(filepath.Join(dir, name+"-"+size.name+".png"), png, 0o644)
	}
	chromedp.Do(ctx, chromedp.EmulateViewport(1366, 860))
}

func searchQueryParam(href, key string) string {
	if i := strings.Index(href, "?"); i >= 0 {
		for _, kv := range strings.Split(href[i+1:], "&") {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
	}
	return ""
}
