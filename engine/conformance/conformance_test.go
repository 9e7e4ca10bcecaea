// Package conformance runs the official TwelveLabs SDK against a live local
// engine (the full one, from engine/full) over loopback, and validates
// every response the engine gives it against TwelveLabs' full description.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

// sdkScript is one Node script in testdata run with one SDK version. Others
// add theirs (analyze, gist, summarize) to the scripts table.
type sdkScript struct {
	file string // in testdata/
	sdk  string // version folder under $GLIMPSE_TESTDATA/sdk
	// check looks further at what the script printed as "RESULT {json}".
	check func(t *testing.T, h *harness, result map[string]any)
}

var scripts = []sdkScript{
	{file: "sdk_core.mjs", sdk: "1.3.4", check: checkCore},
	// Generation (engine/generate) analyzes the example sdk_core leaves.
	{file: "sdk_analyze.mjs", sdk: "1.3.1"},
	{file: "sdk_analyze_video.mjs", sdk: "1.3.4"},
	{file: "sdk_gist_summarize.mjs", sdk: "1.2.0"},
	// Search and embeddings (engine/search) over the example sdk_core leaves.
	{file: "sdk_search.mjs", sdk: "1.3.4"},
	// The whole flow, index to teardown, on a short clip with each version.
	{file: "sdk_flow.mjs", sdk: "1.3.4", check: checkDeletedFiles},
	{file: "sdk_flow.mjs", sdk: "1.3.1", check: checkDeletedFiles},
	{file: "sdk_flow.mjs", sdk: "1.2.0", check: checkDeletedFiles},
	// Last: the documented teardown (video, then task, then index) with
	// the oldest SDK.
	{file: "sdk_cleanup.mjs", sdk: "1.2.0", check: checkDeletedFiles},
}

// harness is the live engine and the media server the scripts use.
type harness struct {
	testdata string
	dataDir  string
	engine   *httptest.Server
	media    *httptest.Server
	apiKey   string
	clip     string // a short cut of example.mp4 and one of its frames (makeClip)
	still    string
}

func TestSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run the official SDK: install nodejs (scripts/deps.sh test)")
	}
	h := &harness{testdata: testmedia.Dir(t), dataDir: t.TempDir(), apiKey: "conformance-key"}
	mediaDir := filepath.Join(h.testdata, "media")
	if _, err := os.Stat(filepath.Join(mediaDir, "example.mp4")); err != nil {
		t.Fatalf("the SDK's example.mp4 is missing from %s: run `make testdata`", mediaDir)
	}
	h.clip, h.still = makeClip(t, filepath.Join(mediaDir, "example.mp4"))
	eng, err := full.New(full.Config{Config: engine.Config{DataDir: h.dataDir, APIKey: h.apiKey, AllowPrivateURLs: true}})
	if err != nil {
		t.Fatal(err)
	}
	spec := newSpecCheck(t)
	h.engine = httptest.NewServer(spec.wrap(eng.Handler()))
	h.media = httptest.NewServer(http.FileServer(http.Dir(mediaDir)))
	t.Cleanup(func() {
		h.engine.Close()
		h.media.Close()
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
	})

	for _, s := range scripts {
		t.Run(strings.TrimSuffix(s.file, ".mjs")+" "+s.sdk, func(t *testing.T) {
			sdkRoot := filepath.Join(h.testdata, "sdk", s.sdk)
			if _, err := os.Stat(filepath.Join(sdkRoot, "node_modules", "twelvelabs-js", "package.json")); err != nil {
				t.Fatalf("twelvelabs-js %s is missing from %s: run `make testdata`", s.sdk, sdkRoot)
			}
			result := h.run(t, node, s.file, sdkRoot)
			if s.check != nil {
				s.check(t, h, result)
			}
		})
	}
	// Every response the scripts got, held to the full description.
	// sdk_flow.mjs drives all 22 operations with each version.
	t.Run("full description", func(t *testing.T) { spec.report(t, []string{"1.3.4", "1.3.1", "1.2.0"}) })
}

