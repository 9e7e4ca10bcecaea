package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestSearchQueryRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		query string // as a person's browser would send it
		want  string // the canonical URL the page pushes
	}{
		{"text only", "q=train+derailment", "/search?q=train+derailment"},
		{"a plain form submission, defaults left out", "q=smoke&image=&image_url=&opt=visual&opt=audio&op=or&group=clip&threshold=&fk=&fo=eq&fv=", "/search?q=smoke"},
		{"every option", "q=anchor&index=a&index=b&opt=audio&op=and&group=video&threshold=high",
			"/search?group=video&index=a&index=b&op=and&opt=audio&q=anchor&threshold=high"},
		{"filters keep their order", "q=x&fk=duration&fo=gte&fv=60&fk=topic&fo=eq&fv=news&fk=&fo=eq&fv=",
			"/search?fk=duration&fk=topic&fo=gte&fo=eq&fv=60&fv=news&q=x"},
		{"image URL", "image_url=https%3A%2F%2Fexample.com%2Fa.png", "/search?image_url=https%3A%2F%2Fexample.com%2Fa.png"},
		{"unicode text", "q=%C3%A9t%C3%A9+%E2%80%94+%E6%97%A5", "/search?q=%C3%A9t%C3%A9+%E2%80%94+%E6%97%A5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			q, err := parseSearchQuery(v)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.query, err)
			}
			if got := q.URL(); got != tt.want {
				t.Fatalf("URL = %s, want %s", got, tt.want)
			}
			u, _ := url.Parse(q.URL())
			again, err := parseSearchQuery(u.Query())
			if err != nil || !reflect.DeepEqual(again, q) {
				t.Fatalf("reading the URL back gives %+v (%v), want %+v", again, err, q)
			}
		})
	}
}

func TestSearchQueryRejectsUnknownValues(t *testing.T) {
	tests := []struct{ query, wantErr string }{
		{"q=x&opt=smell", "Unknown search option"},
		{"q=x&op=xor", "Unknown operator"},
		{"q=x&group=year", "Unknown grouping"},
		{"q=x&threshold=max", "Unknown threshold"},
		{"image_url=javascript:alert(1)", "full http(s) address"},
		{"q=x&index=a&index=b&index=c&index=d&index=e&index=f&index=g&index=h&index=i&index=j&index=k", "at most 10 indexes"},
	}
	for _, tt := range tests {
		v, _ := url.ParseQuery(tt.query)
		_, err := parseSearchQuery(v)
		if _, msg := classify(err); err == nil || !strings.Contains(msg, tt.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tt.query, err, tt.wantErr)
		}
	}
}

