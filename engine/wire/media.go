package wire

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MediaLinks makes and checks the engine's media URLs. The player and
// <img> tags load media without an API key, so each link carries its own
// proof instead: /media/{video_id}/{expiry}~{signature}/{file}. The token is
// a path segment rather than a query string so the relative segment URLs
// inside an HLS playlist inherit it. Expiries are rounded up to the hour, so
// a link stays the same (and cacheable) for an hour.
type MediaLinks struct {
	// Mount is where the engine is mounted ("" or "/engine").
	Mount string
	// Key signs links; NewMediaLinks draws a random one when nil, so links
	// die with the process that issued them.
	Key []byte
	// TTL is how long a link is good for, at least.
	TTL time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// NewMediaLinks returns links under mount with key (random when nil) that
// live at least ttl (12 h when 0).
func NewMediaLinks(mount string, key []byte, ttl time.Duration) *MediaLinks {
	if key == nil {
		key = make([]byte, 32)
		rand.Read(key)
	}
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	return &MediaLinks{Mount: mount, Key: key, TTL: ttl}
}

func (m *MediaLinks) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// URL is the absolute, signed URL of rel (e.g. "hls/index.m3u8") in a
// video's media folder, as seen by the client of r.
func (m *MediaLinks) URL(r *http.Request, videoID, rel string) string {
	return BaseURL(r, m.Mount) + m.Path(videoID, rel)
}

// Path is the signed path of rel relative to the engine's mount.
func (m *MediaLinks) Path(videoID, rel string) string {
	exp := m.now().Add(m.TTL).Truncate(time.Hour).Add(time.Hour).Unix()
	e := strconv.FormatInt(exp, 36)
	return "/media/" + videoID + "/" + e + "~" + m.sign(videoID, e) + "/" + rel
}

// Valid reports whether token was issued for videoID and has not expired.
func (m *MediaLinks) Valid(videoID, token string) bool {
	e, sig, ok := strings.Cut(token, "~")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(e, 36, 64)
	if err != nil || m.now().Unix() >= exp {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(m.sign(videoID, e)))
}

func (m *MediaLinks) sign(videoID, exp string) string {
	h := hmac.New(sha256.New, m.Key)
	h.Write([]byte(videoID + "/" + exp))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
