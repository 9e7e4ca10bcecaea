// Command load runs simulated users against the real web app with its
// embedded engine and reports errors, latency per request kind, and the
// app's memory and goroutines before, at the peak, and after.
//
// The cmd/web binary runs as a child process on loopback (with
// -debug-addr, for its goroutine count and a forced GC before the memory
// figures). The set-up goes through the pages as a person would: an index
// is made and two short ffmpeg-made videos are uploaded and indexed. Then
// -users people browse for -duration: home, index page, search page,
// search fragments (as the search box sends them), watch pages, each with
// a pause of about -think between; each holds its session's SSE task
// stream open throughout; one upload starts every -upload-every (at most
// -uploads-in-flight at once, under the app's 6-per-client cap) and is
// followed to ready on its uploader's SSE stream. After the run the users
// leave and, after -settle, the figures are read again.
//
// Every user is 127.0.0.1, so the app's per-client upload cap counts them
// together; the engine's rate limit (6000 requests per endpoint and
// minute) bounds the pages per second: the default pace stays under it.
//
//	go run ./bench/load -users 200 -duration 60s
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"glimpse/bench/internal/proc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load bench:", err)
		os.Exit(1)
	}
}

type options struct {
	users, uploadsInFlight       int
	duration, think, uploadEvery time.Duration
	ramp, settle, readyWithin    time.Duration
	bin                          string
	dumpGoroutines               bool
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.users, "users", 200, "simulated people (at most 2000)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long they browse, ramp included (at most 10m)")
	fs.DurationVar(&o.think, "think", 2*time.Second, "mean pause between one person's requests")
	fs.DurationVar(&o.ramp, "ramp", 5*time.Second, "people arrive spread over this long")
	fs.DurationVar(&o.uploadEvery, "upload-every", 10*time.Second, "start an upload this often (0: none)")
	fs.IntVar(&o.uploadsInFlight, "uploads-in-flight", 2, "uploads at once, at most (the app allows 6 per client address)")
	fs.DurationVar(&o.settle, "settle", 150*time.Second, "wait after the people leave before the last figures (the SSE hub drops a stream 2 min after its last client)")
	fs.DurationVar(&o.readyWithin, "ready-within", 5*time.Minute, "an upload not ready on SSE by then is an error")
	fs.BoolVar(&o.dumpGoroutines, "dump-goroutines", false, "print the app's goroutines at the end (to stderr), to see what stayed")
	fs.StringVar(&o.bin, "bin", "", "cmd/web binary (default: build it into a temp dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.users < 1 || o.users > 2000 || o.duration <= 0 || o.duration > 10*time.Minute || o.think <= 0 ||
		o.uploadsInFlight < 1 || o.uploadsInFlight > 6 {
		return errors.New("-users 1..2000, -duration up to 10m, -think > 0, -uploads-in-flight 1..6")
	}
	tmp, err := os.MkdirTemp("", "glimpse-load-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "glimpse-web")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "./cmd/web")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building cmd/web (run from the repository root): %w", err)
		}
	}
	videos, err := makeVideos(ctx, tmp)
	if err != nil {
		return err
	}

	appCtx, stopApp := context.WithCancel(context.Background())
	defer stopApp()
	app := exec.CommandContext(appCtx, o.bin, "-addr", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0",
		"-data", filepath.Join(tmp, "data"))
	app.Env = withoutKey(os.Environ()) // the embedded engine, not the cloud
	app.Cancel = func() error { return app.Process.Signal(syscall.SIGTERM) }
	app.WaitDelay = 20 * time.Second
	out, err := app.StdoutPipe()
	if err != nil {
		return err
	}
	app.Stderr = os.Stderr
	if err := app.Start(); err != nil {
		return err
	}
	defer func() { stopApp(); app.Wait() }()
	logs := bufio.NewScanner(out)
	base, debug, err := waitListening(logs)
	if err != nil {
		return err
	}
	go func() { // the app's warnings and errors
		for logs.Scan() {
			if l := logs.Text(); strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
				fmt.Fprintln(os.Stderr, "app:", l)
			}
		}
	}()
	pid := app.Process.Pid

	transport := &http.Transport{MaxIdleConns: 4 * o.users, MaxIdleConnsPerHost: 4 * o.users, IdleConnTimeout: time.Minute}
	s := &site{base: base, transport: transport, rec: newRecorder(),
		queries: []string{"lighthouse", "harbour", "mountain railway", "railway", "colour bars", "fractal", "clock", "a person talking"}}
	if err := setUp(ctx, s, videos, o.readyWithin); err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	fmt.Fprintf(stdout, "set-up: index %s with %d ready videos (%s); setup requests: %d errors\n",
		s.indexID, len(s.videoIDs), strings.Join(s.videoIDs, ", "), s.rec.totalErrors())
	s.rec = newRecorder() // the run's figures only

	time.Sleep(3 * time.Second)
	before := sample(pid, debug)
	load1 := loadAverage()

	peak := watchPeak(ctx, pid, debug)
	window := time.Now()
	uploads := runUsers(ctx, s, o, videos[0])
	runFor := time.Since(window)
	peakRSS, peakG := peak()
	load2 := loadAverage()

	transport.CloseIdleConnections() // the people closed their browsers
	soon := min(10*time.Second, o.settle)
	time.Sleep(soon)
	afterSoon := sample(pid, debug)
	time.Sleep(o.settle - soon)
	after := sample(pid, debug)
	if o.dumpGoroutines {
		b, _ := fetch(debug + "goroutine?debug=1")
		os.Stderr.Write(b)
	}

	fmt.Fprintf(stdout, "%d users for %s (ramp %s), think %s, an upload every %s (≤ %d in flight): %d uploads\n",
		o.users, runFor.Round(time.Second), o.ramp, o.think, o.uploadEvery, o.uploadsInFlight, uploads)
	fmt.Fprintf(stdout, "load average: %s before, %s at the end\n\n", load1, load2)
	s.rec.report(stdout, runFor)
	fmt.Fprintf(stdout, "\nerrors: %d; search fragments listing results: %d\n", s.rec.totalErrors(), s.searchHits.Load())
	mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	fmt.Fprintf(stdout, "after the people left: %s and %s\n", soon, o.settle)
	fmt.Fprintf(stdout, "app RSS      before %s, peak %s, after %s, %s\n", mib(before.rss), mib(peakRSS), mib(afterSoon.rss), mib(after.rss))
	fmt.Fprintf(stdout, "app heap     before %s, after %s, %s (in use, after a forced GC)\n", mib(before.heap), mib(afterSoon.heap), mib(after.heap))
	fmt.Fprintf(stdout, "goroutines   before %d, peak %d, after %d, %d\n", before.goroutines, peakG, afterSoon.goroutines, after.goroutines)
	return nil
}

