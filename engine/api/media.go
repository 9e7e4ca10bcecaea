package api

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"glimpse/engine/wire"
)

// Folders of a video's directory that are served; the source and
// understanding.json are not.
var servedFolders = map[string]bool{"hls": true, "thumbnails": true, "clips": true}

// Content types set explicitly: Debian's mime.types maps .ts to a Qt type
// and .m3u8 to an audio type.
var mediaTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".webp": "image/webp",
	".mp4":  "video/mp4",
}

func setCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Range")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges")
}

// serveMedia serves /media/{video_id}/{token}/{file...} with byte ranges,
// to holders of a link the engine signed.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) error {
	setCORS(w)
	videoID, file := r.PathValue("video_id"), r.PathValue("file")
	if !s.Media.Valid(videoID, r.PathValue("token")) {
		return wire.Errorf(http.StatusForbidden, "media_link_invalid",
			"This media link is not valid or has expired; ask the API for the video again for a fresh one.")
	}
	clean := path.Clean("/" + file)[1:]
	folder, _, _ := strings.Cut(clean, "/")
	ctype, known := mediaTypes[strings.ToLower(path.Ext(clean))]
	if !idPattern.MatchString(videoID) || clean != file || !servedFolders[folder] || !known {
		return wire.NotFound("There is no media file " + r.URL.Path + ".")
	}
	f, err := os.Open(filepath.Join(s.Store.VideoDir(videoID), filepath.FromSlash(clean)))
	if err != nil {
		return wire.NotFound("There is no media file " + r.URL.Path + ".")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return wire.NotFound("There is no media file " + r.URL.Path + ".")
	}
	w.Header().Set("Content-Type", ctype)
	// A video's files never change once written (a redo gets the same
	// names only after a restart), so caches may keep them; the playlist is
	// kept briefly in case a video is deleted and its URL reused by a page.
	if path.Ext(clean) == ".m3u8" {
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}
