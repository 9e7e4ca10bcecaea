package media

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Segment length asked of ffmpeg, and the longest keyframe gap that stream
// copy may keep: beyond it segments would grow too long to seek well.
const (
	SegmentSeconds  = 4
	maxCopyKeyGap   = 10.0
	PlaylistName    = "index.m3u8"
	maxStreamHeight = 1080
)

// HLSPlan says how a source becomes HLS.
type HLSPlan struct {
	CopyVideo bool
	CopyAudio bool
	Reason    string // why video is transcoded, for logs
}

// PlanHLS decides between stream copy and transcoding: browsers play H.264
// (8-bit 4:2:0) with AAC, and copy needs keyframes every few seconds.
func (t Tools) PlanHLS(ctx context.Context, src string, info *Info) (HLSPlan, error) {
	plan := HLSPlan{CopyAudio: info.AudioCodec == "aac"}
	switch {
	case info.VideoCodec != "h264":
		plan.Reason = "video codec " + info.VideoCodec
	case info.PixelFormat != "yuv420p" && info.PixelFormat != "yuvj420p":
		plan.Reason = "pixel format " + info.PixelFormat
	case info.Rotation%360 != 0:
		// MPEG-TS cannot carry the rotation, so it is applied to the pixels.
		plan.Reason = fmt.Sprintf("rotated %d°", info.Rotation)
	default:
		gap, err := t.MaxKeyframeGap(ctx, src, info.Duration)
		if err != nil {
			return plan, err
		}
		if gap > maxCopyKeyGap {
			plan.Reason = fmt.Sprintf("keyframes %.1f s apart", gap)
		} else {
			plan.CopyVideo = true
		}
	}
	return plan, nil
}

// PackageHLS writes a VOD playlist (index.m3u8) and MPEG-TS segments of about
// SegmentSeconds into outDir. It writes into a temporary folder first and
// renames it, so outDir exists only complete. progress gets fractions in [0,1].
func (t Tools) PackageHLS(ctx context.Context, src, outDir string, info *Info, plan HLSPlan, progress func(float64)) error {
	tmp := outDir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	args := []string{"-nostdin", "-v", "error", "-y", "-i", src, "-map", "0:v:0"}
	if info.HasAudio {
		args = append(args, "-map", "0:a:0")
	}
	if plan.CopyVideo {
		args = append(args, "-c:v", "copy")
	} else {
		args = append(args, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
			"-force_key_frames", "expr:gte(t,n_forced*"+strconv.Itoa(SegmentSeconds)+")", "-sc_threshold", "0")
		if info.Height > maxStreamHeight && info.Width >= info.Height {
			args = append(args, "-vf", "scale=-2:"+strconv.Itoa(maxStreamHeight))
		} else if info.Width > maxStreamHeight && info.Height > info.Width {
			args = append(args, "-vf", "scale="+strconv.Itoa(maxStreamHeight)+":-2")
		}
	}
	if info.HasAudio {
		if plan.CopyAudio {
			args = append(args, "-c:a", "copy")
		} else {
			args = append(args, "-c:a", "aac", "-b:a", "128k", "-ac", "2")
		}
	}
	args = append(args, "-f", "hls", "-hls_time", strconv.Itoa(SegmentSeconds), "-hls_playlist_type", "vod",
		"-hls_segment_type", "mpegts", "-hls_segment_filename", filepath.Join(tmp, "seg_%05d.ts"),
		"-progress", "pipe:1", "-nostats", filepath.Join(tmp, PlaylistName))
	if err := t.runWithProgress(ctx, args, info.Duration, progress); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.RemoveAll(outDir); err != nil {
		return err
	}
	return os.Rename(tmp, outDir)
}

// runWithProgress runs ffmpeg with "-progress pipe:1" and reports out_time
// as a fraction of duration.
func (t Tools) runWithProgress(ctx context.Context, args []string, duration float64, progress func(float64)) error {
	cmd := Command(ctx, t.ffmpeg(), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k != "out_time_us" || duration <= 0 || progress == nil {
			continue
		}
		if us, err := strconv.ParseFloat(v, 64); err == nil && us > 0 {
			progress(min(1, us/1e6/duration))
		}
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &FFmpegError{Detail: firstLine(stderr.String(), err.Error())}
	}
	return nil
}

// FFmpegError is ffmpeg failing on a file it was given.
type FFmpegError struct{ Detail string }

func (e *FFmpegError) Error() string { return "ffmpeg: " + e.Detail }
