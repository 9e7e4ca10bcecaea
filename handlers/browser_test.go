package handlers_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"glimpse/internal/browsertest"
	"glimpse/internal/testwait"
)

// newChromium starts headless Debian Chromium with a fresh profile.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make test` (scripts/deps.sh installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	browsertest.FailOnCSPViolations(t, ctx)
	return ctx
}

// TestBrowserDropToReady drops a real video on the index page in Chromium
// and watches its card go from uploading to ready without a reload.
func TestBrowserDropToReady(t *testing.T) {
	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#index-name`)),
		chromedp.SendKeys(chromedp.CSS(`#index-name`), "Browser drop"),
		chromedp.Submit(chromedp.CSS(`#index-name`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-zone]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=index-title]`))); err != nil || title != "Browser drop" {
		t.Fatalf("landed on %q (%v)", title, err)
	}

	// Remember every status the card shows, and mark the page so that a
	// reload would be noticed.
	const observe = `(() => {
		window.__noReload = true;
		window.__statuses = [];
		const note = () => document.querySelectorAll('[data-testid=task-card]').forEach(c => {
			const s = c.getAttribute('data-status');
			if (window.__statuses[window.__statuses.length - 1] !== s) window.__statuses.push(s);
		});
		new MutationObserver(note).observe(document.getElementById('task-list'),
			{subtree: true, childList: true, attributes: true, attributeFilter: ['data-status']});
		const probe = document.createElement('input');
		probe.type = 'file'; probe.id = 'drop-probe'; probe.style.display = 'none';
		document.body.appendChild(probe);
		return true;
	})()`
	// A real drop: a DataTransfer holding the real file, dispatched on the
	// page (not on the upload zone: anywhere on the page takes it).
	const drop = `(() => {
		const dt = new DataTransfer();
		dt.items.add(document.getElementById('drop-probe').files[0]);
		const target = document.querySelector('main h1');
		for (const type of ['dragenter', 'dragover', 'drop']) {
			target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
		}
		return dt.files.length;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](observe)); err != nil {
		t.Fatal(err)
	}
	// A second tab of the same browser (same session) on the same page.
	indexURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	tab2, cancelTab2 := chromedp.NewContext(ctx)
	defer cancelTab2()
	if err := chromedp.Do(tab2, chromedp.Navigate(indexURL), chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-zone]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab2, chromedp.Sleep(300*time.Millisecond)); err != nil { // its stream connects
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#drop-probe`), []string{app.Clip})); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](drop)); err != nil || n != 1 {
		t.Fatalf("drop: %v (%d files)", err, n)
	}
	err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-card][data-status=ready] [data-testid=watch-link]`)))
	statuses, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__statuses`))
	if err != nil {
		t.Fatalf("card never became ready: %v (seen %v)", err, statuses)
	}
	noReload, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !noReload {
		t.Errorf("the page reloaded (%v)", err)
	}
	if len(statuses) < 3 || statuses[0] != "uploading" || statuses[len(statuses)-1] != "ready" {
		t.Errorf("card statuses %v: want uploading … ready with a server status between", statuses)
	}
	thumb, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`[data-status=ready] .task-thumb img`), "src"))
	watch, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`[data-status=ready] [data-testid=watch-link]`), "href"))
	if thumb.Value == "" || !strings.Contains(watch.Value, "/videos/") || !strings.HasSuffix(watch.Value, "/watch") {
		t.Errorf("ready card: thumbnail %q, watch %q", thumb.Value, watch.Value)
	}
	t.Logf("card statuses: %v", statuses)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=task-card]').length`)); err != nil || n != 1 {
		t.Errorf("tab 1 shows %d cards, want 1 (%v)", n, err)
	}
	// The second tab saw the card arrive and go ready, without a reload.
	if err := chromedp.Do(tab2, chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-card][data-status=ready] [data-testid=watch-link]`))); err != nil {
		t.Errorf("second tab: %v", err)
	}
	if n, err := chromedp.Run(tab2, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=task-card]').length`)); err != nil || n != 1 {
		t.Errorf("tab 2 shows %d cards, want 1 (%v)", n, err)
	}

	if dir := os.Getenv("GLIMPSE_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, "index-after-drop.png"), png, 0o644)
		}
	}
}
