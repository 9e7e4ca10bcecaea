package wire

import (
	"strings"
	"testing"
	"time"
)

func TestMediaLinks(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 20, 0, 0, time.UTC)
	links := &MediaLinks{Key: []byte("k1"), TTL: time.Hour, Now: func() time.Time { return now }}
	other := &MediaLinks{Key: []byte("k2"), TTL: time.Hour, Now: links.Now}
	const vid = "0123456789abcdef01234567"
	p := links.Path(vid, "hls/index.m3u8")
	parts := strings.Split(p, "/") // "", media, id, token, hls, index.m3u8
	if len(parts) != 6 || parts[1] != "media" || parts[2] != vid || parts[4] != "hls" {
		t.Fatalf("path %q", p)
	}
	token := parts[3]
	tests := []struct {
		name  string
		check func() bool
		want  bool
	}{
		{"issued token", func() bool { return links.Valid(vid, token) }, true},
		{"another video", func() bool { return links.Valid("ffffffffffffffffffffffff", token) }, false},
		{"another key", func() bool { return other.Valid(vid, token) }, false},
		{"no token", func() bool { return links.Valid(vid, "hls") }, false},
		{"tampered expiry", func() bool { return links.Valid(vid, "zzzzzz"+token[strings.Index(token, "~"):]) }, false},
		{"expired", func() bool {
			later := &MediaLinks{Key: links.Key, Now: func() time.Time { return now.Add(3 * time.Hour) }}
			return later.Valid(vid, token)
		}, false},
	}
	for _, tt := range tests {
		if got := tt.check(); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// Within the hour the link is the same, so browsers can cache it.
	links.Now = func() time.Time { return now.Add(20 * time.Minute) }
	if again := links.Path(vid, "hls/index.m3u8"); again != p {
		t.Errorf("link changed within the hour: %q then %q", p, again)
	}
}
