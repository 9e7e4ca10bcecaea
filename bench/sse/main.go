// Command sse measures the web app's SSE hub (package events) under load:
// N subscribers on loopback, each on its own stream (as each browser
// session has its own), each sent one event per second. It reports the
// delivery latency (p50/p99/max), the server's memory per subscriber, and
// whether the server's goroutines return to baseline once they leave.
//
// The server runs in a child process (this same binary with -serve), so
// its memory is not mixed with the clients'. Loopback only; bounded by
// -n and -duration.
//
//	go run ./bench/sse -n 5000 -duration 30s
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"glimpse/bench/internal/proc"
	"glimpse/events"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sse bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	n := fs.Int("n", 5000, "subscribers (at most 10000)")
	duration := fs.Duration("duration", 30*time.Second, "how long to measure once all are connected (at most 5m)")
	serve := fs.Bool("serve", false, "internal: run the server side")
	procs := fs.Int("server-procs", 2, "GOMAXPROCS of the server (cores it may use)")
	gogc := fs.Int("server-gogc", 100, "GOGC of the server")
	profile := fs.String("profile", "", "directory to save the server's heap, allocation (over the window) and goroutine profiles to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serve {
		return runServer(ctx)
	}
	if *n < 1 || *n > 10000 || *duration <= 0 || *duration > 5*time.Minute {
		return errors.New("-n must be 1..10000 and -duration at most 5m")
	}
	return runClients(ctx, *n, *duration, *procs, *gogc, *profile, stdout)
}

// ---- server (child process) ----

