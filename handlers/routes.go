package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
)

// Routes is every route of the web app, in one place. Path parameters are
// named :indexID, :videoID and :taskID everywhere (gin needs one name per
// position).
func (s *Server) Routes() *gin.Engine {
	r := s.newEngine()
	// The Host check comes first: a rebinding page must reach nothing.
	r.Use(gin.Recovery(), s.hostGuard(), securityHeaders(), s.basicAuth(), s.checkBodies())
	// The trouble note (trouble.go), sessions and CSRF apply to the app's pages, not to /engine, /static
	// or /healthz (see appPath).
	r.Use(s.noteTrouble(), s.sessionMiddleware(), s.csrfMiddleware())

	r.GET("/healthz", s.wrap(s.healthz))
	if s.Engine != nil {
		// The embedded engine shares the app's origin, so HLS and thumbnails
		// load in the browser without CORS.
		// Its API wants the app's secret key; its media the signed links
		// the API hands out.
		r.Any("/engine/*path", gin.WrapH(http.StripPrefix("/engine", s.Engine)))
	}
	if s.Static != nil {
		r.GET("/static/*path", gin.WrapH(s.Static))
		// Browsers ask for /favicon.ico where a page names no icon (a
		// media file opened alone, say).
		r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, templates.Asset("favicon.svg")) })
	}

	// Server-sent events: a stream belongs to the session that opened it.
	r.GET("/events/:stream", s.wrap(s.events))

	// Indexes (indexes.go)
	r.GET("/", s.wrap(s.listIndexes))
	r.POST("/indexes", s.wrap(s.createIndex))
	r.GET("/indexes/:indexID", s.wrap(s.showIndex))
	r.GET("/indexes/:indexID/videos", s.wrap(s.indexVideos))
	r.POST("/indexes/:indexID/rename", s.wrap(s.renameIndex))
	r.POST("/indexes/:indexID/select", s.wrap(s.selectIndex))
	r.GET("/indexes/:indexID/delete", s.wrap(s.confirmDeleteIndex))
	r.POST("/indexes/:indexID/delete", s.wrap(s.deleteIndex))

	// Videos (videos.go)
	r.POST("/indexes/:indexID/videos/:videoID/rename", s.wrap(s.renameVideo))
	r.GET("/indexes/:indexID/videos/:videoID/delete", s.wrap(s.confirmDeleteVideo))
	r.POST("/indexes/:indexID/videos/:videoID/delete", s.wrap(s.deleteVideo))

	// Upload (upload.go): files stream through to the API; URLs are passed on.
	r.POST("/indexes/:indexID/upload", s.limitUploads(), s.wrap(s.uploadFile))
	r.POST("/indexes/:indexID/upload-url", s.wrap(s.uploadURL))

	// Tasks (tasks.go)
	r.GET("/tasks", s.wrap(s.listTasks))
	r.GET("/tasks/:taskID", s.wrap(s.showTask))
	r.GET("/tasks/:taskID/card", s.wrap(s.taskCard))
	r.GET("/tasks/:taskID/delete", s.wrap(s.confirmDeleteTask))
	r.POST("/tasks/:taskID/delete", s.wrap(s.deleteTask))
	r.POST("/tasks/:taskID/dismiss", s.wrap(s.dismissTask))

	// Settings (settings.go)
	r.GET("/settings", s.wrap(s.showSettings))
	r.POST("/settings/key", s.wrap(s.saveKey))
	r.POST("/settings/clear", s.wrap(s.clearKey))

	// Analysis panel of the watch page (analysis.go): gist, summary,
	// chapters and highlights kept per video; questions answered over SSE.
	r.GET("/indexes/:indexID/videos/:videoID/analysis", s.wrap(s.analysisPanel))
	r.POST("/indexes/:indexID/videos/:videoID/analysis", s.wrap(s.regenerateAnalysis))
	r.POST("/indexes/:indexID/videos/:videoID/analysis/answers", s.wrap(s.askAboutVideo))
	r.GET("/indexes/:indexID/videos/:videoID/analysis/answers/:answerID/events", s.wrap(s.answerEvents))
	r.POST("/indexes/:indexID/videos/:videoID/analysis/answers/:answerID/stop", s.wrap(s.stopAnswer))

	// Search and watch (search.go, watch.go): the query lives in the URL;
	// POST carries an uploaded image.
	r.GET("/search", s.wrap(s.searchPage))
	r.POST("/search", s.wrap(s.searchPost))
	r.GET("/search/more", s.wrap(s.searchMore))
	r.GET("/indexes/:indexID/videos/:videoID/watch", s.wrap(s.watchPage))
	r.GET("/indexes/:indexID/videos/:videoID/thumbnail", s.wrap(s.searchThumbnail))
	r.PATCH("/indexes/:indexID/videos/:videoID/metadata", s.wrap(s.updateMetadata))

	r.NoRoute(s.wrap(func(c *gin.Context) error { return notFound("There is no page at this address.") }))
	return r
}

func (s *Server) healthz(c *gin.Context) error {
	c.String(http.StatusOK, "ok")
	return nil
}