// The page at a shared URL shows the same search: the form filled in, the
// API asked the same thing, and every result links to the watch page with
// the query so previous/next work there.
func TestSearchPageFromURL(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	path := "/search?q=train+derailment&opt=visual&group=clip&threshold=medium&fk=duration&fo=gte&fv=60&fk=topic&fo=eq&fv=news"
	resp, doc := app.get(t, path, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}

	sent := fake.lastSearch(t)
	if got := sent.Get("query_text"); got != "train derailment" {
		t.Errorf("query_text = %q", got)
	}
	if got := sent["search_options"]; !reflect.DeepEqual(got, []string{"visual"}) {
		t.Errorf("search_options = %v, want [visual]", got)
	}
	if got := sent.Get("threshold"); got != "medium" {
		t.Errorf("threshold = %q", got)
	}
	if got := sent.Get("index_id"); got != fakeIndexID {
		t.Errorf("index_id = %q, want the only index %s", got, fakeIndexID)
	}
	var filter map[string]any
	json.Unmarshal([]byte(sent.Get("filter")), &filter)
	if want := map[string]any{"duration": map[string]any{"gte": 60.0}, "topic": "news"}; !reflect.DeepEqual(filter, want) {
		t.Errorf("filter = %v, want %v", filter, want)
	}

	// The form shows the query back.
	if v, _ := doc.Find("#q").Attr("value"); v != "train derailment" {
		t.Errorf("text box = %q", v)
	}
	if _, checked := doc.Find(`input[name=opt][value=audio]`).Attr("checked"); checked {
		t.Error("audio is checked though the URL asked for visual only")
	}
	if v, _ := doc.Find(`#threshold option[selected]`).Attr("value"); v != "medium" {
		t.Errorf("threshold shows %q", v)
	}
	keys := doc.Find(`#filter-rows input[name=fk]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("value", "") })
	if !reflect.DeepEqual(keys, []string{"duration", "topic", ""}) {
		t.Errorf("filter rows = %v, want duration, topic and an empty one", keys)
	}
	if _, open := doc.Find("details.options").Attr("open"); !open {
		t.Error("options are folded away although the search uses them")
	}

	// The results.
	cards := doc.Find(`[data-testid=result]`)
	if cards.Length() != len(fake.clips) {
		t.Fatalf("%d cards, want %d", cards.Length(), len(fake.clips))
	}
	first := cards.First()
	if got := texts(first.Find(`[data-testid=result-title]`)); got[0] != "Derailment report.mp4" {
		t.Errorf("title = %q, want the video's file name", got[0])
	}
	if got := texts(first.Find(`[data-testid=result-range]`)); got[0] != "0:12–0:18" {
		t.Errorf("range = %q", got[0])
	}
	if got := texts(first.Find(`[data-testid=result-strength]`)); !strings.Contains(got[0], "high · 83.41") {
		t.Errorf("strength = %q", got[0])
	}
	if alt := first.Find("img").AttrOr("alt", ""); !strings.Contains(alt, "Derailment report.mp4") {
		t.Errorf("thumbnail alt = %q", alt)
	}
	href, _ := first.Find(`[data-testid=result-link]`).Attr("href")
	u, _ := url.Parse(href)
	if u.Path != "/indexes/"+fakeIndexID+"/videos/v1/watch" {
		t.Errorf("watch link path = %s", u.Path)
	}
	wq := u.Query()
	if wq.Get("t") != "12" || wq.Get("end") != "18.5" || wq.Get("q") != "train derailment" || wq.Get("threshold") != "medium" {
		t.Errorf("watch link query = %v", wq)
	}
	if doc.Find(`[data-testid=more]`).Length() != 0 {
		t.Error("a 'more' sentinel although the API has no next page")
	}
	if got := texts(doc.Find(`[data-testid=results-summary]`))[0]; got != "Moments matching “train derailment” · 5 found" {
		t.Errorf("summary %q", got)
	}
}

// Submitting the form with htmx posts it; the app answers with the results
// and pushes the canonical GET URL, which repeats the same search.
func TestSearchPostPushesShareableURL(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	body, ctype := multipartForm(t, url.Values{
		"q": {"smoke"}, "index": {fakeIndexID}, "opt": {"visual", "audio"}, "op": {"or"},
		"group": {"video"}, "threshold": {""}, "fk": {""}, "fo": {"eq"}, "fv": {""},
	}, nil)
	req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/search", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "results")
	resp, doc := app.do(t, req)
	pushed := resp.Header.Get("HX-Push-Url")
	if pushed != "/search?group=video&index="+fakeIndexID+"&q=smoke" {
		t.Fatalf("HX-Push-Url = %q", pushed)
	}
	if doc.Find("form").Length() != 0 {
		t.Error("the htmx answer is a whole page, want the results fragment")
	}
	grouped := texts(doc.Find(`[data-testid=result] [data-testid=result-title]`))
	if !reflect.DeepEqual(grouped, []string{"Derailment report.mp4", "Anchors.mp4", "Drone footage.mp4"}) {
		t.Errorf("grouped by video: %v", grouped)
	}
	chips := texts(doc.Find(`[data-testid=result]`).First().Find(".clip-chips a"))
	if !reflect.DeepEqual(chips, []string{"0:12–0:18", "1:15–1:20", "2:00–2:06"}) {
		t.Errorf("moments of the first video = %v", chips)
	}

	// The pushed URL, opened later, searches the same way.
	before := fake.lastSearch(t)
	_, doc2 := app.get(t, pushed, false)
	after := fake.lastSearch(t)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the pushed URL searched %v, the form %v", after, before)
	}
	if doc2.Find(`[data-testid=result]`).Length() != 3 {
		t.Error("the pushed URL doesn't show the same results")
	}

	// Going back to a URL htmx no longer holds asks for the whole page.
	req, _ = http.NewRequest(http.MethodGet, app.http.URL+pushed, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-History-Restore-Request", "true")
	_, restored := app.do(t, req)
	if restored.Find("form#search-form").Length() != 1 || restored.Find(`[data-testid=result]`).Length() != 3 {
		t.Error("a history restore didn't get the whole page with its results")
	}

	// Without JavaScript a text search redirects to its URL.
	body, ctype = multipartForm(t, url.Values{"q": {"smoke"}, "index": {fakeIndexID}}, nil)
	req, _ = http.NewRequest(http.MethodPost, app.http.URL+"/search", body)
	req.Header.Set("Content-Type", ctype)
	resp, _ = app.do(t, req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search?index="+fakeIndexID+"&q=smoke" {
		t.Errorf("plain POST: %d to %q, want 303 to the search URL", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSearchErrorStates(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(f *fakeMarengo)
		path       string
		wantStatus int // of the full page; htmx always gets 200 and the state
		wantTestID string
		wantText   string
		wantCalls  int // searches that reached the API
	}{
		{name: "no results", path: "/search?q=nothing+like+this", wantStatus: 200,
			wantTestID: "no-results", wantText: "Nothing matched “nothing like this”", wantCalls: 1},
		{name: "API down", setup: func(f *fakeMarengo) { f.failSearch, f.failSearchCode = 500, "internal_error" },
			path: "/search?q=train", wantStatus: 502, wantTestID: "search-error", wantText: "failed to answer", wantCalls: 1},
		{name: "API refuses the filter", setup: func(f *fakeMarengo) { f.failSearch, f.failSearchCode = 400, "search_filter_invalid" },
			path: "/search?q=train&fk=topic&fv=x", wantStatus: 400, wantTestID: "search-error", wantText: "The search service is unavailable.", wantCalls: 1},
		{name: "unknown index", path: "/search?q=train&index=nope", wantStatus: 404,
			wantTestID: "search-error", wantText: "The index does not exist.", wantCalls: 1},
		{name: "bad filter never reaches the API", path: "/search?q=train&fk=duration&fo=gte&fv=soon", wantStatus: 400,
			wantTestID: "search-error", wantText: "needs a number of seconds", wantCalls: 0},
		{name: "bad option", path: "/search?q=train&opt=smell", wantStatus: 400,
			wantTestID: "search-error", wantText: "Unknown search option", wantCalls: 0},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: "/page", true: "/htmx"}[htmx], func(t *testing.T) {
				fake := newFakeMarengo(t)
				if tt.setup != nil {
					tt.setup(fake)
				}
				app := newSearchApp(t, fake)
				resp, doc := app.get(t, tt.path, htmx)
				want := tt.wantStatus
				if htmx {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Errorf("status %d, want %d", resp.StatusCode, want)
				}
				state := doc.Find(`[data-testid=` + tt.wantTestID + `]`)
				if state.Length() == 0 {
					t.Fatalf("no %s state in %s", tt.wantTestID, doc.Text())
				}
				if got := texts(state)[0]; !strings.Contains(got, tt.wantText) {
					t.Errorf("state says %q, want %q", got, tt.wantText)
				}
				if got := fake.searchCount(); got != tt.wantCalls {
					t.Errorf("%d searches reached the API, want %d", got, tt.wantCalls)
				}
				if doc.Find(`[data-testid=result]`).Length() != 0 {
					t.Error("result cards shown beside an error state")
				}
			})
		}
	}
}

// Searching several indexes shows each under its name; one that fails says
// so beside the others' results.
func TestSearchSeveralIndexes(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	resp, doc := app.get(t, "/search?q=train&index="+fakeIndexID+"&index=6650ffffffffffffffffffff", false)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200 when one index answered", resp.StatusCode)
	}
	sections := doc.Find(".result-section")
	if sections.Length() != 2 {
		t.Fatalf("%d sections, want one per index", sections.Length())
	}
	if got := texts(sections.Eq(0).Find("h2")); len(got) != 1 || got[0] != "Newsroom" {
		t.Errorf("first section heading %v", got)
	}
	if n := sections.Eq(0).Find(`[data-testid=result]`).Length(); n != len(fake.clips) {
		t.Errorf("first index shows %d results", n)
	}
	if got := texts(sections.Eq(1).Find(`[data-testid=search-error]`)); len(got) != 1 || !strings.Contains(got[0], "The index does not exist.") {
		t.Errorf("second index: %v", got)
	}
	checked := doc.Find(`input[name=index][checked]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("value", "") })
	if !reflect.DeepEqual(checked, []string{fakeIndexID, "6650ffffffffffffffffffff"}) {
		t.Errorf("checked indexes %v", checked)
	}
}

