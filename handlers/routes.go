package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Routes is every route of the web app, in one place.
func (s *Server) Routes() *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())

	r.GET("/healthz", s.wrap(s.healthz))
	if s.Engine != nil {
		// The embedded engine shares the app's origin, so HLS and thumbnails
		// load in the browser without CORS.
		r.Any("/engine/*path", gin.WrapH(http.StripPrefix("/engine", s.Engine)))
	}
	return r
}

func (s *Server) healthz(c *gin.Context) error {
	c.String(http.StatusOK, "ok")
	return nil
}
