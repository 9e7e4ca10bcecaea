// Package media wraps ffprobe and ffmpeg: probing an upload, packaging HLS,
// and making a poster and thumbnails.
package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Tools names the ffprobe and ffmpeg binaries ("" means look them up in PATH).
type Tools struct {
	FFprobe string
	FFmpeg  string
}

func (t Tools) ffprobe() string {
	if t.FFprobe != "" {
		return t.FFprobe
	}
	return "ffprobe"
}

func (t Tools) ffmpeg() string {
	if t.FFmpeg != "" {
		return t.FFmpeg
	}
	return "ffmpeg"
}

// Info is what ffprobe tells of a file.
type Info struct {
	Duration    float64
	HasVideo    bool
	Width       int // as displayed, rotation applied
	Height      int
	FPS         float64
	VideoCodec  string
	PixelFormat string
	// Rotation is the display rotation in degrees (phones record portrait
	// video as rotated landscape).
	Rotation   int
	HasAudio   bool
	AudioCodec string
	// Format is ffprobe's format_name, for example "mov,mp4,m4a,3gp,3g2,mj2".
	Format string
}

type probeJSON struct {
	Streams []struct {
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		PixFmt       string `json:"pix_fmt"`
		AvgFrameRate string `json:"avg_frame_rate"`
		RFrameRate   string `json:"r_frame_rate"`
		Duration     string `json:"duration"`
		Disposition  struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
		SideDataList []struct {
			Rotation float64 `json:"rotation"`
		} `json:"side_data_list"`
		Tags map[string]string `json:"tags"`
	} `json:"streams"`
	Format struct {
		Name     string `json:"format_name"`
		Duration string `json:"duration"`
	} `json:"format"`
}

// ProbeError says ffprobe could not read the file as media at all.
type ProbeError struct{ Detail string }

func (e *ProbeError) Error() string { return "ffprobe: " + e.Detail }

// Probe reads path's streams and duration. A file ffprobe cannot parse is a
// *ProbeError.
func (t Tools) Probe(ctx context.Context, path string) (*Info, error) {
	cmd := Command(ctx, t.ffprobe(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, &ProbeError{Detail: firstLine(stderr.String(), err.Error())}
	}
	var p probeJSON
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, &ProbeError{Detail: "unreadable ffprobe output"}
	}
	info := &Info{Duration: parseFloat(p.Format.Duration), Format: p.Format.Name}
	for _, s := range p.Streams {
		switch {
		case s.CodecType == "video" && s.Disposition.AttachedPic == 0 && !info.HasVideo:
			info.HasVideo = true
			info.VideoCodec, info.PixelFormat = s.CodecName, s.PixFmt
			info.Width, info.Height = s.Width, s.Height
			rotation := 0.0
			for _, sd := range s.SideDataList {
				if sd.Rotation != 0 {
					rotation = sd.Rotation
				}
			}
			if r := parseFloat(s.Tags["rotate"]); r != 0 {
				rotation = r
			}
			info.Rotation = int(rotation)
			if int(math.Abs(rotation))%180 == 90 {
				info.Width, info.Height = info.Height, info.Width
			}
			info.FPS = parseRate(s.AvgFrameRate)
			if info.FPS == 0 {
				info.FPS = parseRate(s.RFrameRate)
			}
			if info.Duration == 0 {
				info.Duration = parseFloat(s.Duration)
			}
		case s.CodecType == "audio" && !info.HasAudio:
			info.HasAudio, info.AudioCodec = true, s.CodecName
		}
	}
	return info, nil
}

// MaxKeyframeGap returns the longest stretch, in seconds, between two
// keyframes of the first video stream (the end counts as a keyframe). Stream
// copy can cut HLS segments only at keyframes.
func (t Tools) MaxKeyframeGap(ctx context.Context, path string, duration float64) (float64, error) {
	cmd := Command(ctx, t.ffprobe(), "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	var keys []float64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		pts, flags, ok := strings.Cut(sc.Text(), ",")
		if ok && strings.HasPrefix(flags, "K") {
			if v, err := strconv.ParseFloat(pts, 64); err == nil {
				keys = append(keys, v)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("ffprobe packets: %w", err)
	}
	if len(keys) == 0 {
		return duration, nil
	}
	keys = append(keys, duration)
	maxGap := keys[0] // a late first keyframe is a gap too
	for i := 1; i < len(keys); i++ {
		maxGap = math.Max(maxGap, keys[i]-keys[i-1])
	}
	return maxGap, nil
}

func parseFloat(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func parseRate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		return parseFloat(s)
	}
	n, d := parseFloat(num), parseFloat(den)
	if d == 0 {
		return 0
	}
	return math.Round(n/d*1000) / 1000
}

func firstLine(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}
