package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"glimpse/analysisstore"
)

func TestAnalysisPanelIsKeptAcrossReloads(t *testing.T) {
	fake := newFakePegasus(t)
	dir := t.TempDir()
	store, _ := analysisstore.New(dir)
	app := newAnalysisApp(t, fake, store)

	// Nothing kept yet: a placeholder that asks for the analysis at once.
	resp, body := app.do(t, "GET", panelPath, "alice", nil)
	pending := parseHTML(t, body).Find(`[data-testid=analysis-pending]`)
	if resp.StatusCode != 200 || pending.AttrOr("hx-trigger", "") != "load" {
		t.Fatalf("GET panel = %d: %s", resp.StatusCode, body)
	}
	if fake.gists.Load() != 0 || fake.sums.Load() != 0 {
		t.Fatal("the placeholder asked the API")
	}
	resp, body = app.do(t, "GET", pending.AttrOr("hx-get", ""), "alice", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d: %s", pending.AttrOr("hx-get", ""), resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if got := doc.Find(`[data-testid=gist-title]`).Text(); got != "Train derailment in East Palestine" {
		t.Errorf("title = %q", got)
	}
	if got := doc.Find(`[data-testid=topics] li`).Text(); got != "Ohio train derailment" {
		t.Errorf("topics = %q", got)
	}
	if got := doc.Find(`[data-testid=hashtags] li`).Length(); got != 2 {
		t.Errorf("%d hashtags, want 2", got)
	}
	var seeks []string
	doc.Find(`[data-testid=chapter] [data-seek]`).Each(func(_ int, s *goquery.Selection) {
		seeks = append(seeks, s.AttrOr("data-seek", "")+" "+strings.Join(strings.Fields(s.Text()), " "))
	})
	if want := []string{"0 0:00–0:42 Anchors", "42.5 0:42–2:40 Aerial view"}; strings.Join(seeks, "|") != strings.Join(want, "|") {
		t.Errorf("chapters = %q, want %q", seeks, want)
	}
	if got := doc.Find(`[data-testid=highlight] [data-seek]`).AttrOr("data-seek", ""); got != "75" {
		t.Errorf("highlight data-seek = %q, want 75", got)
	}
	summary := doc.Find(`[data-testid=summary]`)
	if summary.Find("script").Length() != 0 || strings.Contains(body, "alert(1)</script>") {
		t.Errorf("model HTML reached the page: %s", body)
	}
	if summary.Find("strong").Text() != "derailment" || summary.Find(`a[data-seek="65"]`).Text() != "1:05" {
		t.Errorf("summary Markdown not rendered as expected: %s", must(summary.Html()))
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("first load made %d gist and %d summarize calls, want 1 and 3", fake.gists.Load(), fake.sums.Load())
	}

	// A reload, and a restarted app over the same data directory, ask nothing.
	_, again := app.do(t, "GET", panelPath, "bob", nil)
	store2, _ := analysisstore.New(dir)
	app2 := newAnalysisApp(t, fake, store2)
	_, restarted := app2.do(t, "GET", panelPath, "alice", nil)
	for _, b := range []string{again, restarted} {
		if parseHTML(t, b).Find(`[data-testid=gist-title]`).Text() != "Train derailment in East Palestine" {
			t.Errorf("kept panel lacks the title: %s", b)
		}
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("reloads made %d gist and %d summarize calls in all, want still 1 and 3", fake.gists.Load(), fake.sums.Load())
	}

	// "Ask afresh" asks again.
	resp, body = app.do(t, "POST", panelPath, "alice", url.Values{})
	if resp.StatusCode != 200 || parseHTML(t, body).Find(`[data-testid=chapter]`).Length() != 2 {
		t.Fatalf("regenerate = %d: %s", resp.StatusCode, body)
	}
	if fake.gists.Load() != 2 || fake.sums.Load() != 6 {
		t.Fatalf("regenerate made %d gist and %d summarize calls in all, want 2 and 6", fake.gists.Load(), fake.sums.Load())
	}
}

func TestAnalysisPanelErrorIsShownAndNotKept(t *testing.T) {
	fake := newFakePegasus(t)
	fake.failGi.Store(true)
	app := newAnalysisApp(t, fake, newTestStore(t))

	resp, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET panel = %d: %s", resp.StatusCode, body)
	}
	msg := parseHTML(t, body).Find(`[data-testid=analysis-error]`).Text()
	if !strings.Contains(msg, "The video does not exist.") {
		t.Fatalf("error = %q, want the API's message", msg)
	}
	if strings.Contains(body, "test-key") {
		t.Fatal("the API key reached the page")
	}
	fake.failGi.Store(false)
	_, body = app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if parseHTML(t, body).Find(`[data-testid=gist-title]`).Length() != 1 {
		t.Fatalf("after the API recovered the panel still fails: %s", body)
	}
	if fake.gists.Load() != 2 {
		t.Fatalf("gist asked %d times, want 2: a failure must not be kept", fake.gists.Load())
	}
}

