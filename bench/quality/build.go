package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Real photographs from Debian's mate-backgrounds package, narration
// synthesised by flite (its voices are recorded people), captions drawn by
// ffmpeg in a font from fonts-dejavu-core. scripts/deps.sh quality installs them.
const (
	photoDir = "/usr/share/backgrounds/mate/nature"
	fontBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	fontBook = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	frameW   = 1280
	frameH   = 720
	// minSegment is the least a shot lasts; a long narration stretches it.
	minSegment = 12.0
	// speechLead and captionLead: when narration and caption start after a cut.
	speechLead  = 0.8
	captionLead = 0.3
	// builderVersion changes when the way videos are built changes, so cached
	// builds from an older harness are not reused.
	builderVersion = "1"
)

// captionStyles are lower-third looks seen on television: outlined text,
// text on a translucent bar, dark text on a light bar, bare text with a
// drop shadow (the hardest on a busy picture).
var captionStyles = []struct {
	color, extra string
	size         int
}{
	{"white", "borderw=3:bordercolor=black", 54},
	{"0xFFD400", "box=1:boxcolor=black@0.55:boxborderw=14", 48},
	{"0x101010", "box=1:boxcolor=white@0.8:boxborderw=12", 46},
	{"white", "shadowx=3:shadowy=3:shadowcolor=black@0.7", 58},
}

// builtSegment is where a segment ended up in its video.
type builtSegment struct {
	Start, End               float64 // the shot
	SpeechStart, SpeechEnd   float64
	CaptionStart, CaptionEnd float64
}

// builtVideo is a video on disk and the times of its parts.
type builtVideo struct {
	Spec     videoSpec `json:"-"`
	ID       string    `json:"-"` // the engine's video id, once ingested
	Path     string
	Duration float64
	Segments []builtSegment
}

