package understand

import (
	"context"
	"testing"

	"glimpse/internal/testmedia"
)

// BenchmarkPictures measures the picture pass alone (decode, shots, clip
// descriptors, thumbnails) over example.mp4, without OCR.
func BenchmarkPictures(b *testing.B) {
	src := testmedia.Path(b, "example.mp4")
	st, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		v := probe(b, src, b.TempDir())
		if _, _, _, err := st.pictures(context.Background(), v, func(float64, rgb) error { return nil }, func(float64) {}); err != nil {
			b.Fatal(err)
		}
	}
}
