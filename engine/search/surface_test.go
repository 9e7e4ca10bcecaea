package search_test

import (
	"net/http"

	"glimpse/engine/api"
	"glimpse/engine/search"
	"glimpse/engine/wire"
)

// The package's HTTP tests go through the engine's one HTTP surface.
func init() {
	search.ServeAPI = func(s *search.Search, media *wire.MediaLinks) http.Handler {
		return (&api.Server{Search: s, Embed: s, EmbedTasks: s, Media: media}).Handler()
	}
}
