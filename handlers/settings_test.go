package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A pasted key is saved only when the cloud accepts it; otherwise the
// settings page says why, and the key is nowhere: page, log or cookie.
func TestSaveKeyIsChecked(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		state      cloudState
		wantStatus int
		wantError  string // in the refusal; "" means saved
	}{
		{"wrong key", "tlk_WRONG_0123456789abcdef", keyUnknown, http.StatusUnprocessableEntity, "refused this key: The API key is invalid"},
		{"revoked key", "tlk_REVOKED_0123456789abcdef", keyRevoked, http.StatusUnprocessableEntity, "Copy it again"},
		{"cloud gone", "tlk_GONE_0123456789abcdef", cloudGone, http.StatusBadGateway, "could not be reached to check the key"},
		{"not a key", "short", keyUnknown, http.StatusBadRequest, "does not look like"},
		{"good key", "tlk_GOOD_0123456789abcdef", keyOK, http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app.Cloud.set(tc.key, tc.state)
			b := newBrowser(t)
			doc, status := b.post("/settings/key", url.Values{"api_key": {tc.key}})
			html, _ := doc.Html()
			if strings.Contains(html, tc.key) || strings.Contains(app.Logs.String(), tc.key) {
				t.Fatal("the key is on the page or in the log")
			}
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d", status, tc.wantStatus)
			}
			keyErr := text(doc, "[data-testid=key-error]")
			if tc.wantError == "" {
				if keyErr != "" || !strings.Contains(text(doc, "[data-testid=key-state]"), "saved in this browser") {
					t.Errorf("good key not saved: error %q, state %q", keyErr, text(doc, "[data-testid=key-state]"))
				}
				if got, _ := doc.Find("[data-testid=backend-check]").Attr("data-working"); got != "true" {
					t.Errorf("backend check %q: %q", got, text(doc, "[data-testid=backend-check]"))
				}
				return
			}
			if !strings.Contains(keyErr, tc.wantError) {
				t.Errorf("refusal %q, want it to say %q", keyErr, tc.wantError)
			}
			if !strings.Contains(text(doc, "[data-testid=key-state]"), "No key of yours") {
				t.Errorf("a refused key was kept: %q", text(doc, "[data-testid=key-state]"))
			}
			// The backend in use still works: no banner about a key it never used.
			if doc.Find("[data-testid=backend-trouble]").Length() != 0 || text(doc, "[data-testid=backend]") != "Local engine" {
				t.Errorf("banner %q, backend %q", text(doc, "[data-testid=backend-trouble]"), text(doc, "[data-testid=backend]"))
			}
		})
	}
}