func TestConcurrentViewsGenerateOnce(t *testing.T) {
	fake := newFakePegasus(t)
	fake.gistGate = make(chan struct{})
	app := newAnalysisApp(t, fake, newTestStore(t))

	// Two tabs open the watch page while the first generation runs.
	bodies := make(chan string, 2)
	for _, who := range []string{"alice", "bob"} {
		go func() {
			_, body := app.do(t, "GET", panelPath+"?generate=1", who, nil)
			bodies <- body
		}()
	}
	deadline := time.Now().Add(waitLimit)
	for fake.gists.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Give the second request the time to ask too, were it going to.
	time.Sleep(200 * time.Millisecond)
	close(fake.gistGate)
	for range 2 {
		body := <-bodies
		if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() != "Train derailment in East Palestine" {
			t.Fatalf("a view got %s", body)
		}
	}
	if fake.gists.Load() != 1 || fake.sums.Load() != 3 {
		t.Fatalf("two views made %d gist and %d summarize calls, want 1 and 3", fake.gists.Load(), fake.sums.Load())
	}
}

func TestAnalysisGenerationStaysWithItsAccount(t *testing.T) {
	ownCloud, sharedCloud := newFakePegasus(t), newFakePegasus(t)
	ownCloud.gistGate = make(chan struct{})
	app := newAnalysisApp(t, ownCloud, newTestStore(t))
	app.srv.Backends = keyedBackends{
		own:    Backend{Name: "TwelveLabs cloud", Client: ownCloud.client()},
		shared: Backend{Name: "Local engine", Client: sharedCloud.client()},
	}
	alice := &http.Request{Header: http.Header{"Cookie": {"sid=alice"}}}
	app.srv.Sessions.Get(alice).APIKey = "tlk_alice_own_key"

	// Alice, on her own key, starts generating; it waits on her cloud.
	aliceBody := make(chan string, 1)
	go func() {
		_, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
		aliceBody <- body
	}()
	deadline := time.Now().Add(waitLimit)
	for ownCloud.gists.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Bob has no key: his panel must come from his backend, not join
	// Alice's generation on her account.
	bobBody := make(chan string, 1)
	go func() {
		_, body := app.do(t, "GET", panelPath+"?generate=1", "bob", nil)
		bobBody <- body
	}()
	select {
	case body := <-bobBody:
		if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() == "" {
			t.Errorf("bob's panel has no gist title: %s", body)
		}
	case <-time.After(waitLimit):
		t.Error("bob's panel waited for alice's generation on her account")
	}
	close(ownCloud.gistGate)
	<-aliceBody
	if got := sharedCloud.gists.Load(); got != 1 {
		t.Errorf("bob's backend got %d gist calls, want 1", got)
	}
	if got := ownCloud.gists.Load(); got != 1 {
		t.Errorf("alice's backend got %d gist calls, want 1", got)
	}
}

func TestKeptAnalysisStaysWithItsAccount(t *testing.T) {
	ownCloud, sharedCloud := newFakePegasus(t), newFakePegasus(t)
	app := newAnalysisApp(t, ownCloud, newTestStore(t))
	app.srv.Backends = keyedBackends{
		own:    Backend{Name: "TwelveLabs cloud", Client: ownCloud.client()},
		shared: Backend{Name: "Local engine", Client: sharedCloud.client()},
	}
	alice := &http.Request{Header: http.Header{"Cookie": {"sid=alice"}}}
	app.srv.Sessions.Get(alice).APIKey = "tlk_alice_own_key"

	_, body := app.do(t, "GET", panelPath+"?generate=1", "alice", nil)
	if parseHTML(t, body).Find(`[data-testid=gist-title]`).Text() == "" {
		t.Fatalf("alice's panel has no gist title: %s", body)
	}
	tests := []struct {
		session     string
		wantPending bool
	}{
		{"alice", false}, // her own, kept
		{"bob", true},    // another account: never handed alice's analysis
	}
	for _, tt := range tests {
		_, body := app.do(t, "GET", panelPath, tt.session, nil)
		doc := parseHTML(t, body)
		if pending := doc.Find(`[data-testid=analysis-pending]`).Length() > 0; pending != tt.wantPending {
			t.Errorf("%s: pending = %v, want %v: %s", tt.session, pending, tt.wantPending, body)
		}
	}
	if sharedCloud.gists.Load() != 0 || ownCloud.gists.Load() != 1 {
		t.Errorf("gist calls: own %d, shared %d; want 1 and 0", ownCloud.gists.Load(), sharedCloud.gists.Load())
	}
}
