package ingest

import (
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
