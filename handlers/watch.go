package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// watchAPI is what the watch page asks of the API beside search.
type watchAPI interface {
	GetVideo(ctx context.Context, indexID, videoID string, p tlclient.GetVideoParams) (*tlclient.Video, error)
	PatchVideoMetadata(ctx context.Context, indexID, videoID string, metadata map[string]any) error
}

const (
	// watchMatchLimit is how many of the query's matches the watch page
	// reads for previous/next and the other moments.
	watchMatchLimit = 50
	// otherVideosShown bounds the "in other videos" list.
	otherVideosShown = 6
	// hlsComplete is the HLS status of a playable stream.
	hlsComplete = "COMPLETE"
)

// match is one matching moment of the query, in the API's order.
type match struct {
	VideoID    string
	Start, End float64
	Clip       tlclient.SearchResult
}

// watchPage serves GET /indexes/:indexID/videos/:videoID/watch?t=&end=&q=...:
// the player starting at t with the clip's range marked, the video's facts
// and metadata, and the query's other matches.
func (s *Server) watchPage(c *gin.Context) error {
	ctx := c.Request.Context()
	api := s.backend(c).Client
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	video, err := api.GetVideo(ctx, indexID, videoID, tlclient.GetVideoParams{})
	if errors.Is(err, tlclient.ErrNotFound) {
		return notFound("This video isn't in the index; it may have been deleted.")
	}
	if err != nil {
		return err
	}
	duration := video.SystemMetadata.Duration
	start := clampSeconds(parseSeconds(c.Query("t")), duration)
	end := clampSeconds(parseSeconds(c.Query("end")), duration)
	if end <= start {
		end = 0
	}

	q, _ := parseSearchQuery(c.Request.URL.Query())
	view := templates.WatchView{
		IndexID:   indexID,
		VideoID:   videoID,
		Title:     videoTitle(video),
		Filename:  video.SystemMetadata.Filename,
		Duration:  duration,
		Size:      video.SystemMetadata.Size,
		Width:     video.SystemMetadata.Width,
		Height:    video.SystemMetadata.Height,
		Start:     start,
		End:       end,
		Query:     describeQuery(q, false),
		Metadata:  metadataView(indexID, videoID, video.UserMetadata),
		Thumbnail: webfmt.VideoURL(indexID, videoID) + "/thumbnail",
	}
	if !q.empty() {
		q.IndexIDs = []string{indexID}
		view.SearchURL = q.URL()
	}
	view.StreamURL, view.StreamMessage = streamOf(video)
	if video.HLS != nil && len(video.HLS.ThumbnailURLs) > 0 {
		view.PosterURL = video.HLS.ThumbnailURLs[0]
	}
	if !q.empty() {
		s.addMatches(ctx, api, &view, q)
	}
	return render(c, templates.WatchPage(s.page(c, view.Title), view))
}

// addMatches runs the query again on the video's index to find the moments
// before and after this one, and the other moments of this video. A failure
// here leaves the player working and says so beside it.
func (s *Server) addMatches(ctx context.Context, api SearchAPI, view *templates.WatchView, q searchQuery) {
	filter, err := buildFilter(q.Filters)
	if err != nil {
		view.MatchesError = errorMessage(err)
		return
	}
	page, err := api.Search(ctx, q.request(view.IndexID, nil, filter, watchMatchLimit))
	if err != nil {
		s.Log.Info("watch: search for other matches failed", "index", view.IndexID, "err", err)
		view.MatchesError = errorMessage(err)
		return
	}
	matches := flattenMatches(page.Data)
	watchQuery := q.watchValues()
	current := slices.IndexFunc(matches, func(m match) bool {
		return m.VideoID == view.VideoID && math.Abs(m.Start-view.Start) < 0.5
	})
	view.MatchPosition, view.MatchCount = current+1, len(matches)

	var otherIDs []string
	for i, m := range matches {
		if m.VideoID == view.VideoID {
			mark := templates.MatchMark{
				Clip:    clipView(view.IndexID, m.VideoID, m.Clip, watchQuery),
				Current: i == current,
			}
			view.Marks = append(view.Marks, mark)
			continue
		}
		if !slices.Contains(otherIDs, m.VideoID) && len(otherIDs) < otherVideosShown {
			otherIDs = append(otherIDs, m.VideoID)
		}
	}
	// Previous/next step through every match; from a moment that isn't
	// among them (a shared link, a later page) "next" starts at the top.
	if current > 0 {
		view.Prev = s.matchLink(view.IndexID, matches[current-1], watchQuery)
	}
	if current+1 < len(matches) {
		view.Next = s.matchLink(view.IndexID, matches[current+1], watchQuery)
	}

	titlePage := &tlclient.SearchPage{}
	for _, id := range otherIDs {
		titlePage.Data = append(titlePage.Data, tlclient.SearchResult{VideoID: id})
	}
	titles := videoTitles(ctx, api, []string{view.IndexID}, []*tlclient.SearchPage{titlePage})
	for _, id := range otherIDs {
		first := slices.IndexFunc(matches, func(m match) bool { return m.VideoID == id })
		view.OtherVideos = append(view.OtherVideos, templates.ResultCard{
			VideoID: id,
			Title:   titleFor(titles, view.IndexID, id),
			Clip:    clipView(view.IndexID, id, matches[first].Clip, watchQuery),
		})
	}
	if view.Prev != nil {
		view.Prev.Title = titleOrThis(titles, view, view.Prev.VideoID)
	}
	if view.Next != nil {
		view.Next.Title = titleOrThis(titles, view, view.Next.VideoID)
	}
}