func TestSearchRankResults(t *testing.T) {
	fake := newFakeMarengo(t)
	fake.rank = true
	app := newSearchApp(t, fake)
	_, doc := app.get(t, "/search?q=train", false)
	got := texts(doc.Find(`[data-testid=result-strength]`))
	if len(got) != len(fake.clips) || !strings.HasPrefix(got[0], "#1") || !strings.Contains(got[0], "Match rank 1") {
		t.Errorf("rank badges = %v", got)
	}
}

// The local engine says why each result matched (x_glimpse_match): the
// card shows the quoted words and where they were found. Results without
// the field, as the cloud gives them, show nothing extra.
func TestSearchCardShowsWhyItMatched(t *testing.T) {
	fake := newFakeMarengo(t)
	fake.why = map[string][]map[string]any{
		"v1@12": {{"source": "speech", "words": []string{"train", "derailed"}, "quote": "… the train derailed near the town …"}},
		"v2@40": {
			{"source": "on_screen_text", "words": []string{"TRAIN"}, "quote": "TOXIC TRAIN FALLOUT"},
			{"source": "speech", "words": []string{"train"}, "quote": "a freight train", "unsure": true},
		},
		"v3@3": {{"source": "visual"}},
	}
	app := newSearchApp(t, fake)
	_, doc := app.get(t, "/search?q=train", false)
	cards := doc.Find(`[data-testid=result]`)
	if cards.Length() != len(fake.clips) {
		t.Fatalf("%d cards, want %d", cards.Length(), len(fake.clips))
	}
	want := []string{
		"heard “… the train derailed near the town …”",
		"on screen “TOXIC TRAIN FALLOUT” heard “a freight train” (unclear)",
		"",
		"in the picture looks like what you searched for",
		"",
	}
	for i := range want {
		why := cards.Eq(i).Find(`[data-testid=result-why]`)
		got := strings.Join(strings.Fields(why.Text()), " ")
		// <q> renders its quotation marks in CSS; the text is bare.
		want := strings.NewReplacer("“", "", "”", "").Replace(want[i])
		if got != want {
			t.Errorf("card %d says why %q, want %q", i+1, got, want)
		}
		if want == "" && why.Length() != 0 {
			t.Errorf("card %d without x_glimpse_match has a why list", i+1)
		}
	}
}

