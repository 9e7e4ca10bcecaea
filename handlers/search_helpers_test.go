package handlers

import (
	"bytes"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"glimpse/sessions"
)

// searchApp is the web app's real router and session store over the fake
// cloud, with a browser-like client (cookie jar, no redirects followed).
type searchApp struct {
	fake   *fakeMarengo
	http   *httptest.Server
	client *http.Client
	csrf   string
}

func newSearchApp(t *testing.T, fake *fakeMarengo) *searchApp {
	t.Helper()
	store, err := sessions.New([][]byte{[]byte(strings.Repeat("k", 32))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Log:      slog.New(slog.DiscardHandler),
		Backends: &ClientBackends{Base: fake.client(), BaseName: "Test cloud"},
		Sessions: store,
	}
	ts := httptest.NewServer(s.Routes())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	app := &searchApp{fake: fake, http: ts, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	// A first page view starts the session and gives the CSRF token.
	_, doc := app.get(t, "/search", false)
	app.csrf, _ = doc.Find(`meta[name="csrf-token"]`).Attr("content")
	if app.csrf == "" {
		t.Fatal("the search page carries no CSRF token")
	}
	return app
}

// get fetches path as a browser (htmx=false) or as htmx swapping #results.
func (a *searchApp) get(t *testing.T, path string, htmx bool) (*http.Response, *goquery.Document) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.http.URL+path, nil)
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "results")
	}
	return a.do(t, req)
}

func (a *searchApp) do(t *testing.T, req *http.Request) (*http.Response, *goquery.Document) {
	t.Helper()
	if req.Method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

func multipartForm(t *testing.T, fields url.Values, files map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for name, data := range files {
		part, _ := w.CreateFormFile("image", name)
		part.Write(data)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}
