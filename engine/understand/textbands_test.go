package understand

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// renderFrame draws text over a busy ffmpeg test picture and returns the
// frame as the picture pass sees it (640x360 RGB).
func renderFrame(t *testing.T, background, drawtext string) rgb {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", background, "-frames:v", "1",
		"-vf", drawtext+",format=rgb24", "-f", "rawvideo", "pipe:1").Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	if len(out) != 640*360*3 {
		t.Fatalf("ffmpeg gave %d bytes, want a 640x360 RGB frame", len(out))
	}
	return rgb{W: 640, H: 360, Pix: out}
}

// Captions in the styles television uses, over pictures that defeat a
// whole-frame reading (tesseract given the whole frame reads none of these
// whole): shadowed white text on bright or busy pictures, yellow on a
// translucent bar and dark text on a light box over colour bars.
func TestCaptionsReadOverBusyPictures(t *testing.T) {
	ocr := &OCR{Tesseract: "tesseract"}
	const caption = "WINDOWSILL GARDENS REOPEN"
	bright := "mandelbrot=size=640x360,eq=brightness=0.35"
	fractal := "mandelbrot=size=640x360"
	bars := "testsrc2=size=640x360"
	tests := []struct {
		name, background, style string
	}{
		{"yellow on a translucent bar", bars, "fontcolor=0xFFD400:box=1:boxcolor=black@0.55:boxborderw=7:y=250"},
		{"dark on a light box", bars, "fontcolor=0x101010:box=1:boxcolor=white@0.8:boxborderw=6:y=250"},
		{"shadowed white on a bright picture", bright, "fontcolor=white:shadowx=2:shadowy=2:shadowcolor=black@0.7:y=250"},
		{"shadowed white across a busy picture", fractal, "fontcolor=white:shadowx=2:shadowy=2:shadowcolor=black@0.7:y=180"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := renderFrame(t, tc.background, fmt.Sprintf("drawtext=font=Sans:text='%s':fontsize=28:x=40:%s", caption, tc.style))
			f, err := prepareOCR(t.TempDir(), fmt.Sprint(i), 4, p, true)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := ocr.ReadFrame(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			found := false
			for _, l := range lines {
				got = append(got, l.Text)
				found = found || captionKey(l.Text) == caption
				if l.Time != 4 || l.Conf < minLineConf {
					t.Errorf("line %+v: want time 4 and a believable confidence", l)
				}
			}
			if !found {
				t.Errorf("read %q, want the caption %q whole", got, caption)
			}
		})
	}
}

func TestOnScreenSpansVote(t *testing.T) {
	read := func(at, conf float64, text string) TextLine { return TextLine{Time: at, Text: text, Conf: conf} }
	lines := []TextLine{
		read(0, 96, "NATURE DESK"), read(0, 80, "GARDEN TRAI"),
		read(2, 96, "NATURE DESK"), read(2, 95, "GARDEN TRAIL CLOSED"), read(2, 62, "ea Sn"),
		read(4, 96, "NATURE DESK"), read(4, 94, "| GARDEN TRAIL CLOSED"),
		read(6, 96, "NATURE DESK"), read(6, 90, "GARDEN TRAIL CLO"),
		// A read missed at 8 (a blurred frame) does not split the caption.
		read(8, 96, "NATURE DESK"),
		read(10, 96, "NATURE DESK"), read(10, 93, "GARDEN TRAIL CLOSED"),
		read(12, 96, "NATURE DESK"), read(12, 95, "KESTREL NESTS FOUND"),
		read(14, 96, "NATURE DESK"), read(14, 95, "KESTREL NESTS FOUND"),
		// Read whole once, then with its end cut off more and more as a
		// light picture slides under it; a doubtful read with junk added.
		read(16, 96, "CHIEF EXECUTIVE"), read(18, 93, "CHIEF EXECUTI"), read(20, 95, "CHIEF EXECU"),
		read(22, 95, "CHIEF EXEC"), read(24, 94, "CHIEF EXE"), read(26, 67, "CHIEF EXECUTIVE Sq"),
	}
	got := onScreenSpans(lines, 28)
	var have []string
	for _, s := range got {
		have = append(have, fmt.Sprintf("%g-%g %s", s.Start, s.End, s.Text))
	}
	want := []string{"0-16 NATURE DESK", "0-12 GARDEN TRAIL CLOSED", "12-16 KESTREL NESTS FOUND", "16-28 CHIEF EXECUTIVE"}
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}