func titleOrThis(titles map[string]string, view *templates.WatchView, videoID string) string {
	if videoID == view.VideoID {
		return view.Title
	}
	return titleFor(titles, view.IndexID, videoID)
}

func (s *Server) matchLink(indexID string, m match, watchQuery url.Values) *templates.MatchLink {
	clip := clipView(indexID, m.VideoID, m.Clip, watchQuery)
	return &templates.MatchLink{URL: clip.WatchURL, Range: clip.Range, VideoID: m.VideoID}
}

// flattenMatches lists every matching clip in the API's order; a video group
// contributes its clips in turn.
func flattenMatches(results []tlclient.SearchResult) []match {
	var out []match
	for _, r := range results {
		videoID := resultVideoID(r)
		if len(r.Clips) == 0 {
			out = append(out, match{VideoID: videoID, Start: r.Start, End: r.End, Clip: r})
			continue
		}
		for _, c := range r.Clips {
			out = append(out, match{VideoID: videoID, Start: c.Start, End: c.End, Clip: c})
		}
	}
	return out
}

// streamOf is the video's HLS URL when it can be played, else why it can't.
func streamOf(v *tlclient.Video) (streamURL, message string) {
	switch {
	case v.HLS == nil || v.HLS.VideoURL == "" && v.HLS.Status == "":
		return "", "This video was indexed without a stream (enable_video_stream was off), so it can't be played here. Its moments, metadata and analysis are all below."
	case v.HLS.Status == "" || strings.EqualFold(v.HLS.Status, hlsComplete):
		if v.HLS.VideoURL == "" {
			return "", "The stream of this video isn't available."
		}
		return v.HLS.VideoURL, ""
	case strings.EqualFold(v.HLS.Status, "PROCESSING"):
		return "", "The stream of this video is still being prepared. Reload the page in a minute."
	default:
		return "", fmt.Sprintf("The stream of this video couldn't be built (status %s).", strings.ToLower(v.HLS.Status))
	}
}

// updateMetadata serves PATCH .../metadata: the person's edits to the
// video's user metadata, sent as the live API's PATCH (null deletes a key).
// It answers with the metadata panel as saved.
func (s *Server) updateMetadata(c *gin.Context) error {
	ctx := c.Request.Context()
	api := s.backend(c).Client
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	if err := c.Request.ParseForm(); err != nil {
		return badRequest("The metadata form couldn't be read.")
	}
	video, err := api.GetVideo(ctx, indexID, videoID, tlclient.GetVideoParams{})
	if err != nil {
		return err
	}
	patch, err := metadataPatch(video.UserMetadata, c.Request.PostForm)
	if err != nil {
		view := metadataView(indexID, videoID, video.UserMetadata)
		keepEdits(&view, c.Request.PostForm)
		view.Error = errorMessage(err)
		return render(c, templates.MetadataPanel(view))
	}
	if len(patch) == 0 {
		view := metadataView(indexID, videoID, video.UserMetadata)
		view.Notice = "Nothing changed."
		return render(c, templates.MetadataPanel(view))
	}
	if err := api.PatchVideoMetadata(ctx, indexID, videoID, patch); err != nil {
		view := metadataView(indexID, videoID, video.UserMetadata)
		keepEdits(&view, c.Request.PostForm)
		view.Error = errorMessage(err)
		return render(c, templates.MetadataPanel(view))
	}
	saved, err := api.GetVideo(ctx, indexID, videoID, tlclient.GetVideoParams{})
	if err != nil {
		return err
	}
	view := metadataView(indexID, videoID, saved.UserMetadata)
	view.Notice = "Saved."
	return render(c, templates.MetadataPanel(view))
}