// Once the cloud refuses a saved key, or cannot be reached, every page
// says so at the top with the way to the settings page, under a red badge:
// never a bare "Something went wrong".
func TestCloudTroubleShowsOnEveryPage(t *testing.T) {
	const key = "tlk_LATER_0123456789abcdef"
	app.Cloud.set(key, keyOK)
	b := newBrowser(t)
	if doc, status := b.post("/settings/key", url.Values{"api_key": {key}}); status != 200 || doc.Find("[data-testid=backend-trouble]").Length() != 0 {
		t.Fatalf("saving a good key: %d %q", status, text(doc, "[data-testid=key-error]"))
	}
	pages := []string{"/", "/tasks", "/search", "/search?q=train", "/settings", "/indexes/ix1/videos/v1/watch"}
	for _, state := range []struct {
		name  string
		state cloudState
		kind  string
		says  string
	}{
		{"refused", keyRevoked, "refused", "refuses your API key"},
		{"gone", cloudGone, "unreachable", "cannot be reached"},
	} {
		app.Cloud.set(key, state.state)
		for _, path := range pages {
			t.Run(state.name+path, func(t *testing.T) {
				doc, status := b.get(path)
				html, _ := doc.Html()
				banner := doc.Find("[data-testid=backend-trouble]")
				if kind, _ := banner.Attr("data-kind"); kind != state.kind || !strings.Contains(banner.Text(), state.says) {
					t.Errorf("%d: banner %q (%q), want %s", status, banner.Text(), kind, state.kind)
				}
				if href, _ := banner.Find("a").Attr("href"); href != "/settings" {
					t.Errorf("banner links to %q", href)
				}
				if got, _ := doc.Find("[data-testid=backend]").Attr("data-trouble"); got != state.kind {
					t.Errorf("badge trouble %q", got)
				}
				if status == http.StatusInternalServerError || strings.Contains(html, "Something went wrong") || strings.Contains(html, key) {
					t.Errorf("status %d: %q", status, text(doc, "[data-testid=error-message]"))
				}
			})
		}
		// An htmx fragment carries the banner out of band.
		t.Run(state.name+" fragment", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, app.URL+"/search?q=train&index=ix1", nil)
			req.Header.Set("HX-Request", "true")
			req.Header.Set("HX-Target", "results")
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(readAll(t, resp)))
			oob := doc.Find(`#backend-trouble[hx-swap-oob] [data-testid=backend-trouble]`)
			if kind, _ := oob.Attr("data-kind"); kind != state.kind {
				t.Errorf("fragment's banner %q (%q)", oob.Text(), kind)
			}
		})
	}
	if strings.Contains(app.Logs.String(), key) {
		t.Error("the key is in the log")
	}
	// The cloud is back: the banner goes.
	app.Cloud.set(key, keyOK)
	if doc, _ := b.get("/"); doc.Find("[data-testid=backend-trouble]").Length() != 0 {
		t.Errorf("banner stays: %q", text(doc, "[data-testid=backend-trouble]"))
	}
}

func TestSettingsKeyIsKeptSecret(t *testing.T) {
	const key = "tlk_TESTKEY_never_shown_0123456789"
	app.Cloud.set(key, keyOK)
	b := newBrowser(t)
	doc, _ := b.get("/settings")
	if !strings.Contains(text(doc, "[data-testid=key-state]"), "No key of yours") {
		t.Errorf("fresh state: %q", text(doc, "[data-testid=key-state]"))
	}
	resp, err := b.c.PostForm(app.URL+"/settings/key", url.Values{"csrf_token": {b.csrf}, "api_key": {key}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if strings.Contains(body, key) {
		t.Fatal("the key is on the page")
	}
	for _, c := range b.c.Jar.Cookies(resp.Request.URL) {
		if strings.Contains(c.Value, "TESTKEY") {
			t.Fatal("the key is readable in the cookie")
		}
	}
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := text(doc, "[data-testid=backend]"); got != "TwelveLabs cloud (your key)" {
		t.Errorf("backend %q", got)
	}
	if !strings.Contains(text(doc, "[data-testid=key-scope]"), "this browser only") {
		t.Errorf("the page does not say what forgetting the key does: %q", text(doc, "[data-testid=key-scope]"))
	}
	if !strings.Contains(text(doc, "[data-testid=sharing]"), "shares one library") {
		t.Errorf("the page suggests a private library: %q", text(doc, "[data-testid=sharing]"))
	}
	if !strings.Contains(text(doc, "[data-testid=key-state]"), "saved") {
		t.Errorf("state %q", text(doc, "[data-testid=key-state]"))
	}
	// The cloud now refuses the key; its refusal reads plainly, without the key.
	app.Cloud.set(key, keyRevoked)
	resp, err = b.c.Get(app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "refused the API key") || strings.Contains(page, key) {
		t.Errorf("with a refused key: %d", resp.StatusCode)
	}

	doc, _ = b.post("/settings/clear", nil)
	if got := text(doc, "[data-testid=backend]"); got != "Local engine" {
		t.Errorf("after clearing, backend %q", got)
	}
	if _, status := b.get("/"); status != 200 {
		t.Errorf("after clearing: %d", status)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return buf.String()
}
