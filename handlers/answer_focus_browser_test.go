package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"

	"glimpse/events"
	"glimpse/internal/browsertest"
	"glimpse/internal/testwait"
	"glimpse/static"
	"glimpse/templates"
)

// A keyboard user who presses Stop on an answer stays on the answer when
// its final form replaces the streaming one (Stop button and all), instead
// of being dropped on <body> at the top of the page.
func TestStoppingAnAnswerKeepsKeyboardFocus(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make test` (scripts/deps.sh installs it)")
	}
	fake := newFakePegasus(t)
	fake.pieces, fake.hold = []string{"So far "}, true
	sess := &testSessions{}
	hub := events.New(events.Options{Owner: func(r *http.Request) string { return sess.Get(r).ID }})
	t.Cleanup(hub.Shutdown)
	s := &Server{Log: slog.New(slog.DiscardHandler), Backends: fake.backends(), Sessions: sess,
		Events: hub, Analyses: newTestStore(t), Static: static.Handler()}
	routes := s.Routes()
	// A page with the app's scripts and the ask form's target, as the
	// watch page has them.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/page" {
			routes.ServeHTTP(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "kbd", Path: "/"})
		fmt.Fprintf(w, `<!DOCTYPE html><html><head>
<script src=%q defer></script><script src=%q defer></script><script src=%q defer></script></head>
<body hx-headers='{"X-CSRF-Token": "csrf-kbd"}'>
<form hx-post="/indexes/idx1/videos/vid1/analysis/answers" hx-target="#analysis-answer" hx-swap="innerHTML">
<input name="prompt" value="Describe the video."><button id="ask" type="submit">Ask</button></form>
<div id="analysis-answer"></div></body></html>`,
			templates.Asset("vendor/htmx.min.js"), templates.Asset("vendor/htmx-ext-sse.js"), templates.Asset("app.js"))
	}))
	t.Cleanup(srv.Close)

	actx, cancelA := chromedp.NewExecAllocator(t.Context(), chromedp.ExecPath(bin), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()))
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	browsertest.FailOnCSPViolations(t, ctx)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()

	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/page"),
		chromedp.Click(chromedp.CSS(`#ask`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-text] p`)), // "So far" has arrived
		chromedp.Focus(chromedp.CSS(`[data-testid=stop]`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer][data-state=stopped]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	onAnswer := `!!document.activeElement && !!document.activeElement.closest('[data-testid=answer]')`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](onAnswer, chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
		where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.tagName : 'none'`))
		t.Errorf("after Stop, focus is on %s, not the answer", where)
	}
}
