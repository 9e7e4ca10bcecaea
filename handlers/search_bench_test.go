package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"glimpse/templates"
	"glimpse/tlclient"
)

// BenchmarkSearchResultsFragment measures the server's share of a results
// page: turning a 50-clip API page into cards and rendering the #results
// fragment (the API call and the title lookups excluded).
func BenchmarkSearchResultsFragment(b *testing.B) {
	page := &tlclient.SearchPage{PageInfo: tlclient.SearchPageInfo{
		LimitPerPage: 50, TotalResults: 500, NextPageToken: "next-token-0123456789",
		PageExpiresAt: time.Now().Add(time.Hour),
	}}
	titles := map[string]string{}
	for i := range 50 {
		videoID := fmt.Sprintf("66%022d", i%12)
		score := 90 - float64(i)/2
		page.Data = append(page.Data, tlclient.SearchResult{
			VideoID: videoID, Start: float64(i * 7), End: float64(i*7 + 6), Score: &score, Confidence: "medium",
			ThumbnailURL: fmt.Sprintf("https://project-thumbnails.s3.us-west-2.amazonaws.com/%s/%d.jpeg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=9e991f972f8a1baa647d7460685d99e20c4a27408406a972a4baf173a10b0102", videoID, i*7),
		})
		titles[fakeIndexID+"/"+videoID] = fmt.Sprintf("Evening news, part %d.mp4", i%12)
	}
	q := searchQuery{IndexIDs: []string{fakeIndexID}, Text: "aerial view of a derailed train", Threshold: "medium",
		Filters: []FilterRow{{Key: "duration", Op: "gte", Value: "60"}}}
	s := &Server{Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		items := s.resultItems(q, false, fakeIndexID, page, titles, 0)
		view := &templates.SearchResultsView{Query: describeQuery(q, false), Sections: []templates.ResultSection{{
			IndexID: fakeIndexID, IndexName: "Newsroom", Total: page.PageInfo.TotalResults, Items: items,
			More: moreView(q, false, fakeIndexID, page, len(items)),
		}}}
		if err := templates.SearchResults(view).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
