package handlers

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The watch page opened from a result: the player starts at the clip, the
// range is on the timeline, previous/next walk the search's matches, and
// the video's other moments seek the player.
func TestWatchFromResult(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	_, results := app.get(t, "/search?q=train&threshold=medium", false)
	// The third match: v1 at 1:15, between v2 (second) and v3 (fourth).
	href := results.Find(`[data-testid=result-link]`).Eq(2).AttrOr("href", "")
	resp, doc := app.get(t, href, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	player := doc.Find(`video[data-testid=player]`)
	if src := player.AttrOr("data-src", ""); src != fake.mediaURL("v1/stream.m3u8") {
		t.Errorf("player source = %q", src)
	}
	if player.AttrOr("data-start", "") != "75" || player.AttrOr("data-end", "") != "80" {
		t.Errorf("player starts at %q, ends %q; want 75 and 80", player.AttrOr("data-start", ""), player.AttrOr("data-end", ""))
	}
	if player.AttrOr("poster", "") != fake.mediaURL("v1/poster.jpg") || player.AttrOr("aria-label", "") == "" {
		t.Error("player has no poster or no accessible name")
	}
	// 75 s to 80 s of 160 s.
	clip := doc.Find(`[data-testid=timeline-clip]`)
	if left, width := clip.AttrOr("data-left", ""), clip.AttrOr("data-width", ""); left != "46.875" || width != "3.125" {
		t.Errorf("clip on the timeline at %q%% wide %q%%, want 46.875 and 3.125", left, width)
	}
	if got := texts(doc.Find(`[data-testid=video-title]`)); got[0] != "Derailment report.mp4" {
		t.Errorf("title %q", got[0])
	}
	facts := texts(doc.Find(`[data-testid=video-facts]`))[0]
	for _, want := range []string{"2:40", "20.5 MB", "640×360"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts %q lack %q", facts, want)
		}
	}

	prev, next := doc.Find(`[data-testid=prev-match]`), doc.Find(`[data-testid=next-match]`)
	if !strings.Contains(prev.AttrOr("href", ""), "/videos/v2/watch?") || !strings.Contains(prev.AttrOr("aria-label", ""), "0:40–0:46 in Anchors.mp4") {
		t.Errorf("previous = %q (%q)", prev.AttrOr("href", ""), prev.AttrOr("aria-label", ""))
	}
	if !strings.Contains(next.AttrOr("href", ""), "/videos/v3/watch?") {
		t.Errorf("next = %q", next.AttrOr("href", ""))
	}
	nextURL, _ := url.Parse(next.AttrOr("href", ""))
	if nextURL.Query().Get("q") != "train" || nextURL.Query().Get("threshold") != "medium" || nextURL.Query().Get("t") != "3" {
		t.Errorf("next link loses the query: %v", nextURL.Query())
	}
	if got := texts(doc.Find(`[data-testid=back-to-results]`))[0]; got != "Match 3 of 5 for “train”" {
		t.Errorf("counter %q", got)
	}
	if sent := fake.lastSearch(t); sent.Get("threshold") != "medium" || sent.Get("page_limit") != "50" {
		t.Errorf("the watch page searched %v", sent)
	}

	moments := doc.Find(`[data-testid=moments] [data-seek]`)
	seeks := moments.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-seek", "") })
	if !reflect.DeepEqual(seeks, []string{"12", "75", "120"}) {
		t.Errorf("moments of this video seek to %v", seeks)
	}
	if _, cur := moments.Eq(1).Attr("aria-current"); !cur {
		t.Error("the moment being watched is not marked current")
	}
	others := texts(doc.Find(`[data-testid=other-videos] .result-title`))
	if !reflect.DeepEqual(others, []string{"Anchors.mp4", "Drone footage.mp4"}) {
		t.Errorf("other videos = %v", others)
	}

	analysis := doc.Find(`section#analysis`)
	if analysis.AttrOr("hx-get", "") != "/indexes/"+fakeIndexID+"/videos/v1/analysis" || analysis.AttrOr("hx-trigger", "") != "load" {
		t.Errorf("analysis slot: hx-get=%q hx-trigger=%q", analysis.AttrOr("hx-get", ""), analysis.AttrOr("hx-trigger", ""))
	}
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("alt", "") == "" {
			t.Errorf("image %s has no alt text", s.AttrOr("src", ""))
		}
	})
}

