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

// IndexAPI is what the indexes feature asks of the TwelveLabs API.
type IndexAPI interface {
	ListIndexes(ctx context.Context, p tlclient.ListIndexesParams) (*tlclient.IndexPage, error)
	CreateIndex(ctx context.Context, r tlclient.CreateIndexRequest) (string, error)
	GetIndex(ctx context.Context, id string) (*tlclient.Index, error)
	UpdateIndex(ctx context.Context, id, name string) error
	DeleteIndex(ctx context.Context, id string) error
}

const (
	indexesPerPage = 20
	videosPerPage  = 24
	maxNameLength  = 100
)

func (s *Server) listIndexes(c *gin.Context) error {
	return s.renderIndexes(c, nil)
}

// renderIndexes is the home page; form, when set, is a refused new-index
// form shown again as it was sent.
func (s *Server) renderIndexes(c *gin.Context, form *templates.NewIndexForm) error {
	page := pageParam(c)
	res, err := s.backend(c).Client.ListIndexes(c.Request.Context(), tlclient.ListIndexesParams{
		Page: page, PageLimit: indexesPerPage, SortBy: "created_at", SortOption: "desc",
	})
	if err != nil {
		return err
	}
	cur := s.Sessions.Get(c.Request).CurrentIndexID
	v := templates.IndexesView{Pager: pagerFor("/", c.Request.URL.Query(), res.PageInfo), Form: form}
	for _, ix := range res.Data {
		v.Indexes = append(v.Indexes, indexView(ix, cur))
	}
	return render(c, templates.IndexesPage(s.page(c, "Indexes"), v))
}

func (s *Server) createIndex(c *gin.Context) error {
	form := &templates.NewIndexForm{
		Name:      strings.TrimSpace(c.PostForm("name")),
		Marengo:   pickOptions(c.PostFormArray("marengo")),
		Pegasus:   pickOptions(c.PostFormArray("pegasus")),
		Thumbnail: c.PostForm("thumbnail") != "",
	}
	id, err := s.newIndex(c, form)
	if err != nil {
		// Show the form again as sent, with the reason, rather than an
		// error page that loses it.
		status, msg := classify(err)
		if status >= 500 {
			return err
		}
		s.Log.Info("index not created", "status", status, "err", err)
		form.Error = msg
		c.Status(status)
		return s.renderIndexes(c, form)
	}
	name := form.Name
	st := s.Sessions.Get(c.Request)
	st.CurrentIndexID = id
	st.AddFlash("info", "Index “"+name+"” created. Drop videos on it to index them.")
	c.Redirect(http.StatusSeeOther, webfmt.IndexURL(id))
	return nil
}

// newIndex checks the new-index form and asks the API for the index.
func (s *Server) newIndex(c *gin.Context, form *templates.NewIndexForm) (string, error) {
	if err := checkName(form.Name); err != nil {
		return "", err
	}
	req := tlclient.CreateIndexRequest{IndexName: form.Name}
	for _, m := range []struct {
		model string
		opts  []string
	}{{"marengo3.0", form.Marengo}, {"pegasus1.2", form.Pegasus}} {
		if len(m.opts) > 0 {
			req.Models = append(req.Models, tlclient.IndexModel{ModelName: m.model, ModelOptions: m.opts})
		}
	}
	if len(req.Models) == 0 {
		return "", badRequest("Pick at least one model option (visual or audio) for Marengo or Pegasus.")
	}
	if form.Thumbnail {
		req.Addons = []string{"thumbnail"}
	}
	return s.backend(c).Client.CreateIndex(c.Request.Context(), req)
}

// pickOptions keeps the known model options, in a fixed order.
func pickOptions(form []string) []string {
	var out []string
	for _, want := range []string{"visual", "audio"} {
		for _, got := range form {
			if got == want {
				out = append(out, want)
				break
			}
		}
	}
	return out
}

func checkName(name string) error {
	switch {
	case name == "":
		return badRequest("Give the index a name.")
	case len([]rune(name)) > maxNameLength:
		return badRequest("The name is too long (at most " + strconv.Itoa(maxNameLength) + " characters).")
	}
	return nil
}

func (s *Server) showIndex(c *gin.Context) error {
	v, err := s.indexPageView(c)
	if err != nil {
		return err
	}
	v.Stream = s.taskStreamURL(c)
	v.MaxUploadBytes = s.maxUpload()
	v.Tasks = s.recentTaskViews(c, s.backend(c), v.Index.ID)
	return render(c, templates.IndexPage(s.page(c, v.Index.Name), v))
}

// indexVideos is the index page's video grid and count alone: the page
// asks for it again when one of its tasks turns ready.
func (s *Server) indexVideos(c *gin.Context) error {
	v, err := s.indexPageView(c)
	if err != nil {
		return err
	}
	return render(c, templates.IndexVideosFragment(s.page(c, v.Index.Name), v))
}