func TestSearchThumbnailRefresh(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	resp, _ := app.get(t, "/indexes/"+fakeIndexID+"/videos/v2/thumbnail", false)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != fake.mediaURL("v2/poster.jpg") {
		t.Errorf("refresh: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = app.get(t, "/indexes/"+fakeIndexID+"/videos/missing/thumbnail", false)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing video's thumbnail: %d, want 404 (the page then shows a placeholder)", resp.StatusCode)
	}
}

// FuzzSearchQuery: any query string either reads as a search whose URL reads
// back the same, or is refused with a message for the person.
func FuzzSearchQuery(f *testing.F) {
	f.Add("q=train&opt=visual&fk=duration&fo=gte&fv=60")
	f.Add("index=a&index=b&group=video&threshold=none&image_url=https://x.test/a.png")
	f.Add("fk=&fv=x&fo=lt&op=xor")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseSearchQuery(v)
		if err != nil {
			if status, _ := classify(err); status != http.StatusBadRequest {
				t.Fatalf("status %d for %q: %v", status, raw, err)
			}
			return
		}
		u, err := url.Parse(q.URL())
		if err != nil {
			t.Fatalf("URL %q doesn't parse: %v", q.URL(), err)
		}
		again, err := parseSearchQuery(u.Query())
		if err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("%q: read back %+v (%v), want %+v", raw, again, err, q)
		}
	})
}
