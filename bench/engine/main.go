// Command engine benchmarks the local engine core (no understanding stages):
//
//	go run ./bench/engine -mode speed   # 60 s 1280x720 H.264/AAC, upload to ready
//	go run ./bench/engine -mode load    # 20 concurrent 200 MB uploads, engine peak RSS
//
// The engine runs in a child process (this binary with -serve), so its
// resident memory is measured alone, from /proc/<pid>/status (VmHWM).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"glimpse/bench/internal/proc"
	"glimpse/engine"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	mode     string
	serve    string // internal: run the engine on this address
	data     string
	runs     int
	uploads  int
	sizeMB   int
	workDir  string
	keepWork bool
	codec    string
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := options{}
	fs.StringVar(&o.mode, "mode", "speed", "speed or load")
	fs.StringVar(&o.serve, "serve", "", "internal: serve the core engine on this address")
	fs.StringVar(&o.data, "data", "", "internal: data directory of the served engine")
	fs.IntVar(&o.runs, "runs", 3, "speed: uploads timed one after another")
	fs.IntVar(&o.uploads, "uploads", 20, "load: concurrent uploads")
	fs.IntVar(&o.sizeMB, "size-mb", 200, "load: size of each upload in MB")
	fs.StringVar(&o.workDir, "work", "", "folder for media and engine data (default: a temporary one)")
	fs.BoolVar(&o.keepWork, "keep", false, "keep the work folder")
	fs.StringVar(&o.codec, "codec", "h264", "speed: source video codec, h264 (stream copy) or mpeg4 (transcoded)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.serve != "" {
		return serve(ctx, o.serve, o.data)
	}
	if o.workDir == "" {
		d, err := os.MkdirTemp("", "bench-engine-")
		if err != nil {
			return err
		}
		o.workDir = d
	}
	if !o.keepWork {
		defer os.RemoveAll(o.workDir)
	}
	switch o.mode {
	case "speed":
		return benchSpeed(ctx, o, stdout)
	case "load":
		return benchLoad(ctx, o, stdout)
	}
	return fmt.Errorf("unknown -mode %q", o.mode)
}