// run runs one script and returns its RESULT object.
func (h *harness) run(t *testing.T, node, file, sdkRoot string) map[string]any {
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Bound(t))
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(),
		"SDK_ROOT="+sdkRoot,
		"TWELVELABS_BASE_URL="+h.engine.URL+"/v1.3",
		"TWELVE_LABS_API_KEY="+h.apiKey,
		"MEDIA_DIR="+filepath.Join(h.testdata, "media"),
		"MEDIA_URL="+h.media.URL,
		"CLIP="+h.clip,
		"STILL="+h.still,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s failed: %v\n--- stderr\n%s\n--- stdout\n%s", file, err, stderr.String(), stdout.String())
	}
	var result map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			if err := json.Unmarshal([]byte(rest), &result); err != nil {
				t.Fatalf("%s printed a bad RESULT: %v", file, err)
			}
		}
	}
	if result == nil {
		t.Fatalf("%s printed no RESULT line; stderr:\n%s", file, stderr.String())
	}
	return result
}

// makeClip cuts 0:40-1:00 of the example (aerial footage, the "bottled
// water" caption from 0:52) for sdk_flow.mjs, re-encoded so that it
// starts on a picture and lasts 20 s to the frame, and takes its frame at
// 0:08 as a PNG still.
func makeClip(t *testing.T, example string) (clip, still string) {
	dir := t.TempDir()
	clip, still = filepath.Join(dir, "clip.mp4"), filepath.Join(dir, "still.png")
	for _, args := range [][]string{
		{"-ss", "40", "-i", example, "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", clip},
		{"-ss", "8", "-i", clip, "-frames:v", "1", still},
	} {
		if out, err := exec.Command("ffmpeg", append([]string{"-v", "error"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	return clip, still
}

// checkCore plays what sdk_core left: the HLS URL the SDK was given
// downloads (playlist and segments) and ffprobe reads it back; deleted
// videos left no files.
func checkCore(t *testing.T, h *harness, result map[string]any) {
	urls, _ := result["hls_urls"].([]any)
	if len(urls) == 0 {
		t.Fatal("no hls_urls in RESULT")
	}
	for _, u := range urls {
		playlistURL := u.(string)
		if !strings.HasPrefix(playlistURL, h.engine.URL+"/media/") {
			t.Errorf("hls URL %s is not absolute under the engine", playlistURL)
		}
		playlist := fetch(t, playlistURL, "application/vnd.apple.mpegurl")
		if !strings.Contains(string(playlist), "#EXT-X-ENDLIST") {
			t.Errorf("playlist is not a complete VOD playlist:\n%s", playlist)
		}
		base := playlistURL[:strings.LastIndex(playlistURL, "/")+1]
		var stream []byte
		segments := 0
		for _, line := range strings.Split(string(playlist), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			stream = append(stream, fetch(t, base+line, "video/mp2t")...)
			segments++
		}
		joined := filepath.Join(t.TempDir(), "stream.ts")
		if err := os.WriteFile(joined, stream, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "default=nw=1", joined).Output()
		if err != nil {
			t.Fatalf("ffprobe cannot read the stream: %v", err)
		}
		probe := string(out)
		for _, want := range []string{"codec_name=h264", "codec_name=aac", "width=640", "height=360"} {
			if !strings.Contains(probe, want) {
				t.Errorf("stream lacks %s:\n%s", want, probe)
			}
		}
		if d := probeDuration(probe); d < 159 || d > 162 {
			t.Errorf("stream lasts %.1f s, want the example's 160.5 s", d)
		}
		if segments < 16 {
			t.Errorf("%d segments for 160 s; want segments of a few seconds", segments)
		}
	}
	checkDeletedFiles(t, h, result)
}

// checkDeletedFiles: the videos a script deleted left no files.
func checkDeletedFiles(t *testing.T, h *harness, result map[string]any) {
	deleted, _ := result["deleted_video_ids"].([]any)
	if len(deleted) == 0 {
		t.Error("no deleted_video_ids in RESULT")
	}
	for _, id := range deleted {
		if _, err := os.Stat(filepath.Join(h.dataDir, "videos", id.(string))); !os.IsNotExist(err) {
			t.Errorf("files of deleted video %s remain: %v", id, err)
		}
	}
}

func fetch(t *testing.T, url, contentType string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
		t.Fatalf("GET %s: %d %s %v", url, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET %s: no CORS header", url)
	}
	return b
}

func probeDuration(probe string) float64 {
	for _, l := range strings.Split(probe, "\n") {
		if v, ok := strings.CutPrefix(l, "duration="); ok {
			d, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return d
		}
	}
	return 0
}