// indexPageView is the index of the request with a page of its videos.
func (s *Server) indexPageView(c *gin.Context) (templates.IndexPageView, error) {
	ctx := c.Request.Context()
	id := c.Param("indexID")
	be := s.backend(c)
	ix, err := be.Client.GetIndex(ctx, id)
	if err != nil {
		if errors.Is(err, tlclient.ErrNotFound) {
			return templates.IndexPageView{}, notFound("There is no index with that id; it may have been deleted.")
		}
		return templates.IndexPageView{}, err
	}
	v := templates.IndexPageView{Index: indexView(*ix, s.Sessions.Get(c.Request).CurrentIndexID)}
	videos, err := be.Client.ListVideos(ctx, id, tlclient.ListVideosParams{
		Page: pageParam(c), PageLimit: videosPerPage, SortBy: "created_at", SortOption: "desc",
	})
	if err != nil {
		_, msg := classify(err)
		v.VideosError = msg
		return v, nil
	}
	v.Pager = pagerFor(webfmt.IndexURL(id), c.Request.URL.Query(), videos.PageInfo)
	for _, vid := range videos.Data {
		v.Videos = append(v.Videos, videoView(id, vid))
	}
	addThumbnails(ctx, be.Client, v.Videos)
	return v, nil
}

func (s *Server) renameIndex(c *gin.Context) error {
	id := c.Param("indexID")
	name := strings.TrimSpace(c.PostForm("name"))
	if err := checkName(name); err != nil {
		return err
	}
	if err := s.backend(c).Client.UpdateIndex(c.Request.Context(), id, name); err != nil {
		return err
	}
	s.Sessions.Get(c.Request).AddFlash("info", "Index renamed to “"+name+"”.")
	c.Redirect(http.StatusSeeOther, backTo(c, "/"))
	return nil
}

func (s *Server) selectIndex(c *gin.Context) error {
	id := c.Param("indexID")
	ix, err := s.backend(c).Client.GetIndex(c.Request.Context(), id)
	if err != nil {
		return err
	}
	st := s.Sessions.Get(c.Request)
	st.CurrentIndexID = ix.ID
	st.AddFlash("info", "“"+ix.IndexName+"” is now your current index.")
	c.Redirect(http.StatusSeeOther, backTo(c, "/"))
	return nil
}

func (s *Server) confirmDeleteIndex(c *gin.Context) error {
	id := c.Param("indexID")
	ix, err := s.backend(c).Client.GetIndex(c.Request.Context(), id)
	if err != nil {
		return err
	}
	msg := "This deletes the index and its " + strconv.Itoa(ix.VideoCount) + " " +
		pluralWord(ix.VideoCount, "video", "videos") + ". It cannot be undone."
	return render(c, templates.ConfirmPage(s.page(c, "Delete index"), templates.ConfirmView{
		Heading: "Delete “" + ix.IndexName + "”?", Message: msg,
		Action: webfmt.IndexURL(id) + "/delete", Button: "Delete index", CancelURL: "/",
	}))
}

func (s *Server) deleteIndex(c *gin.Context) error {
	id := c.Param("indexID")
	if err := s.backend(c).Client.DeleteIndex(c.Request.Context(), id); err != nil {
		return err
	}
	st := s.Sessions.Get(c.Request)
	if st.CurrentIndexID == id {
		st.CurrentIndexID = ""
	}
	st.AddFlash("info", "Index deleted.")
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func indexView(ix tlclient.Index, current string) templates.IndexView {
	v := templates.IndexView{
		ID: ix.ID, Name: ix.IndexName, VideoCount: ix.VideoCount,
		Duration: webfmt.Length(ix.TotalDuration), // one clock everywhere: a video card says 2:40 too
		Created:  webfmt.Date(ix.CreatedAt),
		Current:  ix.ID == current,
	}
	if v.Name == "" {
		v.Name = "(unnamed index)"
	}
	for _, m := range ix.Models {
		v.Models = append(v.Models, templates.ModelView{Name: m.ModelName, Options: m.ModelOptions})
	}
	for _, a := range ix.Addons {
		if a == "thumbnail" {
			v.Thumbnails = true
		}
	}
	return v
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pageParam is the ?page= of the request, 1 when absent or bad.
func pageParam(c *gin.Context) int {
	p, err := strconv.Atoi(c.Query("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}

// pagerFor builds prev/next links that keep the other query parameters.
func pagerFor(path string, q url.Values, pi tlclient.PageInfo) templates.Pager {
	pg := templates.Pager{Page: max(pi.Page, 1), TotalPages: pi.TotalPage}
	link := func(n int) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(n))
		return path + "?" + q2.Encode()
	}
	if pg.Page > 1 {
		pg.PrevURL = link(pg.Page - 1)
	}
	if pg.Page < pg.TotalPages {
		pg.NextURL = link(pg.Page + 1)
	}
	return pg
}

// backTo is the same-origin page the request came from, else fallback.
func backTo(c *gin.Context, fallback string) string {
	ref, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || ref.Host != c.Request.Host {
		return fallback
	}
	// The path as sent: decoded, %5C would become a "\" that browsers read
	// in a Location as "/", so "/\host" would leave the site.
	p := ref.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return fallback
	}
	if ref.RawQuery != "" {
		return p + "?" + ref.RawQuery
	}
	return p
}

// thumbnailLookups bounds the concurrent GetVideo calls that find the
// thumbnails a video list leaves out (the list has no hls block).
const thumbnailLookups = 6

func addThumbnails(ctx context.Context, api VideoAPI, videos []templates.VideoView) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	sem := make(chan struct{}, thumbnailLookups)
	var wg sync.WaitGroup
	for i := range videos {
		if videos[i].Thumbnail != "" {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			v, err := api.GetVideo(ctx, videos[i].IndexID, videos[i].ID, tlclient.GetVideoParams{})
			if err == nil && v.HLS != nil && len(v.HLS.ThumbnailURLs) > 0 {
				videos[i].Thumbnail = v.HLS.ThumbnailURLs[0]
			}
		})
	}
	wg.Wait()
}
