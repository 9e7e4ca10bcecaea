// Package static holds the web app's CSS, JS and vendored libraries
// (htmx, htmx-ext-sse, hls.js; see scripts/vendor-assets.sh), embedded in
// the binary and served under /static/<version>/<name>, where the version
// is a hash of the embedded files: a new build gets new URLs, so the files
// can be cached for a year.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed app.css app.js vendor/*.js
//go:embed search.css search.js thumbs.js watch.js
//go:embed analysis.css favicon.svg
var files embed.FS

// Prefix is where the handler is mounted.
const Prefix = "/static/"

// Version is the content hash of the embedded files (12 hex digits).
var Version = sync.OnceValue(func() string {
	h := sha256.New()
	var names []string
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	for _, n := range names {
		f, err := files.Open(n)
		if err != nil {
			continue
		}
		io.WriteString(h, n+"\x00")
		io.Copy(h, f)
		f.Close()
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// URL is the versioned URL of an embedded file.
func URL(name string) string { return Prefix + Version() + "/" + name }

// contentTypes are set by hand: the system's mime table is not to be
// trusted (Debian maps some web types oddly).
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
}

// Handler serves /static/<version>/<name>. The current version is cached
// for a year as immutable; an old version's URL still gets the file, but
// not cached, so a page from before a deploy keeps working.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
		version, name, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || name == "" || strings.Contains(name, "..") {
			http.NotFound(w, r)
			return
		}
		name = path.Clean(name)
		data, err := files.ReadFile(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ct, known := contentTypes[path.Ext(name)]
		if !known {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if version == Version() {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("ETag", `"`+Version()+`"`)
		http.ServeContent(w, r, "", fixedModTime, bytes.NewReader(data))
	})
}

// fixedModTime: embedded files have no time; the ETag does the validating.
var fixedModTime = time.Unix(0, 0)