// serve runs the core engine alone (engine.New, no understanding stages).
func serve(ctx context.Context, addr, data string) error {
	eng, err := engine.New(engine.Config{DataDir: data, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer eng.Close()
	srv := &http.Server{Addr: addr, Handler: eng.Handler()}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// child is the engine process under measurement.
type child struct {
	cmd  *exec.Cmd
	base string
}

func startEngine(ctx context.Context, data string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve", addr, "-data", data)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, base: "http://" + addr + "/v1.3"}
	for range 100 {
		if resp, err := http.Get(c.base + "/indexes"); err == nil {
			resp.Body.Close()
			return c, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.stop()
	return nil, errors.New("engine did not start")
}

func (c *child) stop() {
	c.cmd.Process.Signal(os.Interrupt)
	c.cmd.Wait()
}

// peakRSS is the child's high-water resident set, in MB.
func (c *child) peakRSS() (float64, error) {
	hwm := proc.Status(c.cmd.Process.Pid, "VmHWM")
	if hwm == 0 {
		return 0, errors.New("no VmHWM for the engine")
	}
	return float64(hwm) / (1 << 20), nil
}

func (c *child) createIndex(name string) (string, error) {
	body := `{"index_name":"` + name + `","models":[{"model_name":"marengo3.0","model_options":["visual","audio"]}]}`
	resp, err := http.Post(c.base+"/indexes", "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID == "" {
		return "", fmt.Errorf("create index: %d %v", resp.StatusCode, err)
	}
	return out.ID, nil
}

// upload streams file as a multipart task and returns the task id.
func (c *child) upload(indexID, file string) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("index_id", indexID)
		fw, err := mw.CreateFormFile("video_file", filepath.Base(file))
		if err == nil {
			var f *os.File
			if f, err = os.Open(file); err == nil {
				_, err = io.Copy(fw, f)
				f.Close()
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, err := http.Post(c.base+"/tasks", mw.FormDataContentType(), pr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID      string `json:"_id"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("upload: %d %s %s", resp.StatusCode, out.Code, out.Message)
	}
	return out.ID, nil
}

// wait polls a task until it is ready or failed.
func (c *child) wait(ctx context.Context, taskID string, every time.Duration) (string, error) {
	for {
		resp, err := http.Get(c.base + "/tasks/" + taskID)
		if err != nil {
			return "", err
		}
		var t struct {
			Status  string `json:"status"`
			Failure *struct {
				Code, Message string
			} `json:"failure"`
		}
		err = json.NewDecoder(resp.Body).Decode(&t)
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		if t.Status == "ready" {
			return t.Status, nil
		}
		if t.Status == "failed" {
			return t.Status, fmt.Errorf("task failed: %+v", t.Failure)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(every):
		}
	}
}

func ffmpeg(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// benchSpeed times upload → ready of a 60 s 1280x720 H.264/AAC file.
func benchSpeed(ctx context.Context, o options, stdout io.Writer) error {
	src := filepath.Join(o.workDir, "720p60s.mp4")
	// A camera-like file: 30 fps, a keyframe every 2 s, AAC stereo.
	videoCodec := []string{"-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p", "-b:v", "4M"}
	if o.codec == "mpeg4" {
		videoCodec = []string{"-c:v", "mpeg4", "-g", "60", "-b:v", "4M"}
	}
	args := append([]string{"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=60:sample_rate=48000", "-ac", "2"}, videoCodec...)
	if err := ffmpeg(ctx, append(args, "-c:a", "aac", "-b:a", "128k", "-shortest", src)...); err != nil {
		return fmt.Errorf("make source: %w", err)
	}
	st, _ := os.Stat(src)
	eng, err := startEngine(ctx, filepath.Join(o.workDir, "data"))
	if err != nil {
		return err
	}
	defer eng.stop()
	index, err := eng.createIndex("speed")
	if err != nil {
		return err
	}
	var times []float64
	for i := range o.runs {
		start := time.Now()
		id, err := eng.upload(index, src)
		if err != nil {
			return err
		}
		uploaded := time.Since(start)
		if _, err := eng.wait(ctx, id, 20*time.Millisecond); err != nil {
			return err
		}
		took := time.Since(start)
		times = append(times, took.Seconds())
		fmt.Fprintf(stdout, "run %d: %.1f MB uploaded in %v, ready after %v = %.0fx realtime\n",
			i+1, float64(st.Size())/(1<<20), uploaded.Round(time.Millisecond), took.Round(time.Millisecond), 60/took.Seconds())
	}
	slices.Sort(times)
	med := times[len(times)/2]
	fmt.Fprintf(stdout, "median upload→ready %.2f s for 60 s of 1280x720 %s/AAC: %.1fx realtime (target ≥ 30x for H.264)\n", med, o.codec, 60/med)
	return nil
}

// benchLoad sends concurrent large uploads and watches the engine's RSS.
func benchLoad(ctx context.Context, o options, stdout io.Writer) error {
	src := filepath.Join(o.workDir, "big.mp4")
	// 60 s of 1280x720 at a bitrate that makes the file about -size-mb.
	kbps := o.sizeMB * 8 * 1024 / 60
	if err := ffmpeg(ctx, "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
		"-f", "lavfi", "-i", "anoisesrc=duration=60:sample_rate=48000", "-ac", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
		"-b:v", fmt.Sprintf("%dk", kbps), "-minrate", fmt.Sprintf("%dk", kbps), "-maxrate", fmt.Sprintf("%dk", kbps), "-bufsize", fmt.Sprintf("%dk", kbps),
		"-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-shortest", src); err != nil {
		return fmt.Errorf("make source: %w", err)
	}
	st, _ := os.Stat(src)
	eng, err := startEngine(ctx, filepath.Join(o.workDir, "data"))
	if err != nil {
		return err
	}
	defer eng.stop()
	index, err := eng.createIndex("load")
	if err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	var uploadedAll time.Duration
	ready := 0
	for range o.uploads {
		wg.Go(func() {
			id, err := eng.upload(index, src)
			if err == nil {
				mu.Lock()
				uploadedAll = max(uploadedAll, time.Since(start))
				mu.Unlock()
				_, err = eng.wait(ctx, id, 250*time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
			} else {
				ready++
			}
		})
	}
	wg.Wait()
	peak, err := eng.peakRSS()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d concurrent uploads of %.0f MB: all uploaded after %v, %d/%d ready after %v; engine peak RSS %.1f MB (target ≤ 150 MB)\n",
		o.uploads, float64(st.Size())/(1<<20), uploadedAll.Round(time.Millisecond), ready, o.uploads, time.Since(start).Round(time.Millisecond), peak)
	if len(failures) > 0 {
		return fmt.Errorf("%d uploads failed, first: %w", len(failures), failures[0])
	}
	return nil
}
