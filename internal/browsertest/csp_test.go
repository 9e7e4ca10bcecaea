package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The reporter must see what a policy blocks, or the browser suites'
// "no violations" would prove nothing.
func TestWatchCSPSeesBlockedInlineCode(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make test` (scripts/deps.sh installs it)")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'self'; style-src 'self'")
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!DOCTYPE html><p style="color:red">x</p><script>document.title="ran"</script>`)
	}))
	defer srv.Close()
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), chromedp.ExecPath(bin), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()))
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	seen, err := WatchCSP(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = seen(); len(got) >= 2 {
			break
		}
	}
	joined := strings.Join(got, "\n")
	if !strings.Contains(joined, "script-src") || !strings.Contains(joined, "style-src") {
		t.Errorf("violations seen: %q; want the inline script and the style attribute", got)
	}
}
