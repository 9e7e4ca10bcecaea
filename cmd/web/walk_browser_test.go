package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"glimpse/internal/browsertest"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

// pageTrouble records what a person would see go wrong in a tab: every
// response of 400 or more (a missing favicon included) and every console
// error or uncaught exception.
type pageTrouble struct {
	mu       sync.Mutex
	problems []string
}

func watchTrouble(t *testing.T, ctx context.Context) *pageTrouble {
	t.Helper()
	pt := &pageTrouble{}
	if err := chromedp.Listen(ctx, func(ev any) {
		var p string
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				p = fmt.Sprintf("%d %s", e.Response.Status, e.Response.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				p = "console error: " + strings.Join(args, " ")
			}
		case *runtime.EventExceptionThrown:
			p = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				p += " " + e.ExceptionDetails.Exception.Description
			}
		}
		if p != "" {
			pt.mu.Lock()
			pt.problems = append(pt.problems, p)
			pt.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return pt
}

func (pt *pageTrouble) seen() []string {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	return append([]string(nil), pt.problems...)
}

// TestWalkWithoutErrors walks what a new person does, upload → search →
// watch → ask, and the other pages, in Chromium: no response is a 4xx or
// 5xx (the favicon included), the console stays clean, the search box has
// the focus on arrival, and the results explain their confidence dots.
func TestWalkWithoutErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a 160 s video and drives Chromium")
	}
	app := indexedExample(t, testmedia.Path(t, "example.mp4"))
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Bound(t))
	defer cancel()
	clip := filepath.Join(t.TempDir(), "walk.mp4")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=5",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=5",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}

	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	browsertest.FailOnCSPViolations(t, bctx)
	trouble := watchTrouble(t, bctx)
	bound := chromedp.WithPollingTimeout(testwait.Bound(t))

	// Home: an icon, and a new-index form that asks for a name only.
	err := chromedp.Do(bctx,
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#index-name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	home, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`({
		icon: (document.querySelector('link[rel=icon]') || {}).href || "",
		optionsOpen: document.querySelector('[data-testid=index-options]').open,
		jargonShown: document.querySelector('[name=marengo]').checkVisibility(),
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if home["icon"] == "" || home["optionsOpen"] != false || home["jargonShown"] != false {
		t.Errorf("home page: %v; want an icon and the models folded away", home)
	}

	// Upload a video to a new index and wait for it in the grid.
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#index-name`), "Walk"),
		chromedp.Submit(chromedp.CSS(`#index-name`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-zone]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), []string{clip}),
		chromedp.WaitVisible(chromedp.CSS(`#videos [data-testid=video-card]`)),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	taskURL, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(`#task-list [data-status=ready] .task-links a.subtle`), "href"))
	if err != nil {
		t.Fatal(err)
	}

	// Search: the box has the focus on arrival; the results say what
	// their dots mean.
	err = chromedp.Do(bctx,
		chromedp.Navigate(app.URL+"/search?index="+app.IndexID),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if focused, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || focused != "q" {
		t.Errorf("on arrival the focus is on %q, want the search box (%v)", focused, err)
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "train derailment\n"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=result-link]`)),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	legend, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`(() => {
		const l = document.querySelector('[data-testid=strength-legend]');
		return {text: l ? l.textContent.replace(/\s+/g, ' ').trim() : "",
			dots: document.querySelectorAll('[data-testid=result-strength][class*=strength-]').length,
			ranks: [...document.querySelectorAll('[data-testid=result-strength]')].filter(s => s.textContent.trim().startsWith('#')).length};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := legend["text"].(string)
	if legend["dots"] != float64(0) && !(strings.Contains(text, "high") && strings.Contains(text, "how sure")) {
		t.Errorf("results show %v confidence dots; legend %q", legend["dots"], text)
	}
	if legend["ranks"] != float64(0) && !strings.Contains(text, "#1 is the closest") {
		t.Errorf("results show %v ranks; legend %q", legend["ranks"], text)
	}
	if legend["dots"] == float64(0) && legend["ranks"] == float64(0) {
		t.Errorf("results show no match strength at all: the legend goes untested")
	}

	// Watch the first result and ask about it.
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`[data-testid=result-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ask-prompt`)),
		chromedp.SetValue(chromedp.CSS(`#ask-prompt`), "What happened to the train?"),
		chromedp.Click(chromedp.CSS(`[data-testid=ask]`)),
		chromedp.WaitVisible(chromedp.CSS(`#analysis-answer [data-testid=answer][data-state=done]`)),
	)
	if err != nil {
		t.Fatalf("watch and ask: %v", err)
	}

	// The other pages, and the icon browsers ask for by name.
	for _, p := range []string{"/tasks", taskURL.Value, "/settings", "/favicon.ico"} {
		if _, err := chromedp.Run(bctx, chromedp.Navigate(app.URL+p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.readyState === "complete"`, bound)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range trouble.seen() {
		t.Errorf("while walking: %s", p)
	}
}