func TestWatchWithoutStream(t *testing.T) {
	tests := []struct {
		name     string
		hls      map[string]any // nil: no hls block at all
		wantText string
		poster   bool
	}{
		{"indexed without a stream", nil, "enable_video_stream was off", false},
		{"stream still processing", map[string]any{"video_url": "", "thumbnail_urls": []string{"https://media.example.test/p.jpg"}, "status": "PROCESSING"},
			"still being prepared", true},
		{"stream failed", map[string]any{"video_url": "", "thumbnail_urls": []string{}, "status": "ERROR"}, "couldn't be built", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeMarengo(t)
			if tt.hls == nil {
				delete(fake.videos["v2"], "hls")
			} else {
				fake.videos["v2"]["hls"] = tt.hls
			}
			app := newSearchApp(t, fake)
			resp, doc := app.get(t, "/indexes/"+fakeIndexID+"/videos/v2/watch?t=40", false)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if doc.Find("video").Length() != 0 {
				t.Error("a player is shown for a video that can't play")
			}
			box := doc.Find(`[data-testid=no-stream]`)
			if got := texts(box); len(got) == 0 || !strings.Contains(got[0], tt.wantText) {
				t.Errorf("message %v, want %q", got, tt.wantText)
			}
			img := box.Find("img")
			if tt.poster && (img.Length() != 1 || img.AttrOr("alt", "") == "") {
				t.Error("no poster with alt text")
			}
			if !tt.poster && box.Find(`.thumb-placeholder[role=img][aria-label]`).Length() != 1 {
				t.Error("no labelled placeholder in place of the poster")
			}
		})
	}
}

func TestWatchErrors(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)

	resp, doc := app.get(t, "/indexes/"+fakeIndexID+"/videos/gone/watch", false)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(doc.Find(`[data-testid=error-message]`).Text(), "isn't in the index") {
		t.Errorf("missing video: %d %q", resp.StatusCode, doc.Find(`[data-testid=error-message]`).Text())
	}

	// The search for other matches fails: the video still plays.
	fake.failSearch, fake.failSearchCode = 500, "internal_error"
	resp, doc = app.get(t, "/indexes/"+fakeIndexID+"/videos/v1/watch?t=12&end=18.5&q=train", false)
	if resp.StatusCode != http.StatusOK || doc.Find(`video[data-testid=player]`).Length() != 1 {
		t.Fatalf("status %d, player %d", resp.StatusCode, doc.Find("video").Length())
	}
	if doc.Find(`[data-testid=matches-error]`).Length() != 1 {
		t.Error("no note that the other matches failed")
	}

	// Nonsense times don't break the page; they start at 0.
	fake.failSearch = 0
	_, doc = app.get(t, "/indexes/"+fakeIndexID+"/videos/v1/watch?t=abc&end=-3", false)
	if got := doc.Find("video").AttrOr("data-start", ""); got != "0" {
		t.Errorf("start %q, want 0", got)
	}
	if doc.Find(`[data-testid=timeline-clip]`).Length() != 0 {
		t.Error("a clip is marked without a valid range")
	}
}