// setUp makes the index and indexes the videos through the pages, then
// reads the videos' ids from the index page.
func setUp(ctx context.Context, s *site, videos []string, readyWithin time.Duration) error {
	u := newUser(s, 1)
	body, err := u.page(ctx, "setup", u.get("/settings"), "</html>")
	if err != nil {
		return err
	}
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return errors.New("no CSRF token on the settings page")
	}
	req, _ := http.NewRequest(http.MethodPost, s.base+"/indexes",
		strings.NewReader(url.Values{"csrf_token": {string(m[1])}, "name": {"load"}, "marengo": {"visual", "audio"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := u.client.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/indexes/") {
		return fmt.Errorf("creating the index: %s", resp.Status)
	}
	s.indexID = strings.TrimPrefix(loc, "/indexes/")
	if err := u.start(ctx); err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go u.subscribe(sctx)
	time.Sleep(500 * time.Millisecond) // the stream is open before the first upload
	for _, v := range videos {
		if _, err := u.upload(ctx, v, readyWithin); err != nil {
			return err
		}
	}
	body, err = u.page(ctx, "setup", u.get("/indexes/"+s.indexID), "</html>")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, m := range watchLink.FindAllSubmatch(body, -1) {
		if id := string(m[2]); string(m[1]) == s.indexID && !seen[id] {
			seen[id] = true
			s.videoIDs = append(s.videoIDs, id)
		}
	}
	if len(s.videoIDs) == 0 {
		return errors.New("the index page links no video after the uploads")
	}
	return nil
}

// runUsers runs the people and the uploads until o.duration has passed,
// then waits for every started upload to be ready. It returns the number
// of uploads started.
func runUsers(ctx context.Context, s *site, o options, video string) int {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	streams, streamsDone := context.WithCancel(context.Background())
	var browsing, holding sync.WaitGroup
	users := make([]*user, o.users)
	for i := range users {
		users[i] = newUser(s, uint64(i)+2)
		browsing.Add(1)
		go func(u *user, delay time.Duration) {
			defer browsing.Done()
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			if u.start(ctx) != nil {
				return
			}
			holding.Add(1)
			go func() { defer holding.Done(); u.subscribe(streams) }()
			u.browse(ctx, o.think)
		}(users[i], o.ramp*time.Duration(i)/time.Duration(o.users))
	}
	var uploads sync.WaitGroup
	var started atomic.Int64
	if o.uploadEvery > 0 {
		slots := make(chan struct{}, o.uploadsInFlight)
		tick := time.NewTicker(o.uploadEvery)
		defer tick.Stop()
	loop:
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				break loop
			case <-tick.C:
			}
			u := users[i%len(users)]
			select {
			case slots <- struct{}{}:
			default:
				continue // as many in flight as allowed: skip this one
			}
			if u.csrf == "" {
				<-slots
				continue
			}
			started.Add(1)
			uploads.Add(1)
			go func() {
				defer uploads.Done()
				defer func() { <-slots }()
				u.upload(context.Background(), video, o.readyWithin)
			}()
		}
	}
	<-ctx.Done()
	browsing.Wait()
	uploads.Wait() // their SSE streams are still open
	streamsDone()
	holding.Wait()
	return int(started.Load())
}

