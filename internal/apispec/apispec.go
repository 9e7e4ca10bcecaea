// Package apispec loads the two descriptions of the API in api/ for the
// tests that hold requests and responses to them (tlclient's and the
// engine's conformance suite): the seed (twelvelabs-openapi.yml, the 22
// operations the product covers) and TwelveLabs' full description of v1.3
// (twelvelabs-openapi-1.3-full.yaml, what the live service does). Both are
// loaded once per test binary and validated; the full one needs two repairs
// of its own faults, named where they are made.
package apispec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Spec is one loaded description and a router over its operations.
type Spec struct {
	Name   string // file name under api/
	Doc    *openapi3.T
	Router routers.Router
}

const (
	SeedFile = "twelvelabs-openapi.yml"
	FullFile = "twelvelabs-openapi-1.3-full.yaml"
)

// Dir is the repository's api/ folder.
func Dir() string {
	// This file is internal/apispec/apispec.go: the root is two up.
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "api")
}

// Seed is the product's own description.
var Seed = sync.OnceValues(func() (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(Dir(), SeedFile))
	if err != nil {
		return nil, err
	}
	return load(SeedFile, b)
})

// brokenSchemaRef is a fault of the full description: a few error
// responses (of multipart uploads, outside the product's 22 operations)
// name a response object where a schema belongs, which no loader accepts.
// They become plain objects.
var brokenSchemaRef = regexp.MustCompile(`(schema:\s*\n\s*)\$ref: '#/components/responses/genericError'`)

// Full is TwelveLabs' full description of v1.3, repaired.
var Full = sync.OnceValues(func() (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(Dir(), FullFile))
	if err != nil {
		return nil, err
	}
	// Its examples are not checked: several contradict their own schemas
	// (the example of searchResultsResponsePageId has no data array).
	// Schemas, parameters and responses are.
	spec, err := load(FullFile, brokenSchemaRef.ReplaceAll(b, []byte("${1}type: object")), openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, err
	}
	// Every operation names a required Content-Type header parameter
	// ("must be application/json"), GETs and DELETEs included; the official
	// SDK sends Content-Type only with a body (core/fetcher/Fetcher.js of
	// twelvelabs-js), and a bodyless request has nothing to type. Bodies
	// are still checked against their declared media types.
	if p := spec.Doc.Components.Parameters["Content-Type"]; p != nil && p.Value != nil {
		p.Value.Required = false
	}
	return spec, nil
})

func load(name string, b []byte, opts ...openapi3.ValidationOption) (*Spec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	if err := doc.Validate(context.Background(), opts...); err != nil {
		return nil, fmt.Errorf("validate %s: %w", name, err)
	}
	r, err := legacy.NewRouter(doc, opts...)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", name, err)
	}
	return &Spec{Name: name, Doc: doc, Router: r}, nil
}

// ProductOperations are the 22 operations of the product's API surface
// (the seed), by their operationId in the full description. The seed's PUT
// of a video is the full description's PATCH, which is what the SDK sends;
// GET /embed/tasks/{id}/status (retrieve-video-embedding-task) is not one
// of the seed's, though clients call it too.
var ProductOperations = []string{
	"list-indexes", "create-index", "retrieve-index", "update-index", "delete-index",
	"list-videos", "retrieve-video-information", "partial-update-video-information", "delete-video-information",
	"list-video-indexing-tasks", "create-video-indexing-task", "retrieve-video-indexing-task", "delete-video-indexing-task",
	"any-to-video-search", "any-to-video--retrieve-specific-page",
	"generate-text-representation", "gist", "summarize",
	"create-text-image-audio-embedding", "create-video-embedding-task", "list-video-embedding-tasks", "retrieve-video-embedding",
}
