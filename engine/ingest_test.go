package engine_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"glimpse/engine"
	"glimpse/engine/pipeline"

	"go.uber.org/goleak"
)

// fixtures are the synthetic inputs, made once per test binary.
var (
	fixturesOnce sync.Once
	fixtureDir   string
	fixtureErr   error
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	fixturesOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "engine-fixtures-")
		if fixtureErr != nil {
			return
		}
		makes := map[string][]string{
			"good.mp4":      lavfi(5, 640, 360),
			"short.mp4":     lavfi(2, 640, 360),
			"tiny.mp4":      lavfi(5, 160, 120),
			"wide.mp4":      lavfi(5, 1280, 360),
			"mpeg4.mkv":     {"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=5", "-f", "lavfi", "-i", "sine=duration=5", "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest"},
			"longgop.mp4":   append(lavfi(24, 640, 360), "-x264-params", "keyint=600:min-keyint=600:scenecut=0"),
			"audioonly.m4a": {"-f", "lavfi", "-i", "sine=duration=5", "-c:a", "aac"},
			"private.ts":    lavfi(5, 640, 360),
			"silent.mp4":    {"-f", "lavfi", "-i", "testsrc2=size=480x360:rate=30:duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "60"},
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for name, args := range makes {
			wg.Go(func() {
				cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y"}, args...), filepath.Join(fixtureDir, name))...)
				if b, err := cmd.CombinedOutput(); err != nil {
					mu.Lock()
					fixtureErr = err
					mu.Unlock()
					_ = b
				}
			})
		}
		wg.Wait()
		if fixtureErr != nil {
			return
		}
		// A file that is not media at all, and an MP4 cut off before its index.
		noise := make([]byte, 200<<10)
		rand.Read(noise)
		fixtureErr = os.WriteFile(filepath.Join(fixtureDir, "noise.mp4"), noise, 0o644)
		// A phone-style portrait video: landscape pixels with a rotation tag.
		if fixtureErr == nil {
			fixtureErr = exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", filepath.Join(fixtureDir, "good.mp4"),
				"-c", "copy", "-metadata:s:v:0", "rotate=90", filepath.Join(fixtureDir, "rotated.mp4")).Run()
		}
		// An HLS playlist posing as a video: it names a file elsewhere on the
		// engine's machine, which the engine must not read on a client's word.
		if fixtureErr == nil {
			fixtureErr = os.WriteFile(filepath.Join(fixtureDir, "playlist.mp4"), []byte("#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:5.0,\n"+
				filepath.Join(fixtureDir, "private.ts")+"\n#EXT-X-ENDLIST\n"), 0o644)
		}
		good, _ := os.ReadFile(filepath.Join(fixtureDir, "good.mp4"))
		if fixtureErr == nil {
			fixtureErr = os.WriteFile(filepath.Join(fixtureDir, "truncated.mp4"), good[:len(good)/3], 0o644)
		}
	})
	if fixtureErr != nil {
		t.Fatalf("making fixtures: %v", fixtureErr)
	}
	return filepath.Join(fixtureDir, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	// Every engine was closed: its workers, intake and downloads are gone.
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestIngestOutcomes uploads good and bad inputs side by side and checks
// where each one ends up.
// serverPath is an absolute path of two or more segments.
var serverPath = regexp.MustCompile(`(^|[\s(:'"])/[^\s/]+/`)

func TestIngestOutcomes(t *testing.T) {
	e := startEngine(t, engine.Config{Workers: 2})
	index := e.createIndex(t, "outcomes", "thumbnail")
	cases := []struct {
		file     string
		wantCode string // "" = ready
		wantMsg  string
		width    int
		height   int
		seconds  float64
	}{
		{file: "good.mp4", width: 640, height: 360, seconds: 5},
		{file: "mpeg4.mkv", width: 640, height: 360, seconds: 5},
		{file: "longgop.mp4", width: 640, height: 360, seconds: 24},
		{file: "silent.mp4", width: 480, height: 360, seconds: 6},
		{file: "rotated.mp4", width: 360, height: 640, seconds: 5},
		{file: "short.mp4", wantCode: "video_duration_too_short", wantMsg: "2.0 s long"},
		{file: "tiny.mp4", wantCode: "video_resolution_too_low", wantMsg: "160x120"},
		{file: "wide.mp4", wantCode: "video_resolution_invalid_aspect_ratio", wantMsg: "1280x360"},
		{file: "audioonly.m4a", wantCode: "video_file_broken", wantMsg: "no video stream"},
		{file: "noise.mp4", wantCode: "video_file_broken", wantMsg: "could not be read"},
		{file: "truncated.mp4", wantCode: "video_file_broken", wantMsg: "could not be read"},
		{file: "playlist.mp4", wantCode: "video_file_broken", wantMsg: "refers to other files"},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		code, out := e.upload(t, map[string]string{"index_id": index}, fixture(t, c.file))
		if code != http.StatusOK || !hexID.MatchString(out["_id"].(string)) || !hexID.MatchString(out["video_id"].(string)) {
			t.Fatalf("%s: create task answered %d %v", c.file, code, out)
		}
		ids[i] = out["_id"].(string)
	}
	for i, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			tk := e.waitTask(t, ids[i])
			if c.wantCode != "" {
				if tk.Status != "failed" || tk.Failure == nil || tk.Failure.Code != c.wantCode {
					t.Fatalf("status %s failure %+v, want failed with %s", tk.Status, tk.Failure, c.wantCode)
				}
				mustContain(t, tk.Failure.Message, c.wantMsg)
				// The reason is for a person: no path on the server, no
				// ffmpeg internals (the log has those).
				if serverPath.MatchString(tk.Failure.Message) || strings.Contains(tk.Failure.Message, "@ 0x") {
					t.Errorf("failure message shows server internals: %q", tk.Failure.Message)
				}
				if _, err := os.Stat(filepath.Join(e.dataDir, "videos", tk.VideoID, "hls")); err == nil {
					t.Error("a failed video has an HLS folder")
				}
				return
			}
			if tk.Status != "ready" || tk.Progress != 100 || tk.Failure != nil {
				t.Fatalf("status %s progress %v failure %+v", tk.Status, tk.Progress, tk.Failure)
			}
			if tk.SystemMetadata.Width != c.width || tk.SystemMetadata.Height != c.height || tk.SystemMetadata.Duration < c.seconds-0.1 {
				t.Errorf("system_metadata %+v", tk.SystemMetadata)
			}
			if tk.HLS == nil || tk.HLS.Status != "COMPLETE" || tk.HLS.VideoURL == "" {
				t.Fatalf("hls %+v", tk.HLS)
			}
			// poster + ThumbnailCount thumbnails, as the index has the addon
			if len(tk.HLS.ThumbnailURLs) != 6 {
				t.Errorf("thumbnail_urls %v", tk.HLS.ThumbnailURLs)
			}
			probe := checkPlayable(t, tk.HLS.VideoURL, c.seconds, c.file != "silent.mp4")
			// The stream shows the picture upright, whatever the source's rotation.
			mustContain(t, probe, fmt.Sprintf("width=%d\nheight=%d", c.width, c.height))
			for _, u := range tk.HLS.ThumbnailURLs {
				resp, b := get(t, u)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
					t.Errorf("thumbnail %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
		})
	}
}