func TestWatchEditMetadata(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	_, doc := app.get(t, "/indexes/"+fakeIndexID+"/videos/v1/watch", false)
	form := doc.Find(`[data-testid=metadata] form`)
	patchURL := form.AttrOr("hx-patch", "")
	if patchURL != "/indexes/"+fakeIndexID+"/videos/v1/metadata" {
		t.Fatalf("form patches %q", patchURL)
	}
	rows := doc.Find(`[data-testid=metadata] input[name=mv][id]`).Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("id", "") + "=" + s.AttrOr("value", "")
	})
	if !reflect.DeepEqual(rows, []string{"meta-batch=5", "meta-topic=news"}) {
		t.Errorf("metadata rows %v", rows)
	}

	tests := []struct {
		name      string
		form      url.Values
		wantPatch map[string]any // nil: the API is not called
		wantTest  string
		wantText  string
	}{
		{"change, add and remove",
			url.Values{"mk": {"batch", "topic", "reviewed"}, "mv": {"5", "weather", "true"}, "del": {"batch"}},
			map[string]any{"batch": nil, "topic": "weather", "reviewed": true}, "metadata-notice", "Saved."},
		{"nothing changed", url.Values{"mk": {"topic", ""}, "mv": {"weather", ""}}, nil, "metadata-notice", "Nothing changed."},
		{"value without a name", url.Values{"mk": {""}, "mv": {"orphan"}}, nil, "metadata-error", "needs a name"},
		{"bad name", url.Values{"mk": {"a b"}, "mv": {"x"}}, nil, "metadata-error", "can't be a metadata name"},
		{"emptied value", url.Values{"mk": {"topic"}, "mv": {""}}, nil, "metadata-error", "tick “remove”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.mu.Lock()
			before := len(fake.patches)
			fake.mu.Unlock()
			req, _ := http.NewRequest(http.MethodPatch, app.http.URL+patchURL, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			resp, doc := app.do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			fake.mu.Lock()
			patches := fake.patches[before:]
			fake.mu.Unlock()
			if tt.wantPatch == nil && len(patches) != 0 {
				t.Errorf("the API was sent %v", patches)
			}
			if tt.wantPatch != nil && (len(patches) != 1 || !reflect.DeepEqual(patches[0], tt.wantPatch)) {
				t.Errorf("PATCH sent %v, want %v", patches, tt.wantPatch)
			}
			if got := texts(doc.Find(`[data-testid=` + tt.wantTest + `]`)); len(got) == 0 || !strings.Contains(got[0], tt.wantText) {
				t.Errorf("%s = %v, want %q", tt.wantTest, got, tt.wantText)
			}
		})
	}
	// The panel shows what the API now holds.
	_, doc = app.get(t, "/indexes/"+fakeIndexID+"/videos/v1/watch", false)
	rows = doc.Find(`[data-testid=metadata] input[name=mv][id]`).Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("id", "") + "=" + s.AttrOr("value", "")
	})
	if !reflect.DeepEqual(rows, []string{"meta-reviewed=true", "meta-topic=weather"}) {
		t.Errorf("after saving: %v", rows)
	}

	// Without the CSRF token the edit is refused.
	req, _ := http.NewRequest(http.MethodPatch, app.http.URL+patchURL, strings.NewReader("mk=x&mv=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := app.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("PATCH without CSRF token: %d, want 403", resp.StatusCode)
	}
}

// A metadata form the app refuses comes back with what the person typed,
// so a typo costs one correction, not the whole edit.
func TestWatchMetadataErrorKeepsEdits(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	patchURL := "/indexes/" + fakeIndexID + "/videos/v1/metadata"
	tests := []struct {
		name        string
		form        url.Values
		wantRows    []string // id=value of the existing rows' inputs
		wantNew     string   // name=value of the new row's inputs
		wantRemoved []string // ticked "remove" boxes
	}{
		{"bad new name after edits",
			url.Values{"mk": {"batch", "topic", "a b"}, "mv": {"6", "weather", "x"}},
			[]string{"meta-batch=6", "meta-topic=weather"}, "a b=x", nil},
		{"emptied value with a removal ticked",
			url.Values{"mk": {"batch", "topic", ""}, "mv": {"5", "", ""}, "del": {"batch"}},
			[]string{"meta-batch=5", "meta-topic="}, "=", []string{"batch"}},
		{"value without a name",
			url.Values{"mk": {"batch", "topic", ""}, "mv": {"5", "news", "orphan"}},
			[]string{"meta-batch=5", "meta-topic=news"}, "=orphan", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPatch, app.http.URL+patchURL, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			_, doc := app.do(t, req)
			if doc.Find(`[data-testid=metadata-error]`).Length() == 0 {
				t.Fatal("no error shown")
			}
			rows := doc.Find(`[data-testid=metadata] input[name=mv][id]`).Map(func(_ int, s *goquery.Selection) string {
				return s.AttrOr("id", "") + "=" + s.AttrOr("value", "")
			})
			if !reflect.DeepEqual(rows, tt.wantRows) {
				t.Errorf("rows %v, want %v", rows, tt.wantRows)
			}
			newRow := doc.Find(`[data-testid=metadata] .meta-new`)
			gotNew := newRow.Find(`input[name=mk]`).AttrOr("value", "") + "=" + newRow.Find(`input[name=mv]`).AttrOr("value", "")
			if gotNew != tt.wantNew {
				t.Errorf("new row %q, want %q", gotNew, tt.wantNew)
			}
			removed := doc.Find(`[data-testid=metadata] input[name=del][checked]`).Map(func(_ int, s *goquery.Selection) string {
				return s.AttrOr("value", "")
			})
			if len(removed) == 0 {
				removed = nil
			}
			if !reflect.DeepEqual(removed, tt.wantRemoved) {
				t.Errorf("ticked %v, want %v", removed, tt.wantRemoved)
			}
		})
	}
}
