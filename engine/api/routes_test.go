package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestRouteTableCoversTheDescription: every operation of the v1.3
// description the web app and the SDKs use is in the one route table.
func TestRouteTableCoversTheDescription(t *testing.T) {
	raw, err := os.ReadFile("../../api/twelvelabs-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	table := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		table[rt.pattern] = true
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			n++
			if pattern := strings.ToUpper(method) + " " + path; !table[pattern] {
				t.Errorf("%s is not in the route table", pattern)
			}
		}
	}
	if n != 22 {
		t.Errorf("the description has %d operations; this test expects its 22", n)
	}
}

// TestMissingPartsAreNotServed: an engine without search, embeddings or
// generation answers their endpoints as it answers any unknown one.
func TestMissingPartsAreNotServed(t *testing.T) {
	h := (&Server{}).Handler()
	for _, tc := range []struct{ method, path string }{
		{"POST", "/v1.3/search"},
		{"GET", "/v1.3/search/aaaaaaaaaaaaaaaaaaaaaaaa-2"},
		{"POST", "/v1.3/embed"},
		{"POST", "/v1.3/embed/tasks"},
		{"GET", "/v1.3/embed/tasks"},
		{"GET", "/v1.3/embed/tasks/aaaaaaaaaaaaaaaaaaaaaaaa"},
		{"POST", "/v1.3/analyze"},
		{"POST", "/v1.3/gist"},
		{"POST", "/v1.3/summarize"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
		var e struct{ Code, Message string }
		if json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != http.StatusNotFound || e.Code != "resource_not_exist" ||
			e.Message != "There is no endpoint "+tc.method+" "+tc.path+"." {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
		}
	}
}
