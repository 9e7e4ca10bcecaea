package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestHealthz(t *testing.T) {
	resp, err := http.Get(app.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
}

func TestEveryPageNamesTheBackend(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Backend label")
	for _, path := range []string{"/", "/indexes/" + ix, "/tasks", "/settings"} {
		doc, status := b.get(path)
		if status != 200 {
			t.Errorf("%s: status %d", path, status)
		}
		if got := text(doc, "[data-testid=backend]"); got != "Local engine" {
			t.Errorf("%s: backend %q", path, got)
		}
	}
}

func TestCSRFIsRequiredForChanges(t *testing.T) {
	b := newBrowser(t)
	b.get("/")
	other := newBrowser(t)
	other.get("/")
	tests := []struct {
		name   string
		token  string
		header bool
		want   int
	}{
		{"no token", "", false, http.StatusForbidden},
		{"another session's token", other.csrf, false, http.StatusForbidden},
		{"wrong header", "0000", true, http.StatusForbidden},
		{"form token", b.csrf, false, http.StatusOK},
		{"header token", b.csrf, true, http.StatusOK},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"name": {"csrf " + tc.name}, "marengo": {"visual"}}
			if !tc.header && tc.token != "" {
				form.Set("csrf_token", tc.token)
			}
			req, _ := http.NewRequest("POST", app.URL+"/indexes", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header {
				req.Header.Set("X-CSRF-Token", tc.token)
			}
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("case %d: status %d, want %d", i, resp.StatusCode, tc.want)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	b := newBrowser(t)
	doc, _ := b.get("/settings")
	css, _ := doc.Find(`link[rel=stylesheet]`).Attr("href")
	htmx, _ := doc.Find(`script[src*="htmx.min.js"]`).Attr("src")
	tests := []struct {
		path, wantType, wantCache string
		wantStatus                int
	}{
		{css, "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{htmx, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/oldversion/app.js", "text/javascript; charset=utf-8", "no-cache", 200},
		{"/static/" + strings.Split(css, "/")[2] + "/nope.js", "", "", 404},
		{"/static/x/../static.go", "", "", 404},
	}
	for _, tc := range tests {
		resp, err := http.Get(app.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("%s: status %d", tc.path, resp.StatusCode)
			continue
		}
		if tc.wantStatus == 200 && (resp.Header.Get("Content-Type") != tc.wantType || resp.Header.Get("Cache-Control") != tc.wantCache) {
			t.Errorf("%s: type %q cache %q", tc.path, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
	}
}

func TestUnknownPageIsAPage(t *testing.T) {
	doc, status := newBrowser(t).get("/no/such/page")
	if status != http.StatusNotFound || text(doc, "[data-testid=error-message]") != "There is no page at this address." {
		t.Errorf("status %d, message %q", status, text(doc, "[data-testid=error-message]"))
	}
}
