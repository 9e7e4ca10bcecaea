package apispec

import (
	"net/http"
	"testing"
)

// TestProductOperations: each of the 22 operations is one of the full
// description's, at the seed's path and method.
func TestProductOperations(t *testing.T) {
	seed, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	full, err := Full()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, item := range full.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids[op.OperationID] = true
		}
	}
	if len(ProductOperations) != 22 {
		t.Errorf("%d product operations, want 22", len(ProductOperations))
	}
	for _, id := range ProductOperations {
		if !ids[id] {
			t.Errorf("%s is not an operation of %s", id, full.Name)
		}
	}
	// Every seed operation routes to one of them in the full description
	// (the seed's PUT of a video is the full description's PATCH).
	found := map[string]bool{}
	for path, item := range seed.Doc.Paths.Map() {
		for method := range item.Operations() {
			if method == http.MethodPut && path == "/indexes/{index_id}/videos/{video_id}" {
				method = http.MethodPatch
			}
			req, _ := http.NewRequest(method, "https://api.twelvelabs.io/v1.3"+path, nil)
			route, _, err := full.Router.FindRoute(req)
			if err != nil {
				t.Errorf("seed's %s %s is not in %s: %v", method, path, full.Name, err)
				continue
			}
			found[route.Operation.OperationID] = true
		}
	}
	for _, id := range ProductOperations {
		if !found[id] {
			t.Errorf("%s is not one of the seed's operations", id)
		}
	}
}
