// Result cards: one API page turned into cards, the next page, the videos' titles.

package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// resultItems turns one API page into cards, followed by the "more" sentinel
// when the API has a next page.
func (s *Server) resultItems(q searchQuery, imageFile bool, indexID string, page *tlclient.SearchPage, titles map[string]string, offset int) []templates.ResultCard {
	watchQuery := q.watchValues()
	if imageFile {
		// The watch page can't repeat an uploaded image's search.
		watchQuery = url.Values{}
	}
	cards := make([]templates.ResultCard, 0, len(page.Data))
	for i, r := range page.Data {
		videoID := resultVideoID(r)
		card := templates.ResultCard{
			Position: offset + i + 1,
			VideoID:  videoID,
			Title:    titleFor(titles, indexID, videoID),
		}
		best := r
		if len(r.Clips) > 0 && r.Start == 0 && r.End == 0 {
			best = r.Clips[0]
		}
		card.Clip = clipView(indexID, videoID, best, watchQuery)
		if card.Clip.ThumbnailURL == "" && r.ThumbnailURL != "" {
			card.Clip.ThumbnailURL = r.ThumbnailURL
		}
		if q.GroupBy == "video" {
			for _, clip := range r.Clips {
				card.Clips = append(card.Clips, clipView(indexID, videoID, clip, watchQuery))
			}
		}
		cards = append(cards, card)
	}
	return cards
}

// moreView is the sentinel that loads the page after this one.
func moreView(q searchQuery, imageFile bool, indexID string, page *tlclient.SearchPage, offset int) *templates.MoreView {
	token := page.PageInfo.NextPageToken
	if token == "" {
		return nil
	}
	v := q.values()
	if imageFile {
		v.Set("img", "1")
	}
	v.Set("in", indexID)
	v.Set("token", token)
	v.Set("offset", strconv.Itoa(offset))
	if !page.PageInfo.PageExpiresAt.IsZero() {
		v.Set("exp", strconv.FormatInt(page.PageInfo.PageExpiresAt.Unix(), 10))
	}
	return &templates.MoreView{URL: "/search/more?" + v.Encode()}
}

func clipView(indexID, videoID string, r tlclient.SearchResult, watchQuery url.Values) templates.ClipView {
	v := url.Values{}
	for k, vals := range watchQuery {
		v[k] = vals
	}
	v.Set("t", formatSeconds(r.Start))
	v.Set("end", formatSeconds(r.End))
	clip := templates.ClipView{
		Start:        r.Start,
		End:          r.End,
		Range:        webfmt.Clock(r.Start) + "–" + webfmt.Clock(r.End),
		ThumbnailURL: r.ThumbnailURL,
		RefreshURL:   webfmt.VideoURL(indexID, videoID) + "/thumbnail",
		WatchURL:     webfmt.VideoURL(indexID, videoID) + "/watch?" + v.Encode(),
		Confidence:   r.Confidence,
	}
	if r.Score != nil {
		clip.Score = strconv.FormatFloat(*r.Score, 'f', 2, 64)
	}
	if r.Rank != nil {
		clip.Rank = *r.Rank
	}
	clip.Why = whyViews(r.Match)
	return clip
}

// whyViews writes the engine's reasons for a match as the card shows them.
func whyViews(ms []tlclient.SearchMatch) []templates.WhyView {
	var out []templates.WhyView
	for _, m := range ms {
		v := templates.WhyView{Quote: m.Quote, Unsure: m.Unsure}
		switch m.Source {
		case "speech":
			v.Source = "heard"
		case "on_screen_text":
			v.Source = "on screen"
		case "visual":
			v.Source = "in the picture"
			if v.Quote == "" {
				v.Quote = "looks like what you searched for"
			}
		default:
			continue
		}
		if v.Quote == "" {
			v.Quote = strings.Join(m.Words, " ")
		}
		if v.Quote != "" {
			out = append(out, v)
		}
	}
	return out
}

