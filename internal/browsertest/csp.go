// Package browsertest holds what every Chromium test of the app shares.
package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// cspReporter runs in every page before the page's own scripts and turns
// each Content-Security-Policy violation into a console error the test
// sees. Scripts added over the DevTools protocol are not bound by the
// page's policy.
const cspReporter = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline code") +
    " at " + (e.sourceFile || location.href) + ":" + e.lineNumber);
});`

// FailOnCSPViolations makes the tab of ctx report what the page's policy
// blocks; when the test ends, every violation seen fails it. Call it before
// the first navigation.
func FailOnCSPViolations(t testing.TB, ctx context.Context) {
	t.Helper()
	seen, err := WatchCSP(ctx)
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() {
		for _, v := range seen() {
			t.Errorf("the page broke its own policy: %s", v)
		}
	})
}

// WatchCSP starts reporting the violations of the tab of ctx; seen returns
// those so far.
func WatchCSP(ctx context.Context) (seen func() []string, err error) {
	var mu sync.Mutex
	var got []string
	err = chromedp.Listen(ctx, func(ev any) {
		call, ok := ev.(*runtime.EventConsoleAPICalled)
		if !ok || call.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		for _, arg := range call.Args {
			if msg := strings.Trim(string(arg.Value), `"`); strings.HasPrefix(msg, "CSP violation") {
				mu.Lock()
				got = append(got, msg)
				mu.Unlock()
			}
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: cspReporter})
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}, err
}
