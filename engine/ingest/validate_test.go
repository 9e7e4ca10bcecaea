package ingest

import (
	"net/netip"
	"testing"

	"glimpse/engine/media"
)

func TestValidate(t *testing.T) {
	ok := media.Info{HasVideo: true, Duration: 60, Width: 1280, Height: 720}
	with := func(f func(*media.Info)) *media.Info { i := ok; f(&i); return &i }
	for _, c := range []struct {
		name string
		info *media.Info
		code string
	}{
		{"720p minute", &ok, ""},
		{"MP4", with(func(i *media.Info) { i.Format = "mov,mp4,m4a,3gp,3g2,mj2" }), ""},
		{"HLS playlist", with(func(i *media.Info) { i.Format = "hls" }), "video_file_broken"},
		{"DASH manifest", with(func(i *media.Info) { i.Format = "dash" }), "video_file_broken"},
		{"portrait 360x640", with(func(i *media.Info) { i.Width, i.Height = 360, 640 }), ""},
		{"4K", with(func(i *media.Info) { i.Width, i.Height = 3840, 2160 }), ""},
		{"exactly 4 s", with(func(i *media.Info) { i.Duration = 4 }), ""},
		{"exactly 2 h", with(func(i *media.Info) { i.Duration = 7200 }), ""},
		{"no video", with(func(i *media.Info) { i.HasVideo = false }), "video_file_broken"},
		{"no duration", with(func(i *media.Info) { i.Duration = 0 }), "video_file_broken"},
		{"3.9 s", with(func(i *media.Info) { i.Duration = 3.9 }), "video_duration_too_short"},
		{"2 h 1 s", with(func(i *media.Info) { i.Duration = 7201 }), "video_duration_too_long"},
		{"640x359", with(func(i *media.Info) { i.Width, i.Height = 640, 359 }), "video_resolution_too_low"},
		{"5K", with(func(i *media.Info) { i.Width, i.Height = 5120, 2880 }), "video_resolution_too_high"},
		{"square 2400", with(func(i *media.Info) { i.Width, i.Height = 2400, 2400 }), "video_resolution_too_high"},
		{"3:1", with(func(i *media.Info) { i.Width, i.Height = 1200, 400 }), "video_resolution_invalid_aspect_ratio"},
	} {
		got := Validate(c.info)
		switch {
		case c.code == "" && got != nil:
			t.Errorf("%s: %v", c.name, got)
		case c.code != "" && (got == nil || got.Code != c.code || got.Message == ""):
			t.Errorf("%s: %v, want %s", c.name, got, c.code)
		}
	}
}

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::": false, "fc00::1": false,
		"fe80::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
		// Ranges that are not globally routable, or that translate to an
		// IPv4 address a gateway may reach inside (NAT64, 6to4).
		"0.1.2.3": false, "198.18.0.1": false, "240.0.0.1": false, "192.0.0.8": false,
		"64:ff9b::a00:1": false, "64:ff9b:1::a00:1": false, "2002:a00:1::1": false,
		"64:ff9b::808:808": true, "2002:808:808::1": true,
	} {
		if got := IsPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: %v", addr, got)
		}
	}
}
