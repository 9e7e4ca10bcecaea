package generate

import "net/http"

// ServeAPI serves a Generator over HTTP the way the engine does, through
// engine/api. That package imports this one, so a test of this package
// cannot import it; the external test package sets ServeAPI (surface_test.go).
var ServeAPI func(g *Generator) http.Handler