// checkPlayable downloads a playlist and its segments and has ffprobe read
// the stream back: H.264 video of about the source's length.
func checkPlayable(t *testing.T, playlistURL string, wantSeconds float64, withAudio bool) string {
	t.Helper()
	resp, body := get(t, playlistURL)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apple.mpegurl" ||
		resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") == "" {
		t.Fatalf("playlist: %d %v", resp.StatusCode, resp.Header)
	}
	mustContain(t, string(body), "#EXT-X-ENDLIST")
	dir := t.TempDir()
	var segs []string
	for _, line := range strings.Split(string(body), "\n") {
		// Keyframe care: no segment runs much past the few seconds asked for.
		if v, ok := strings.CutPrefix(line, "#EXTINF:"); ok {
			if d := parseF(strings.TrimSuffix(v, ",")); d > 10.5 {
				t.Errorf("a segment lasts %.1f s", d)
			}
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u := playlistURL[:strings.LastIndex(playlistURL, "/")+1] + line
		resp, b := get(t, u)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/mp2t" {
			t.Fatalf("segment %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		p := filepath.Join(dir, line)
		os.WriteFile(p, b, 0o644)
		segs = append(segs, p)
	}
	// A byte range of the first segment comes back as 206.
	req, _ := http.NewRequest("GET", playlistURL[:strings.LastIndex(playlistURL, "/")+1]+filepath.Base(segs[0]), nil)
	req.Header.Set("Range", "bytes=0-187")
	rr, err := http.DefaultClient.Do(req)
	if err != nil || rr.StatusCode != http.StatusPartialContent || rr.ContentLength != 188 {
		t.Errorf("range request: %v %v", err, rr)
	}
	rr.Body.Close()
	joined := filepath.Join(dir, "all.ts")
	var all []byte
	for _, s := range segs {
		b, _ := os.ReadFile(s)
		all = append(all, b...)
	}
	os.WriteFile(joined, all, 0o644)
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "default=nw=1", joined).Output()
	if err != nil {
		t.Fatalf("ffprobe of the stream: %v", err)
	}
	mustContain(t, string(out), "codec_name=h264")
	if strings.Contains(string(out), "codec_name=aac") != withAudio {
		t.Errorf("audio in the stream: %v, want %v", !withAudio, withAudio)
	}
	var d float64
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "duration="); ok {
			d = parseF(v)
		}
	}
	if d < wantSeconds-0.5 || d > wantSeconds+1 {
		t.Errorf("stream lasts %.2f s, want about %.0f", d, wantSeconds)
	}
	return string(out)
}

