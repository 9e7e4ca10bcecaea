package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestSearchPaging(t *testing.T) {
	fake := newFakeMarengo(t)
	// 30 matches over the three videos: three pages of 12, 12 and 6.
	fake.clips = nil
	for i := range 30 {
		fake.clips = append(fake.clips, fakeClip{VideoID: []string{"v1", "v2", "v3"}[i%3], Start: float64(i * 5), End: float64(i*5 + 4), Score: 90 - float64(i), Confidence: "medium"})
	}
	app := newSearchApp(t, fake)
	_, doc := app.get(t, "/search?q=train", false)
	var starts []string
	collect := func(d *goquery.Document) {
		d.Find(`[data-testid=result]`).Each(func(_ int, s *goquery.Selection) { starts = append(starts, s.AttrOr("data-start", "")) })
	}
	collect(doc)
	pages := 1
	for {
		more := doc.Find(`[data-testid=more-button]`)
		if more.Length() == 0 {
			break
		}
		if trig := more.AttrOr("hx-trigger", ""); !strings.Contains(trig, "revealed") {
			t.Errorf("the sentinel loads on %q, want it to load when revealed", trig)
		}
		_, doc = app.get(t, more.AttrOr("hx-get", ""), true)
		collect(doc)
		pages++
		if pages > 5 {
			t.Fatal("paging never ends")
		}
	}
	if pages != 3 || len(starts) != 30 {
		t.Fatalf("%d pages with %d results, want 3 pages with all 30", pages, len(starts))
	}
	for i, s := range starts {
		if s != formatSeconds(float64(i*5)) {
			t.Fatalf("result %d starts at %s, want %d: pages out of order or repeated", i, s, i*5)
		}
	}
}

func TestSearchMoreExpired(t *testing.T) {
	fake := newFakeMarengo(t)
	fake.clips = append(fake.clips, fake.clips...)
	fake.clips = append(fake.clips, fake.clips...) // 20 clips: two pages
	app := newSearchApp(t, fake)
	_, doc := app.get(t, "/search?q=train", false)
	moreURL := doc.Find(`[data-testid=more-button]`).AttrOr("hx-get", "")
	if moreURL == "" {
		t.Fatal("no sentinel for the second page")
	}

	t.Run("the API says the token expired", func(t *testing.T) {
		fake.mu.Lock()
		fake.expireTokens = true
		fake.mu.Unlock()
		defer func() { fake.mu.Lock(); fake.expireTokens = false; fake.mu.Unlock() }()
		resp, doc := app.get(t, moreURL, true)
		state := doc.Find(`[data-testid=page-expired]`)
		if resp.StatusCode != 200 || state.Length() == 0 {
			t.Fatalf("status %d, no expired state: %s", resp.StatusCode, doc.Text())
		}
		if href := state.Find("a").AttrOr("href", ""); href != "/search?index="+fakeIndexID+"&q=train" {
			t.Errorf("'search again' goes to %q", href)
		}
	})
	t.Run("page_expires_at has passed", func(t *testing.T) {
		u, _ := url.Parse(moreURL)
		q := u.Query()
		q.Set("exp", strconvItoa(time.Now().Add(-time.Minute).Unix()))
		_, doc := app.get(t, u.Path+"?"+q.Encode(), true)
		if doc.Find(`[data-testid=page-expired]`).Length() == 0 {
			t.Fatalf("no expired state: %s", doc.Text())
		}
	})
	t.Run("the API fails", func(t *testing.T) {
		u, _ := url.Parse(moreURL)
		q := u.Query()
		q.Set("token", "garbage")
		_, doc := app.get(t, u.Path+"?"+q.Encode(), true)
		state := doc.Find(`[data-testid=more-error]`)
		if state.Length() == 0 {
			t.Fatalf("no error state: %s", doc.Text())
		}
		if retry := state.Find("button").AttrOr("hx-get", ""); !strings.Contains(retry, "token=garbage") {
			t.Errorf("'try again' asks %q", retry)
		}
	})
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }
