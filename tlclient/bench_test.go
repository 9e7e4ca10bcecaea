package tlclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Environment of the upload benchmark's child processes: each upload runs in a
// fresh process so its peak RSS (VmHWM) is its own.
const (
	childModeEnv = "TLCLIENT_BENCH_CHILD" // "tlclient" or "plain"
	childURLEnv  = "TLCLIENT_BENCH_URL"
	childFileEnv = "TLCLIENT_BENCH_FILE"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		if err := uploadChild(mode, os.Getenv(childURLEnv), os.Getenv(childFileEnv), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childResult is what a child reports on stdout.
type childResult struct {
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	HWMBefore  int64   `json:"hwm_before_kib"`
	HWMAfter   int64   `json:"hwm_after_kib"`
	ProgressOK bool    `json:"progress_ok"`
}

// vmHWM reads the peak resident set size of this process in KiB.
func vmHWM() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// uploadChild uploads path to url once, through tlclient or as a plain POST
// whose body the transport io.Copies from the file.
func uploadChild(mode, url, path string, out io.Writer) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	size := st.Size()
	before, err := vmHWM()
	if err != nil {
		return err
	}
	res := childResult{Bytes: size, HWMBefore: before}
	start := time.Now()
	switch mode {
	case "tlclient":
		var last int64
		c := New("bench-key", WithBaseURL(url), WithMaxRetries(0))
		_, err = c.CreateTask(context.Background(), CreateTaskRequest{IndexID: "ix1", Video: FileUpload(path),
			OnUploadProgress: func(sent int64) { last = sent }})
		res.ProgressOK = last == size
	case "plain":
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return err
		}
		defer f.Close()
		var req *http.Request
		if req, err = http.NewRequest(http.MethodPost, url+"/tasks", f); err != nil {
			return err
		}
		req.ContentLength = size
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		res.ProgressOK = true
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	if res.HWMAfter, err = vmHWM(); err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// BenchmarkUpload1GiB uploads a sparse 1 GiB file to a loopback server that
// discards it, through tlclient and as a plain POST, alternating, each in a
// fresh child process. Run with -benchtime=1x; TLCLIENT_BENCH_ROUNDS (default 5)
// sets how many uploads of each kind are made; the median is reported.
func BenchmarkUpload1GiB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "sparse-1GiB.mp4")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var received int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received = n
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		io.WriteString(w, `{"_id":"t1","video_id":"v1"}`)
	}))
	defer srv.Close()
	rounds := 5
	if v, err := strconv.Atoi(os.Getenv("TLCLIENT_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	run := func(mode string) childResult {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childURLEnv+"="+srv.URL, childFileEnv+"="+path)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s child: %v: %s", mode, err, stderr.String())
		}
		var res childResult
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			b.Fatalf("%s child output %q: %v", mode, stdout.String(), err)
		}
		if !res.ProgressOK {
			b.Fatalf("%s child: progress callback did not reach the file size", mode)
		}
		if received < res.Bytes {
			b.Fatalf("%s: server received %d bytes, want at least %d", mode, received, res.Bytes)
		}
		return res
	}
	for b.Loop() {
		var tl, plain []float64
		var growth, plainGrowth []float64
		for range rounds {
			for _, mode := range []string{"plain", "tlclient"} {
				r := run(mode)
				mbps := float64(r.Bytes) / r.Seconds / 1e6
				g := float64(r.HWMAfter-r.HWMBefore) / 1024
				if mode == "plain" {
					plain, plainGrowth = append(plain, mbps), append(plainGrowth, g)
				} else {
					tl, growth = append(tl, mbps), append(growth, g)
				}
			}
		}
		med := func(v []float64) float64 { s := slices.Clone(v); slices.Sort(s); return s[len(s)/2] }
		b.ReportMetric(med(tl), "tlclient-MB/s")
		b.ReportMetric(med(plain), "plain-MB/s")
		b.ReportMetric(med(tl)/med(plain), "throughput-ratio")
		b.ReportMetric(slices.Max(growth), "tlclient-peak-RSS-growth-MiB")
		b.ReportMetric(slices.Max(plainGrowth), "plain-peak-RSS-growth-MiB")
		b.Logf("tlclient MB/s %.0f, plain MB/s %.0f; RSS growth MiB tlclient %.1f plain %.1f", tl, plain, growth, plainGrowth)
	}
}

// BenchmarkNDJSONDecode decodes a stream of analyze events; run with -cpu 1.
func BenchmarkNDJSONDecode(b *testing.B) {
	var buf bytes.Buffer
	const events = 10000
	buf.WriteString(`{"event_type":"stream_start","metadata":{"generation_id":"2f1c0e4a-8b1d-4c55-9d0e-3b7a1f2e6c90"}}` + "\n")
	for i := range events - 2 {
		fmt.Fprintf(&buf, `{"event_type":"text_generation","text":"chunk %d of the generated answer, "}`+"\n", i)
	}
	buf.WriteString(`{"event_type":"stream_end","finish_reason":"stop","metadata":{"generation_id":"2f1c0e4a-8b1d-4c55-9d0e-3b7a1f2e6c90","usage":{"output_tokens":20000}}}`)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		n := 0
		for _, err := range decodeEvents(bytes.NewReader(data)) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != events {
			b.Fatalf("decoded %d events, want %d", n, events)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}