type figures struct {
	rss, heap  int64
	goroutines int
}

var (
	goroutineTotal = regexp.MustCompile(`goroutine profile: total (\d+)`)
	heapInuse      = regexp.MustCompile(`# HeapInuse = (\d+)`)
)

// sample reads the app's figures; the heap profile's gc=1 collects first,
// so that before and after compare live memory, not garbage.
func sample(pid int, debug string) figures {
	f := figures{goroutines: goroutines(debug)}
	if b, err := fetch(debug + "heap?debug=1&gc=1"); err == nil {
		if m := heapInuse.FindSubmatch(b); m != nil {
			f.heap, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
	}
	f.rss = proc.Status(pid, "VmRSS")
	return f
}

func goroutines(debug string) int {
	b, err := fetch(debug + "goroutine?debug=1")
	if err != nil {
		return -1
	}
	m := goroutineTotal.FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func fetch(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// watchPeak samples RSS (every 100 ms) and goroutines (every second) until
// the returned function is called, which gives the highest of each.
func watchPeak(ctx context.Context, pid int, debug string) func() (int64, int) {
	ctx, cancel := context.WithCancel(ctx)
	var rss atomic.Int64
	var g atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rss.Store(max(rss.Load(), proc.Status(pid, "VmRSS")))
			if i%10 == 0 {
				g.Store(max(g.Load(), int64(goroutines(debug))))
			}
		}
	}()
	return func() (int64, int) { cancel(); <-done; return rss.Load(), int(g.Load()) }
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// makeVideos makes two short clips with sound and moving pictures that
// the engine indexes in seconds.
func makeVideos(ctx context.Context, dir string) ([]string, error) {
	var out []string
	for i, clip := range []struct{ src, text string }{
		{"testsrc2=size=640x360:rate=25", "HARBOUR LIGHTHOUSE"},
		{"mandelbrot=size=640x360:rate=25", "MOUNTAIN RAILWAY"},
	} {
		file := filepath.Join(dir, fmt.Sprintf("clip%d.mp4", i+1))
		// A caption the engine reads (OCR), so that searches find something.
		caption := "drawtext=text='" + clip.text + "':fontsize=56:fontcolor=black:box=1:boxcolor=white:boxborderw=12:x=(w-tw)/2:y=(h-th)/2"
		cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y",
			"-f", "lavfi", "-i", clip.src, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d", 440*(i+1)),
			"-vf", caption, "-t", "6", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ffmpeg: %v: %s", err, msg)
		}
		out = append(out, file)
	}
	return out, nil
}

func withoutKey(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "TWELVELABS_API_KEY=") {
			out = append(out, e)
		}
	}
	return out
}

var (
	listening = regexp.MustCompile(`msg="glimpse listening" url=(http://[0-9.:]+)`)
	profiles  = regexp.MustCompile(`pprof=(http://[0-9.:]+/debug/pprof/)`)
)

// waitListening reads the app's log until it names its address and its
// profiles' address.
func waitListening(sc *bufio.Scanner) (base, debug string, err error) {
	for sc.Scan() {
		if m := profiles.FindStringSubmatch(sc.Text()); m != nil {
			debug = m[1]
		}
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if base != "" && debug != "" {
			return base, debug, nil
		}
	}
	return "", "", errors.New("the app did not start")
}
