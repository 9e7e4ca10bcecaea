package static

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestVersionIsAContentHash(t *testing.T) {
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(Version()) {
		t.Fatalf("version %q", Version())
	}
	if got := URL("app.css"); got != "/static/"+Version()+"/app.css" {
		t.Errorf("URL %q", got)
	}
}

func TestHandler(t *testing.T) {
	h := Handler()
	v := Version()
	tests := []struct {
		name, path, header, value string
		wantStatus                int
		wantType, wantCache       string
	}{
		{"css", "/static/" + v + "/app.css", "", "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"js", "/static/" + v + "/app.js", "", "", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"vendored", "/static/" + v + "/vendor/hls.min.js", "", "", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"old version still served, not cached", "/static/0123456789ab/app.js", "", "", 200, "text/javascript; charset=utf-8", "no-cache"},
		{"revalidation", "/static/" + v + "/app.js", "If-None-Match", `"` + v + `"`, 304, "", ""},
		{"missing", "/static/" + v + "/nope.css", "", "", 404, "", ""},
		{"no version", "/static/app.css", "", "", 404, "", ""},
		{"not embedded", "/static/" + v + "/static.go", "", "", 404, "", ""},
		{"traversal", "/static/" + v + "/../static.go", "", "", 404, "", ""},
		{"pin list is not served", "/static/" + v + "/vendor/VERSIONS", "", "", 404, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = tc.path
			if tc.header != "" {
				r.Header.Set(tc.header, tc.value)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				return
			}
			if got := w.Header().Get("Content-Type"); got != tc.wantType {
				t.Errorf("type %q", got)
			}
			if got := w.Header().Get("Cache-Control"); got != tc.wantCache {
				t.Errorf("cache %q", got)
			}
			if w.Body.Len() == 0 {
				t.Error("empty body")
			}
		})
	}
}

// The pins of scripts/vendor-assets.sh are what is embedded: htmx 2.0.x
// goes with htmx-ext-sse 2.2.x (htmx 4 would break the extension).
func TestVendoredVersions(t *testing.T) {
	htmx, _ := files.ReadFile("vendor/htmx.min.js")
	if !regexp.MustCompile(`version:"2\.0\.\d+"`).Match(htmx) {
		t.Error("htmx.min.js is not htmx 2.0.x")
	}
	sse, _ := files.ReadFile("vendor/htmx-ext-sse.js")
	if !strings.Contains(string(sse), `defineExtension("sse"`) {
		t.Error("htmx-ext-sse.js does not define the sse extension")
	}
	hls, _ := files.ReadFile("vendor/hls.min.js")
	if !regexp.MustCompile(`"1\.\d+\.\d+"`).Match(hls) {
		t.Error("hls.min.js is not hls.js 1.x")
	}
}
