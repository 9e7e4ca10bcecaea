package handlers_test

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestScreenshots writes PNGs of the pages this package owns, at laptop
// and phone widths, for a person to look at:
//
//	GLIMPSE_SCREENSHOTS=/tmp/shots go test -run Screenshots ./handlers/
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("GLIMPSE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set GLIMPSE_SCREENSHOTS to a directory to write screenshots")
	}
	b := newBrowser(t)
	ix := b.createIndex("Product demos")
	b.createIndex("Conference talks")
	uploadReady(t, b, ix)
	short := filepath.Join(t.TempDir(), "two-seconds.mp4")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", short).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	f, _ := os.Open(short)
	fi, _ := f.Stat()
	doc, _ := b.upload(ix, "short", "two-seconds.mp4", f, fi.Size())
	f.Close()
	waitTaskDone(t, b, doc.Find("[data-testid=task-card]").AttrOr("data-task-id", ""))
	b.upload(ix, "notes", "notes.mp4", bytes.NewReader([]byte("hello")), 5)

	// Carry the session into Chromium.
	ctx := newChromium(t)
	base, _ := url.Parse(app.URL)
	cookie := b.c.Jar.Cookies(base)[0]
	setCookie := `document.cookie = "` + cookie.Name + `=` + cookie.Value + `; path=/"`
	if err := chromedp.Do(ctx, chromedp.Navigate(app.URL+"/healthz")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](setCookie)); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{
		"home": "/", "index": "/indexes/" + ix, "tasks": "/tasks", "settings": "/settings",
		"confirm": "/indexes/" + ix + "/delete",
	}
	for name, path := range pages {
		for _, size := range []struct {
			name string
			w, h int64
			dark bool
		}{{"laptop", 1280, 860, false}, {"phone", 390, 844, false}, {"phone-dark", 390, 844, true}} {
			scheme := "light"
			if size.dark {
				scheme = "dark"
			}
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate(app.URL+path),
				chromedp.WaitVisible(chromedp.CSS("main")),
				chromedp.Sleep(400*time.Millisecond),
			)
			if err != nil {
				t.Fatal(err)
			}
			// Nothing may be wider than the screen.
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
				const w = document.documentElement.clientWidth;
				const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1);
				return wide.slice(0, 3).map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right) + '>' + w).join(' ');
			})()`))
			if err != nil || overflow != "" {
				t.Errorf("%s at %s: wider than the screen: %s %v", path, size.name, overflow, err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, name+"-"+size.name+".png"), png, 0o644)
		}
	}
}
