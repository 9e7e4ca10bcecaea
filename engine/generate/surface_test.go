package generate_test

import (
	"net/http"

	"glimpse/engine/api"
	"glimpse/engine/generate"
)

// The package's HTTP tests go through the engine's one HTTP surface.
func init() {
	generate.ServeAPI = func(g *generate.Generator) http.Handler {
		return (&api.Server{Generate: g}).Handler()
	}
}
