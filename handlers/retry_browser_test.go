package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"glimpse/internal/testwait"
)

// damagedCopies writes copies of the test clip cut off after 32 KB (its
// index, at the end, is lost): files that look like videos and are not.
func damagedCopies(t *testing.T, names ...string) []string {
	t.Helper()
	whole, err := os.ReadFile(app.Clip)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, whole[:32<<10], 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// pickThroughChooser clicks sel, expects the page to open a file chooser
// (rather than send anything by itself) and picks file in it.
func pickThroughChooser(t *testing.T, ctx context.Context, sel, file string) {
	t.Helper()
	opened := make(chan *page.EventFileChooserOpened, 1)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := chromedp.Listen(lctx, func(ev any) {
		if e, ok := ev.(*page.EventFileChooserOpened); ok {
			select {
			case opened <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-opened:
		if _, err := chromedp.Call(ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{file}, BackendNodeID: e.BackendNodeID}); err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("%s opened no file chooser", sel)
	}
}

// cardOf is the id of the card of the file name in the page's task list.
func cardOf(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const c = [...document.querySelectorAll('[data-testid=task-list] .task-card')]
			.find(c => c.querySelector('.task-name').textContent.trim() === %q);
		return c ? c.id : "";
	})()`, name)))
	if err != nil || id == "" {
		t.Fatalf("no card for %s (%v)", name, err)
	}
	return id
}

func countOf(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailedTaskExplainsAndRetries uploads three damaged files: each card
// says in plain words what is wrong, with the API's own text behind a
// disclosure. Retry, on the index page, the tasks page and a task's page,
// asks for the file again (a file chooser opens; nothing is re-sent), and
// the file picked there replaces the failed task and becomes ready.
func TestFailedTaskExplainsAndRetries(t *testing.T) {
	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()
	openNewIndex(t, ctx, "Retries")
	indexPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	indexID := strings.TrimPrefix(indexPath, "/indexes/")
	files := damagedCopies(t, "damaged-a.mp4", "damaged-b.mp4", "damaged-c.mp4")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), files)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#task-list [data-status=failed]').length === 3`, chromedp.WithPollingTimeout(testwait.Bound(t)))); err != nil {
		t.Fatalf("the damaged files did not fail: %v", err)
	}

	// The reason is a sentence for a person; the API's text is behind a
	// closed disclosure.
	a := cardOf(t, ctx, "damaged-a.mp4")
	failure, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](fmt.Sprintf(`(() => {
		const c = document.getElementById(%q), d = c.querySelector('[data-testid=failure-detail]');
		return {reason: c.querySelector('[data-testid=task-reason]').textContent.trim(),
			detail: d ? d.querySelector('p').textContent.trim() : "", open: d ? d.open : null,
			shown: d ? d.querySelector('p').checkVisibility() : null};
	})()`, a)))
	if err != nil {
		t.Fatal(err)
	}
	reason, _ := failure["reason"].(string)
	detail, _ := failure["detail"].(string)
	if !strings.Contains(reason, "not a video we can read") {
		t.Errorf("reason %q; want a plain sentence", reason)
	}
	if detail == "" || strings.Contains(reason, detail) || failure["open"] != false || failure["shown"] != false {
		t.Errorf("detail %q (open %v, shown %v): want the API's text, folded away", detail, failure["open"], failure["shown"])
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#`+a+` [data-testid=failure-detail] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#`+a+` [data-testid=failure-detail] p`)),
	)
	if err != nil {
		t.Errorf("the disclosure does not open: %v", err)
	}

	// Index page: Retry asks for the file; the good one takes the failed
	// card's place, and a reload does not bring the failed one back.
	pickThroughChooser(t, ctx, `#`+a+` [data-testid=retry]`, app.Clip)
	err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#task-list [data-status=ready]`)))
	if err != nil {
		t.Fatalf("the retried file never became ready: %v", err)
	}
	if n := countOf(t, ctx, `#task-list [data-status=failed]`); n != 2 {
		t.Errorf("%d failed cards after retrying one of 3", n)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#task-list [data-status=ready]`))); err != nil {
		t.Fatal(err)
	}
	if f, r := countOf(t, ctx, `#task-list [data-status=failed]`), countOf(t, ctx, `#task-list [data-status=ready]`); f != 2 || r != 1 {
		t.Errorf("after a reload: %d failed, %d ready cards; want 2 and 1", f, r)
	}

	// Tasks page: the same, in its list.
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/tasks?status=failed&index="+indexID),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-list] [data-status=failed]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The task of the file retried above failed all the same: this page
	// lists every task.
	if n := countOf(t, ctx, `[data-testid=task-list] [data-status=failed]`); n != 3 {
		t.Errorf("tasks page: %d failed cards, want 3", n)
	}
	b := cardOf(t, ctx, "damaged-b.mp4")
	pickThroughChooser(t, ctx, `#`+b+` [data-testid=retry]`, app.Clip)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-list] [data-status=ready] [data-testid=watch-link]`))); err != nil {
		t.Fatalf("retry on the tasks page: %v", err)
	}
	if n := countOf(t, ctx, `[data-testid=task-list] [data-status=failed]`); n != 2 || countOf(t, ctx, `#`+b) != 0 {
		t.Errorf("tasks page: %d failed cards after retrying one of 3 (or the retried one is still there)", n)
	}

	// A task's page: the reason and its disclosure in the details too;
	// Retry goes on to the new task's page.
	c := strings.TrimPrefix(cardOf(t, ctx, "damaged-c.mp4"), "task-")
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/tasks/"+c),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-details] details`)),
	)
	if err != nil {
		t.Fatalf("task page: %v", err)
	}
	pickThroughChooser(t, ctx, `[data-status=failed] [data-testid=retry]`, app.Clip)
	// The new task's page takes over; its card goes ready there.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-status=ready] [data-testid=watch-link]`))); err != nil {
		t.Fatalf("retry on the task page: %v", err)
	}
	if p, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || p == "/tasks/"+c || !strings.HasPrefix(p, "/tasks/") {
		t.Errorf("after the retry the browser is on %q (%v), want the new task's page", p, err)
	}
}
