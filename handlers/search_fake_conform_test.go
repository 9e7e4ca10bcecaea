package handlers

import (
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"
)

// checkRequest validates a search form against the description's request schema.
func (f *fakeMarengo) checkRequest(form url.Values, hasFile bool) {
	doc := map[string]any{}
	for k, vs := range form {
		switch k {
		case "search_options":
			doc[k] = vs
		case "page_limit":
			n, err := strconv.Atoi(vs[0])
			if err != nil {
				f.t.Errorf("page_limit %q is not an integer", vs[0])
			}
			doc[k] = n
		case "filter":
			var obj map[string]any
			if err := json.Unmarshal([]byte(vs[0]), &obj); err != nil {
				f.t.Errorf("filter %q is not a JSON object: %v", vs[0], err)
			}
			doc[k] = vs[0]
		default:
			doc[k] = vs[0]
		}
	}
	if hasFile {
		doc["query_media_file"] = "(binary)"
	}
	schema := f.seed.Paths.Find("/search").Post.RequestBody.Value.Content.Get("multipart/form-data").Schema.Value
	if err := schema.VisitJSON(doc); err != nil {
		f.t.Errorf("search request does not match the API description: %v", err)
	}
}

// loadFullSchemas reads the component schemas of TwelveLabs' full
// description (OpenAPI 3.1, which kin-openapi can't load whole).
func loadFullSchemas(t *testing.T, path string) *openapi3.T {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	comps, _ := doc["components"].(map[string]any)
	mini, _ := json.Marshal(map[string]any{
		"openapi": "3.0.3", "info": map[string]any{"title": "schemas", "version": "1.3"}, "paths": map[string]any{},
		"components": map[string]any{"schemas": comps["schemas"]},
	})
	spec, err := openapi3.NewLoader().LoadFromData(mini)
	if err != nil {
		t.Fatalf("%s schemas: %v", path, err)
	}
	return spec
}

// conform fails the test when an answer doesn't match the seed description
// at seedPath, and, when fullSchema is set, that schema of the full one.
func (f *fakeMarengo) conform(seedPath, fullSchema, method string, v any) {
	b, _ := json.Marshal(v)
	var doc any
	_ = json.Unmarshal(b, &doc)
	item := f.seed.Paths.Find(seedPath)
	if item == nil {
		f.t.Fatalf("no %s in the API description", seedPath)
	}
	schema := item.GetOperation(method).Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if err := schema.VisitJSON(doc); err != nil {
		f.t.Errorf("fake %s %s answer does not match the API description: %v", method, seedPath, err)
	}
	if fullSchema == "" {
		return
	}
	ref := f.full.Components.Schemas[fullSchema]
	if ref == nil {
		f.t.Fatalf("no schema %s in the full API description", fullSchema)
	}
	if err := ref.Value.VisitJSON(doc); err != nil {
		f.t.Errorf("fake %s %s answer does not match the full description's %s: %v", method, seedPath, fullSchema, err)
	}
}