// TestStreamDisabled: enable_video_stream=false keeps no stream and no
// source, but still a poster.
func TestStreamDisabled(t *testing.T) {
	e := startEngine(t, engine.Config{})
	index := e.createIndex(t, "nostream")
	_, out := e.upload(t, map[string]string{"index_id": index, "enable_video_stream": "false"}, fixture(t, "good.mp4"))
	tk := e.waitTask(t, out["_id"].(string))
	if tk.Status != "ready" || tk.HLS != nil {
		t.Fatalf("task %+v", tk)
	}
	dir := filepath.Join(e.dataDir, "videos", tk.VideoID)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if strings.Join(names, ",") != "thumbnails" {
		t.Errorf("video folder holds %v, want only thumbnails", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "thumbnails", "poster.jpg")); err != nil {
		t.Error(err)
	}
}

// TestUploadLimits: an upload over the limit is refused while it streams,
// and nothing is left on disk.
func TestUploadLimits(t *testing.T) {
	e := startEngine(t, engine.Config{MaxUploadBytes: 64 << 10})
	index := e.createIndex(t, "limits")
	code, out := e.upload(t, map[string]string{"index_id": index}, fixture(t, "good.mp4"))
	if code != http.StatusBadRequest || out["code"] != "video_filesize_too_large" {
		t.Fatalf("%d %v", code, out)
	}
	if left, _ := os.ReadDir(filepath.Join(e.dataDir, "tmp")); len(left) != 0 {
		t.Errorf("tmp holds %d files", len(left))
	}
	var list struct{ Data []task }
	e.call(t, "GET", "/tasks", nil, &list)
	if len(list.Data) != 0 {
		t.Errorf("a refused upload made a task: %+v", list.Data)
	}
	// The same limit applies to downloads.
	src := httptest.NewServer(http.FileServer(http.Dir(fixtureDir)))
	defer src.Close()
	_, out = e.upload(t, map[string]string{"index_id": index, "video_url": src.URL + "/good.mp4"}, "")
	tk := e.waitTask(t, out["_id"].(string))
	if tk.Failure == nil || tk.Failure.Code != "video_filesize_too_large" {
		t.Errorf("download over the limit: %+v", tk)
	}
}

// TestVideoURL downloads from a loopback server, and refuses loopback when
// private URLs are not allowed.
func TestVideoURL(t *testing.T) {
	src := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(fixture(t, "good.mp4")))))
	defer src.Close()
	e := startEngine(t, engine.Config{})
	index := e.createIndex(t, "urls")
	code, out := e.upload(t, map[string]string{"index_id": index, "video_url": src.URL + "/good.mp4"}, "")
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, out)
	}
	tk := e.waitTask(t, out["_id"].(string))
	if tk.Status != "ready" || tk.SystemMetadata.Filename != "good.mp4" || tk.HLS == nil {
		t.Fatalf("task %+v", tk)
	}
	_, out = e.upload(t, map[string]string{"index_id": index, "video_url": src.URL + "/missing.mp4"}, "")
	if tk := e.waitTask(t, out["_id"].(string)); tk.Failure == nil || !strings.Contains(tk.Failure.Message, "404") {
		t.Errorf("missing URL: %+v", tk)
	}

	guarded, err := engine.New(engine.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer guarded.Close()
	gs := httptest.NewServer(guarded.Handler())
	defer gs.Close()
	g := &testEngine{Engine: guarded, srv: gs}
	gIndex := g.createIndex(t, "guarded")
	for _, u := range []string{src.URL + "/good.mp4", "http://localhost:1/x.mp4", "http://[::1]/x.mp4", "http://10.0.0.1/x.mp4", "file:///etc/passwd"} {
		code, out := g.upload(t, map[string]string{"index_id": gIndex, "video_url": u}, "")
		if code != http.StatusBadRequest || out["code"] != "parameter_invalid" {
			t.Errorf("%s: %d %v", u, code, out)
		}
	}
}

// transcriptStage stands in for an understanding stage: it writes an
// understanding with one span per second of video.
type transcriptStage struct{}

func (transcriptStage) Name() string    { return "transcript" }
func (transcriptStage) Weight() float64 { return 1 }
func (transcriptStage) Run(_ context.Context, v *pipeline.Video, progress func(float64)) error {
	u := &pipeline.Understanding{Duration: v.Duration}
	if _, err := os.Stat(filepath.Join(v.Dir, "hls", "index.m3u8")); err != nil {
		return &pipeline.StageError{Code: "video_file_broken", Message: "core stages did not run first"}
	}
	for s := 0.0; s+1 <= v.Duration; s++ {
		u.Transcript = append(u.Transcript, pipeline.Span{Start: s, End: s + 1, Text: "second " + string(rune('0'+int(s))), Conf: []float64{0.9, 0.3}})
	}
	progress(1)
	return u.Save(v.Dir)
}

type recordingListener struct {
	mu     sync.Mutex
	events []string
}

func (l *recordingListener) VideoReady(_ context.Context, v *pipeline.Video) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "ready "+v.VideoID)
	return nil
}
func (l *recordingListener) VideoDeleted(indexID, videoID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "deleted "+indexID+"/"+videoID)
}
func (l *recordingListener) IndexDeleted(indexID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "index deleted "+indexID)
}

func parseF(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f
}