// build makes spec's video in dir, or reuses the one built before from the
// same spec (the file name carries a hash of spec and builder version).
func build(ctx context.Context, dir string, spec videoSpec) (*builtVideo, error) {
	// Only what shapes the picture and sound is in the key: editing the
	// queries or questions does not rebuild the videos.
	key, _ := json.Marshal(struct {
		V, Name, Bug string
		Noise        bool
		Segments     []segment
	}{builderVersion, spec.Name, spec.Bug, spec.Noise, spec.Segments})
	sum := sha256.Sum256(key)
	base := filepath.Join(dir, spec.Name+"-"+hex.EncodeToString(sum[:6]))
	meta := base + ".json"
	if b, err := os.ReadFile(meta); err == nil {
		var bv builtVideo
		if json.Unmarshal(b, &bv) == nil {
			if _, err := os.Stat(bv.Path); err == nil {
				bv.Spec = spec
				return &bv, nil
			}
		}
	}
	work, err := os.MkdirTemp(dir, spec.Name+"-work-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	bv := &builtVideo{Spec: spec, Path: base + ".mp4"}
	var list strings.Builder
	t := 0.0
	for i, seg := range spec.Segments {
		wav := filepath.Join(work, fmt.Sprintf("n%d.wav", i))
		if err := run(ctx, "flite", "-voice", seg.Voice, "-t", seg.Narration, "-o", wav); err != nil {
			return nil, err
		}
		speech, err := duration(ctx, wav)
		if err != nil {
			return nil, err
		}
		length := math.Max(minSegment, math.Ceil(speechLead+speech+1.5))
		out := filepath.Join(work, fmt.Sprintf("s%d.mp4", i))
		if err := renderSegment(ctx, work, i, spec, seg, wav, length, out); err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		fmt.Fprintf(&list, "file '%s'\n", out)
		bv.Segments = append(bv.Segments, builtSegment{
			Start: t, End: t + length,
			SpeechStart: t + speechLead, SpeechEnd: t + speechLead + speech,
			CaptionStart: t + captionLead, CaptionEnd: t + length - captionLead,
		})
		t += length
	}
	bv.Duration = t
	listFile := filepath.Join(work, "list.txt")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o644); err != nil {
		return nil, err
	}
	// Every segment has the same codecs and parameters: the cuts are joined
	// without re-encoding, so each is a hard cut exactly where it was made.
	if err := run(ctx, "ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listFile, "-c", "copy", "-movflags", "+faststart", bv.Path); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(bv, "", " ")
	if err := os.WriteFile(meta, b, 0o644); err != nil {
		return nil, err
	}
	// Builds of this video from an older spec are of no further use.
	old, _ := filepath.Glob(filepath.Join(dir, spec.Name+"-????????????.*"))
	for _, f := range old {
		if !strings.HasPrefix(f, base+".") {
			os.Remove(f)
		}
	}
	return bv, nil
}

// renderSegment draws one shot: the photograph panned slowly (so the
// background under the caption keeps changing, as footage does), the
// caption lines in the lower third, the channel label top left, and the
// narration after speechLead, over a quiet noise bed if asked.
func renderSegment(ctx context.Context, work string, i int, spec videoSpec, seg segment, wav string, length float64, out string) error {
	st := captionStyles[seg.Style%len(captionStyles)]
	// The photograph is scaled to cover 1440x810 and a 1280x720 window
	// travels across it; odd segments travel the other way.
	dx := "(iw-ow)*t/" + ftoa(length)
	if i%2 == 1 {
		dx = "(iw-ow)*(1-t/" + ftoa(length) + ")"
	}
	vf := []string{
		"scale=1440:810:force_original_aspect_ratio=increase",
		"crop=1440:810",
		"crop=" + strconv.Itoa(frameW) + ":" + strconv.Itoa(frameH) + ":x='" + dx + "':y='(ih-oh)/2'",
	}
	enable := fmt.Sprintf("enable='between(t,%s,%s)'", ftoa(captionLead), ftoa(length-captionLead))
	y := frameH - 200
	for k, line := range seg.Captions {
		file := filepath.Join(work, fmt.Sprintf("c%d_%d.txt", i, k))
		if err := os.WriteFile(file, []byte(line), 0o644); err != nil {
			return err
		}
		size, font := st.size, fontBold
		if k > 0 {
			size, font = st.size*3/4, fontBook
		}
		vf = append(vf, fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:fontsize=%d:fontcolor=%s:%s:x=70:y=%d:%s",
			font, file, size, st.color, st.extra, y, enable))
		y += size + 26
	}
	if spec.Bug != "" {
		file := filepath.Join(work, "bug.txt")
		if err := os.WriteFile(file, []byte(spec.Bug), 0o644); err != nil {
			return err
		}
		vf = append(vf, "drawtext=fontfile="+fontBold+":textfile="+file+":fontsize=26:fontcolor=white:box=1:boxcolor=0xB01818@0.9:boxborderw=8:x=40:y=36")
	}
	vf = append(vf, "format=yuv420p")
	photo := filepath.Join(photoDir, seg.Photo)
	delay := strconv.Itoa(int(speechLead * 1000))
	args := []string{"-v", "error", "-y", "-loop", "1", "-framerate", "25", "-t", ftoa(length), "-i", photo, "-i", wav}
	af := "[1:a]aresample=44100,adelay=" + delay + ":all=1,apad,atrim=0:" + ftoa(length)
	if spec.Noise {
		args = append(args, "-f", "lavfi", "-t", ftoa(length), "-i", "anoisesrc=color=pink:amplitude=0.03:sample_rate=44100")
		af += "[v];[2:a]volume=0.6[n];[v][n]amix=inputs=2:duration=first:normalize=0"
	}
	af += ",aformat=channel_layouts=mono[a]"
	args = append(args, "-filter_complex", "[0:v]"+strings.Join(vf, ",")+"[v0];"+af,
		"-map", "[v0]", "-map", "[a]", "-t", ftoa(length), "-r", "25",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "50",
		"-c:a", "aac", "-b:a", "96k", "-ar", "44100", out)
	return run(ctx, "ffmpeg", args...)
}

func duration(ctx context.Context, file string) (float64, error) {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file).Output()
	if err != nil {
		return 0, fmt.Errorf("ffprobe %s: %w", file, err)
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
