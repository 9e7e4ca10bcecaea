package handlers

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSearchWithImage(t *testing.T) {
	fake := newFakeMarengo(t)
	app := newSearchApp(t, fake)
	img := pngImage(t, 96, 64)
	body, ctype := multipartForm(t, url.Values{"q": {"aerial"}, "index": {fakeIndexID}}, map[string][]byte{"still.png": img})
	req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/search", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "results")
	resp, doc := app.do(t, req)

	sent := fake.lastSearch(t)
	if sent.Get("query_media_type") != "image" || sent.Get("query_text") != "aerial" {
		t.Errorf("sent %v, want text and image together", sent)
	}
	fake.mu.Lock()
	gotImage := fake.images[len(fake.images)-1]
	fake.mu.Unlock()
	if !bytes.Equal(gotImage, img) {
		t.Error("the API did not receive the uploaded image byte for byte")
	}
	if resp.Header.Get("HX-Push-Url") != "/search?index="+fakeIndexID+"&q=aerial" {
		t.Errorf("pushed %q, want the text part of the query", resp.Header.Get("HX-Push-Url"))
	}
	if !strings.Contains(texts(doc.Find(`[data-testid=results-summary]`))[0], "your image") {
		t.Error("the summary doesn't say the image was searched")
	}
	href := doc.Find(`[data-testid=result-link]`).First().AttrOr("href", "")
	if strings.Contains(href, "q=") {
		t.Errorf("watch link %s repeats a text-only search the image can't join", href)
	}
}

func TestSearchRejectsBadImages(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		wantText   string
	}{
		{"not an image", "notes.png", []byte("hello, I am text"), "isn't a JPEG or PNG"},
		{"too small", "dot.png", pngImage(t, 10, 10), "at least 64x64"},
		{"too large", "big.png", append(pngImage(t, 64, 64), make([]byte, maxQueryImageBytes)...), "larger than 5 MB"},
		{"far too large for the form", "huge.png", append(pngImage(t, 64, 64), make([]byte, 2*maxSearchFormBytes)...), "larger than 5 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeMarengo(t)
			app := newSearchApp(t, fake)
			body, ctype := multipartForm(t, url.Values{"index": {fakeIndexID}}, map[string][]byte{tt.file: tt.data})
			req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/search", body)
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("HX-Request", "true")
			req.Header.Set("HX-Target", "results")
			_, doc := app.do(t, req)
			if got := texts(doc.Find(`[data-testid=search-error]`)); len(got) == 0 || !strings.Contains(got[0], tt.wantText) {
				t.Errorf("error state %v, want %q", got, tt.wantText)
			}
			if fake.searchCount() != 0 {
				t.Error("a bad image reached the API")
			}
		})
	}
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 3), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
