package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webfmt"
)

// VideoAPI is what the videos feature asks of the TwelveLabs API.
type VideoAPI interface {
	ListVideos(ctx context.Context, indexID string, p tlclient.ListVideosParams) (*tlclient.VideoPage, error)
	GetVideo(ctx context.Context, indexID, videoID string, p tlclient.GetVideoParams) (*tlclient.Video, error)
	UpdateVideo(ctx context.Context, indexID, videoID string, r tlclient.UpdateVideoRequest) error
	PatchVideoMetadata(ctx context.Context, indexID, videoID string, metadata map[string]any) error
	DeleteVideo(ctx context.Context, indexID, videoID string) error
}

const maxTitleLength = 200

func (s *Server) renameVideo(c *gin.Context) error {
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	title := strings.TrimSpace(c.PostForm("title"))
	switch {
	case title == "":
		return badRequest("Give the video a title.")
	case len([]rune(title)) > maxTitleLength:
		return badRequest("The title is too long (at most 200 characters).")
	}
	api := s.backend(c).Client
	ctx := c.Request.Context()
	// The description's PUT sets video_title; the live API answers it with
	// an error for some accounts, where PATCH of user_metadata is what
	// works, so fall back to keeping the title there.
	if err := api.UpdateVideo(ctx, indexID, videoID, tlclient.UpdateVideoRequest{VideoTitle: title}); err != nil {
		if perr := api.PatchVideoMetadata(ctx, indexID, videoID, map[string]any{"video_title": title}); perr != nil {
			return err
		}
	}
	s.Sessions.Get(c.Request).AddFlash("info", "Video renamed to “"+title+"”.")
	c.Redirect(http.StatusSeeOther, backTo(c, webfmt.IndexURL(indexID)))
	return nil
}

func (s *Server) confirmDeleteVideo(c *gin.Context) error {
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	v, err := s.backend(c).Client.GetVideo(c.Request.Context(), indexID, videoID, tlclient.GetVideoParams{})
	if err != nil {
		return err
	}
	vv := videoView(indexID, *v)
	return render(c, templates.ConfirmPage(s.page(c, "Delete video"), templates.ConfirmView{
		Heading: "Delete “" + vv.Title + "”?",
		Message: "The video leaves the index and can no longer be searched. It cannot be undone.",
		Action:  webfmt.VideoURL(indexID, videoID) + "/delete",
		Button:  "Delete video", CancelURL: webfmt.IndexURL(indexID),
	}))
}

func (s *Server) deleteVideo(c *gin.Context) error {
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	if err := s.backend(c).Client.DeleteVideo(c.Request.Context(), indexID, videoID); err != nil {
		return err
	}
	s.Sessions.Get(c.Request).AddFlash("info", "Video deleted.")
	c.Redirect(http.StatusSeeOther, webfmt.IndexURL(indexID))
	return nil
}

// videoView names a video by its title (system or user metadata), else its
// file name.
func videoView(indexID string, v tlclient.Video) templates.VideoView {
	vv := templates.VideoView{
		ID: v.ID, IndexID: indexID,
		Filename: v.SystemMetadata.Filename,
		Duration: webfmt.Length(v.SystemMetadata.Duration),
		WatchURL: webfmt.WatchURL(indexID, v.ID),
	}
	when := v.IndexedAt
	if when.IsZero() {
		when = v.CreatedAt
	}
	vv.Indexed = webfmt.Date(when)
	if !when.IsZero() {
		vv.IndexedISO = when.UTC().Format("2006-01-02T15:04:05Z")
	}
	if t, ok := v.UserMetadata["video_title"].(string); ok && t != "" {
		vv.Title = t
	} else if v.SystemMetadata.VideoTitle != "" {
		vv.Title = v.SystemMetadata.VideoTitle
	} else {
		vv.Title = v.SystemMetadata.Filename
	}
	if vv.Title == "" {
		vv.Title = "Untitled video"
	}
	if v.HLS != nil && len(v.HLS.ThumbnailURLs) > 0 {
		vv.Thumbnail = v.HLS.ThumbnailURLs[0]
	}
	return vv
}