type stats struct {
	Goroutines int    `json:"goroutines"`
	RSS        int64  `json:"rss"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Clients    int    `json:"clients"`
	Dropped    int64  `json:"dropped"`
	Sent       int64  `json:"sent"`
	TotalAlloc uint64 `json:"total_alloc"`
	Mallocs    uint64 `json:"mallocs"`
	NumGC      uint32 `json:"num_gc"`
}

func runServer(ctx context.Context) error {
	// Streams linger 3 s after their last client (the app: 2 min), so the
	// run can see them go.
	hub := events.New(events.Options{
		Owner:       func(r *http.Request) string { return r.Header.Get("X-Owner") },
		IdleTimeout: 3 * time.Second,
	})
	var mu sync.Mutex
	streams := map[string]bool{}
	var sent atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/{name}", func(w http.ResponseWriter, r *http.Request) {
		pprof.Handler(r.PathValue("name")).ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /events/{stream}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("stream")
		hub.Open(name, r.Header.Get("X-Owner"))
		mu.Lock()
		streams[name] = true
		mu.Unlock()
		hub.Serve(w, r, name)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") != "" {
			runtime.GC()
			debug.FreeOSMemory()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		clients := 0
		mu.Lock()
		for s := range streams {
			clients += hub.Clients(s)
		}
		mu.Unlock()
		json.NewEncoder(w).Encode(stats{
			Goroutines: runtime.NumGoroutine(), RSS: rss(), HeapInuse: ms.HeapInuse,
			StackInuse: ms.StackInuse, Clients: clients, Dropped: hub.Dropped(), Sent: sent.Load(),
			TotalAlloc: ms.TotalAlloc, Mallocs: ms.Mallocs, NumGC: ms.NumGC,
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String()) // the parent reads the address
	srv := &http.Server{Handler: mux, WriteTimeout: 30 * time.Second}

	// One event per second per stream, spread evenly over the second: the
	// streams are dealt into 100 slots, one slot per 10 ms tick.
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var slots [100][]string
		known := 0
		slot := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			mu.Lock()
			if len(streams) != known {
				slots = [100][]string{}
				for s := range streams {
					slots[hash(s)%100] = append(slots[hash(s)%100], s)
				}
				known = len(streams)
			}
			mu.Unlock()
			for _, s := range slots[slot] {
				hub.Publish(s, "tick", strconv.AppendInt(nil, time.Now().UnixNano(), 10))
				sent.Add(1)
			}
			slot = (slot + 1) % 100
		}
	}()
	go func() {
		<-ctx.Done()
		hub.Shutdown()
		srv.Close()
	}()
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func hash(s string) int {
	h := 0
	for _, c := range s {
		h = h*31 + int(c)
	}
	if h < 0 {
		h = -h
	}
	return h
}

// rss is the resident set size of this process, from /proc.
func rss() int64 { return proc.Status(os.Getpid(), "VmRSS") }

// ---- clients (parent process) ----

func runClients(ctx context.Context, n int, duration time.Duration, procs, gogc int, profile string, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-serve")
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs), "GOGC="+strconv.Itoa(gogc))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cancel(); cmd.Wait() }()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("server did not start: %w", err)
	}
	base := "http://" + strings.TrimSpace(addr)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}

	getStats := func(gc bool) (stats, error) {
		var s stats
		u := base + "/stats"
		if gc {
			u += "?gc=1"
		}
		resp, err := client.Get(u)
		if err != nil {
			return s, err
		}
		defer resp.Body.Close()
		return s, json.NewDecoder(resp.Body).Decode(&s)
	}
	time.Sleep(300 * time.Millisecond)
	before, err := getStats(true)
	if err != nil {
		return err
	}

	var (
		latMu     sync.Mutex
		latencies []time.Duration
		measuring atomic.Bool
		received  atomic.Int64
		connected atomic.Int64
		failures  atomic.Int64
	)
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(subCtx, http.MethodGet, fmt.Sprintf("%s/events/s%d", base, i), nil)
			req.Header.Set("X-Owner", "o"+strconv.Itoa(i))
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				failures.Add(1)
				return
			}
			defer resp.Body.Close()
			connected.Add(1)
			r := bufio.NewReader(resp.Body)
			var local []time.Duration
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				if v, ok := strings.CutPrefix(line, "data: "); ok {
					ns, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					d := time.Since(time.Unix(0, ns))
					if measuring.Load() {
						local = append(local, d)
						received.Add(1)
					}
				}
			}
			latMu.Lock()
			latencies = append(latencies, local...)
			latMu.Unlock()
		})
		if i%200 == 199 {
			time.Sleep(20 * time.Millisecond) // don't overrun the accept queue
		}
	}
	for connected.Load()+failures.Load() < int64(n) {
		if time.Since(start) > 2*time.Minute {
			return fmt.Errorf("only %d of %d connected", connected.Load(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	connectTime := time.Since(start)
	time.Sleep(2 * time.Second) // settle
	windowStart, err := getStats(false)
	if err != nil {
		return err
	}
	fetchProfile := func(name, file string) error {
		if profile == "" {
			return nil
		}
		resp, err := client.Get(base + "/debug/pprof/" + name)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(profile, file))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(f, resp.Body)
		return err
	}
	if err := fetchProfile("allocs", "allocs-start.pb.gz"); err != nil {
		return err
	}
	// The peak RSS is sampled from /proc by this process, so sampling
	// costs the server nothing.
	var peakRSS atomic.Int64
	sampleDone := make(chan struct{})
	go func() {
		defer close(sampleDone)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for measuring.Load() {
			peakRSS.Store(max(peakRSS.Load(), proc.Status(cmd.Process.Pid, "VmRSS")))
			<-t.C
		}
	}()
	measuring.Store(true)
	time.Sleep(duration)
	measuring.Store(false)
	<-sampleDone
	loaded, err := getStats(false)
	if err != nil {
		return err
	}
	// After the figures, as writing a profile takes memory of its own.
	for _, p := range [][2]string{{"allocs", "allocs-end.pb.gz"}, {"heap", "heap.pb.gz"}, {"goroutine?debug=1", "goroutines.txt"}} {
		if err := fetchProfile(p[0], p[1]); err != nil {
			return err
		}
	}
	loadedGC, _ := getStats(true)

	stopSubs()
	wg.Wait()
	// Goroutines back to baseline once everyone left.
	var after stats
	deadline := time.Now().Add(20 * time.Second)
	for {
		after, err = getStats(true)
		if err != nil {
			return err
		}
		if after.Goroutines <= before.Goroutines || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(float64(len(latencies))*p))]
	}
	expected := int64(float64(n) * duration.Seconds())
	sentInWindow := loaded.Sent - windowStart.Sent
	perSubRSS := float64(loaded.RSS-before.RSS) / float64(n) / 1024
	perSubGo := float64((loadedGC.HeapInuse+loadedGC.StackInuse)-(before.HeapInuse+before.StackInuse)) / float64(n) / 1024
	fmt.Fprintf(stdout, "subscribers            %d connected (%d failed) in %s; server GOMAXPROCS=%d GOGC=%d, %d CPUs here\n",
		connected.Load(), failures.Load(), connectTime.Round(time.Millisecond), procs, gogc, runtime.NumCPU())
	fmt.Fprintf(stdout, "events                 %d sent in %s (%d at exactly 1/s each), %d received (%.2f%%); %d dropped by the hub\n",
		sentInWindow, duration, expected, received.Load(), 100*float64(received.Load())/float64(max(sentInWindow, 1)), loaded.Dropped)
	fmt.Fprintf(stdout, "delivery latency       p50 %s  p99 %s  max %s\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	perSubRSSGC := float64(loadedGC.RSS-before.RSS) / float64(n) / 1024
	fmt.Fprintf(stdout, "server memory          RSS %.1f MiB -> %.1f MiB under load: %.1f KiB per subscriber\n",
		float64(before.RSS)/(1<<20), float64(loaded.RSS)/(1<<20), perSubRSS)
	fmt.Fprintf(stdout, "                       peak RSS in the window %.1f MiB: %.1f KiB per subscriber\n",
		float64(peakRSS.Load())/(1<<20), float64(peakRSS.Load()-before.RSS)/float64(n)/1024)
	fmt.Fprintf(stdout, "                       after a GC: RSS %.1f KiB, Go heap+stacks %.1f KiB per subscriber\n", perSubRSSGC, perSubGo)
	fmt.Fprintf(stdout, "                       after GC: heap %.1f KiB, stacks %.1f KiB per subscriber\n",
		float64(loadedGC.HeapInuse-before.HeapInuse)/float64(n)/1024, float64(loadedGC.StackInuse-before.StackInuse)/float64(n)/1024)
	// The publisher's own data (a timestamp) is in these figures too.
	fmt.Fprintf(stdout, "garbage in the window   %.1f MiB allocated (%.0f B, %.1f allocations per event sent), %d GCs\n",
		float64(loaded.TotalAlloc-windowStart.TotalAlloc)/(1<<20),
		float64(loaded.TotalAlloc-windowStart.TotalAlloc)/float64(max(sentInWindow, 1)),
		float64(loaded.Mallocs-windowStart.Mallocs)/float64(max(sentInWindow, 1)), loaded.NumGC-windowStart.NumGC)
	fmt.Fprintf(stdout, "server goroutines      %d before, %d with subscribers, %d after they left\n",
		before.Goroutines, loaded.Goroutines, after.Goroutines)
	return nil
}
