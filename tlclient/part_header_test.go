package tlclient

import "testing"

func TestFilePartHeaderCannotBeBrokenByAFileName(t *testing.T) {
	tests := []struct {
		filename string
		want     string
	}{
		{"clip.mp4", `form-data; name="video_file"; filename="clip.mp4"`},
		{`say "hi".mp4`, `form-data; name="video_file"; filename="say \"hi\".mp4"`},
		{`back\slash.mp4`, `form-data; name="video_file"; filename="back\\slash.mp4"`},
		{"evil.mp4\r\nContent-Type: text/html", `form-data; name="video_file"; filename="evil.mp4Content-Type: text/html"`},
		{"a\nb.mp4", `form-data; name="video_file"; filename="ab.mp4"`},
	}
	for _, tt := range tests {
		h := filePartHeader("video_file", tt.filename)
		if got := h.Get("Content-Disposition"); got != tt.want {
			t.Errorf("filename %q: Content-Disposition %q, want %q", tt.filename, got, tt.want)
		}
		if len(h) != 2 {
			t.Errorf("filename %q: headers %v, want only Content-Disposition and Content-Type", tt.filename, h)
		}
	}
}