// metadataPatch compares the form (rows mk/mv, removals del) with the
// current metadata and returns only what changed; removed keys map to nil.
func metadataPatch(current map[string]any, form url.Values) (map[string]any, error) {
	patch := map[string]any{}
	removed := form["del"]
	for _, k := range removed {
		if _, ok := current[k]; ok {
			patch[k] = nil
		}
	}
	keys, vals := form["mk"], form["mv"]
	seen := map[string]bool{}
	for i := range max(len(keys), len(vals)) {
		key, value := strings.TrimSpace(at(keys, i)), strings.TrimSpace(at(vals, i))
		if key == "" && value == "" {
			continue
		}
		if key == "" {
			return nil, badRequest(fmt.Sprintf("The value %q needs a name.", value))
		}
		if !filterKeyPattern.MatchString(key) {
			return nil, badRequest(fmt.Sprintf("%q can't be a metadata name: use letters, digits, _ . or -.", key))
		}
		if seen[key] {
			return nil, badRequest(fmt.Sprintf("%q appears twice.", key))
		}
		seen[key] = true
		if slices.Contains(removed, key) {
			continue
		}
		if value == "" {
			return nil, badRequest(fmt.Sprintf("%q needs a value; tick “remove” to delete it.", key))
		}
		typed := typedValue(value)
		if old, ok := current[key]; ok && sameValue(old, typed) {
			continue
		}
		patch[key] = typed
	}
	return patch, nil
}

// keepEdits puts a refused form's values back into the panel: each
// existing row gets what was typed for it, the rest goes to the new row,
// and "remove" stays ticked.
func keepEdits(view *templates.MetadataView, form url.Values) {
	rowOf := map[string]int{}
	for i, r := range view.Rows {
		if r.Editable {
			rowOf[r.Key] = i
		}
	}
	keys, vals := form["mk"], form["mv"]
	for i := range max(len(keys), len(vals)) {
		key, value := strings.TrimSpace(at(keys, i)), at(vals, i)
		if j, ok := rowOf[key]; ok {
			view.Rows[j].Value = value
			delete(rowOf, key) // a second row of that name is the new row
			continue
		}
		if key != "" || strings.TrimSpace(value) != "" {
			view.NewKey, view.NewValue = key, value
		}
	}
	for _, k := range form["del"] {
		for j := range view.Rows {
			if view.Rows[j].Key == k {
				view.Rows[j].Remove = true
			}
		}
	}
}

// sameValue compares a stored value (as decoded from JSON) with a typed one.
func sameValue(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	return string(ja) == string(jb)
}

// metadataView shows scalar values as editable text (strings that would
// read back as another type are quoted) and anything nested as read-only JSON.
func metadataView(indexID, videoID string, md map[string]any) templates.MetadataView {
	view := templates.MetadataView{URL: webfmt.VideoURL(indexID, videoID) + "/metadata"}
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		row := templates.MetadataRow{Key: k, Editable: true}
		switch v := md[k].(type) {
		case string:
			row.Value = v
			if _, isString := typedValue(v).(string); !isString {
				row.Value = `"` + v + `"`
			}
		case bool:
			row.Value = strconv.FormatBool(v)
		case float64:
			row.Value = formatNumber(v)
		case json.Number:
			row.Value = v.String()
		case nil:
			row.Value = "null"
			row.Editable = false
		default:
			b, _ := json.Marshal(v)
			row.Value = string(b)
			row.Editable = false
		}
		view.Rows = append(view.Rows, row)
	}
	return view
}

func parseSeconds(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	return f
}

func clampSeconds(t, duration float64) float64 {
	if duration > 0 && t > duration {
		return duration
	}
	return t
}