// searchMore serves GET /search/more: the next page of one index's results
// (the sentinel replaces itself with them), or a clear state when the page
// expired or the API failed.
func (s *Server) searchMore(c *gin.Context) error {
	values := c.Request.URL.Query()
	q, _ := parseSearchQuery(values)
	if !isHTMX(c) {
		c.Redirect(http.StatusSeeOther, q.URL())
		return nil
	}
	indexID, token := values.Get("in"), values.Get("token")
	if indexID == "" || token == "" {
		return badRequest("This link to more results is incomplete.")
	}
	offset, _ := strconv.Atoi(values.Get("offset"))
	if exp, err := strconv.ParseInt(values.Get("exp"), 10, 64); err == nil && time.Now().Unix() >= exp {
		return render(c, templates.MoreExpired(q.URL()))
	}
	ctx := c.Request.Context()
	api := s.backend(c).Client
	page, err := api.SearchByToken(ctx, token)
	if err != nil {
		var apiErr *tlclient.APIError
		if errors.As(err, &apiErr) && apiErr.Code == codePageExpired {
			return render(c, templates.MoreExpired(q.URL()))
		}
		s.Log.Info("search page failed", "index", indexID, "err", err)
		return render(c, templates.MoreError(errorMessage(err), c.Request.URL.String()))
	}
	titles := videoTitles(ctx, api, []string{indexID}, []*tlclient.SearchPage{page})
	imageFile := values.Get("img") == "1"
	items := s.resultItems(q, imageFile, indexID, page, titles, offset)
	more := moreView(q, imageFile, indexID, page, offset+len(items))
	return render(c, templates.ResultItems(items, q.GroupBy == "video", more))
}

// searchThumbnail serves GET .../thumbnail: a fresh thumbnail URL for a
// video, for result and poster images whose signed URL expired.
func (s *Server) searchThumbnail(c *gin.Context) error {
	v, err := s.backend(c).Client.GetVideo(c.Request.Context(), c.Param("indexID"), c.Param("videoID"), tlclient.GetVideoParams{})
	if err != nil {
		return err
	}
	if v.HLS == nil || len(v.HLS.ThumbnailURLs) == 0 {
		return notFound("This video has no thumbnail.")
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, v.HLS.ThumbnailURLs[0])
	return nil
}

// videoTitles names the distinct videos of the pages (a search result
// carries only the video's id), a few lookups at a time. A video that
// can't be fetched keeps no title; the card then shows its id.
func videoTitles(ctx context.Context, api watchAPI, indexIDs []string, pages []*tlclient.SearchPage) map[string]string {
	type key struct{ index, video string }
	var keys []key
	seen := map[key]bool{}
	for i, p := range pages {
		if p == nil {
			continue
		}
		for _, r := range p.Data {
			k := key{indexIDs[i], resultVideoID(r)}
			if k.video != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	titles := make([]string, len(keys))
	sem := make(chan struct{}, titleLookups)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if v, err := api.GetVideo(ctx, k.index, k.video, tlclient.GetVideoParams{}); err == nil {
				titles[i] = videoTitle(v)
			}
		})
	}
	wg.Wait()
	out := make(map[string]string, len(keys))
	for i, k := range keys {
		if titles[i] != "" {
			out[k.index+"/"+k.video] = titles[i]
		}
	}
	return out
}

func titleFor(titles map[string]string, indexID, videoID string) string {
	if t := titles[indexID+"/"+videoID]; t != "" {
		return t
	}
	return "Video " + videoID
}

// videoTitle is the name a person gave the video, else its file name.
func videoTitle(v *tlclient.Video) string {
	if t := strings.TrimSpace(v.SystemMetadata.VideoTitle); t != "" {
		return t
	}
	if f := strings.TrimSpace(v.SystemMetadata.Filename); f != "" {
		return f
	}
	return "Video " + v.ID
}

// resultVideoID is the result's video; grouped results name it in their clips.
func resultVideoID(r tlclient.SearchResult) string {
	if r.VideoID != "" {
		return r.VideoID
	}
	for _, c := range r.Clips {
		if c.VideoID != "" {
			return c.VideoID
		}
	}
	return ""
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }
