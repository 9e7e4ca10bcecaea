package pipeline

import (
	"strings"
	"testing"
)

func TestPublicReasonHidesPathsAndInternals(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The file could not be read as a video (/var/lib/glimpse/engine/videos/0a1b/source.mp4: Invalid data found when processing input).",
			"The file could not be read as a video (Invalid data found when processing input)."},
		{"The video could not be decoded: ffmpeg: [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d4c1a2b3c0] moov atom not found",
			"The video could not be decoded: ffmpeg: moov atom not found"},
		{"open /tmp/glimpse-understand-123/frames/0001.png: no such file or directory",
			"open the file: no such file or directory"},
		{"The video's duration could not be read; the file may be damaged.", "The video's duration could not be read; the file may be damaged."},
		{"The video at video_url could not be downloaded: the server answered 404 Not Found.", "The video at video_url could not be downloaded: the server answered 404 Not Found."},
	}
	for _, tt := range tests {
		got := PublicReason(tt.in)
		if got != tt.want {
			t.Errorf("PublicReason(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "/tmp") || strings.Contains(got, "/var") || strings.Contains(got, "0x") {
			t.Errorf("%q still shows server internals", got)
		}
	}
}
