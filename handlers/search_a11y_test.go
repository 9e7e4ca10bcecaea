package handlers

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// checkAccessible fails when a control has no accessible name or an image
// no alt text: what a screen reader would announce as nothing.
func checkAccessible(t *testing.T, doc *goquery.Document) {
	t.Helper()
	labelled := map[string]bool{}
	doc.Find("label[for]").Each(func(_ int, s *goquery.Selection) { labelled[s.AttrOr("for", "")] = true })
	doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("type", "") == "hidden" || s.ParentsFiltered("template").Length() > 0 {
			return
		}
		if s.AttrOr("aria-label", "") != "" || labelled[s.AttrOr("id", "-")] || s.ParentsFiltered("label").Length() > 0 {
			return
		}
		html, _ := goquery.OuterHtml(s)
		t.Errorf("control without a label: %s", html)
	})
	doc.Find("button, a[href]").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) == "" && s.AttrOr("aria-label", "") == "" {
			html, _ := goquery.OuterHtml(s)
			t.Errorf("control without a name: %s", html)
		}
	})
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.AttrOr("alt", "")) == "" {
			html, _ := goquery.OuterHtml(s)
			t.Errorf("image without alt text: %s", html)
		}
	})
}

func TestSearchAndWatchPagesAreAccessible(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	for _, path := range []string{
		"/search",
		"/search?q=train&group=video&fk=topic&fv=news",
		"/search?q=nothing+like+this",
		"/indexes/" + fakeIndexID + "/videos/v1/watch?t=75&end=80&q=train",
	} {
		t.Run(path, func(t *testing.T) {
			_, doc := app.get(t, path, false)
			checkAccessible(t, doc)
		})
	}
}
