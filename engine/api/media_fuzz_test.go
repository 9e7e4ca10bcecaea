package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"glimpse/engine/store"
	"glimpse/engine/wire"
)

// FuzzMediaPath checks that no request path reaches a file outside a
// video's served folders (the source, the database, anything else).
func FuzzMediaPath(f *testing.F) {
	data := f.TempDir()
	videos := filepath.Join(data, "videos")
	const id = "0123456789abcdef01234567"
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(videos, id, "hls"), 0o755))
	must(os.WriteFile(filepath.Join(videos, id, "hls", "index.m3u8"), []byte("#EXTM3U served"), 0o644))
	must(os.WriteFile(filepath.Join(videos, id, "source.mp4"), []byte("SECRET source"), 0o644))
	must(os.WriteFile(filepath.Join(videos, id, "understanding.json"), []byte("SECRET understanding"), 0o644))
	must(os.WriteFile(filepath.Join(data, "secret.m3u8"), []byte("SECRET outside"), 0o644))
	st, err := store.Open(filepath.Join(data, "engine.db"), videos)
	must(err)
	f.Cleanup(func() { st.Close() })
	links := wire.NewMediaLinks("", nil, 0)
	h := (&Server{Store: st, Media: links, Logger: slog.New(slog.DiscardHandler)}).Handler()
	signed := links.Path(id, "") // /media/{id}/{token}/

	for _, seed := range []string{
		signed + "hls/index.m3u8",
		signed + "source.mp4",
		signed + "hls/../source.mp4",
		signed + "hls/%2e%2e/%2e%2e/%2e%2e/secret.m3u8",
		signed + "..%2f..%2fsecret.m3u8",
		"/media/..%2f..%2fsecret.m3u8",
		signed + "hls//../../../secret.m3u8",
		"/media/" + id + "/hls/index.m3u8",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		req, err := http.NewRequest("GET", "http://engine"+path, nil)
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		if strings.Contains(string(body), "SECRET") {
			t.Fatalf("%q served a private file: %d %s", path, rec.Code, body)
		}
	})
}
