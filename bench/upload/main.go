// Command upload measures a large upload through the web app to its
// embedded local engine: the real cmd/web binary runs as a child process
// on loopback, a client logs in (cookie + CSRF), makes an index and posts
// one file of -size bytes the way app.js does, and the child's resident
// memory is sampled throughout. The file is generated on the fly (an MP4
// header, then zeros), so nothing is read from disk on the client side;
// the engine stores it and then rejects it as a broken video, which is not
// what is measured here.
//
//	go run ./bench/upload -size 1GiB
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"glimpse/bench/internal/proc"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "upload bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	sizeFlag := fs.String("size", "1GiB", "file size: bytes, or with MiB/GiB")
	bin := fs.String("bin", "", "cmd/web binary (default: build it into a temp dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	size, err := parseSize(*sizeFlag)
	if err != nil || size <= 0 || size > 2<<30 {
		return fmt.Errorf("-size must be 1 B..2 GiB")
	}
	tmp, err := os.MkdirTemp("", "glimpse-upload-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "glimpse-web")
		build := exec.CommandContext(ctx, "go", "build", "-o", *bin, "./cmd/web")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building cmd/web (run from the repository root): %w", err)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	app := exec.CommandContext(ctx, *bin, "-addr", "127.0.0.1:0", "-data", filepath.Join(tmp, "data"))
	app.Env = withoutKey(os.Environ()) // the embedded engine, not the cloud
	out, err := app.StdoutPipe()
	if err != nil {
		return err
	}
	app.Stderr = os.Stderr
	if err := app.Start(); err != nil {
		return err
	}
	defer func() { cancel(); app.Wait() }()
	base, err := waitListening(out)
	if err != nil {
		return err
	}
	go io.Copy(io.Discard, out)
	pid := app.Process.Pid

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf, err := csrfToken(client, base)
	if err != nil {
		return err
	}
	resp, err := client.PostForm(base+"/indexes", url.Values{"csrf_token": {csrf}, "name": {"bench"}, "marengo": {"visual"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	indexURL := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(indexURL, "/indexes/") {
		return fmt.Errorf("creating the index: %s", resp.Status)
	}

	time.Sleep(time.Second) // let start-up settle
	baseline := proc.Status(pid, "VmRSS")

	var peak atomic.Int64
	peak.Store(baseline)
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r := proc.Status(pid, "VmRSS"); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("client_id", "bench")
		mw.WriteField("size", strconv.FormatInt(size, 10))
		fw, err := mw.CreateFormFile("file", "big.mp4")
		if err == nil {
			_, err = io.Copy(fw, io.LimitReader(fakeVideo{}, size))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+indexURL+"/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", csrf)
	start := time.Now()
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	if resp.StatusCode != 200 || !strings.Contains(string(body), "data-task-id") {
		return fmt.Errorf("upload answered %s: %.300s", resp.Status, body)
	}

	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(stdout, "upload        %.0f MiB in %s (%.0f MiB/s), through the app into its embedded engine\n",
		mib(size), elapsed.Round(time.Millisecond), mib(size)/elapsed.Seconds())
	fmt.Fprintf(stdout, "app RSS       %.1f MiB before, peak %.1f MiB during: growth %.1f MiB (VmHWM over the whole run %.1f MiB)\n",
		mib(baseline), mib(peak.Load()), mib(peak.Load()-baseline), mib(proc.Status(pid, "VmHWM")))
	return nil
}

// fakeVideo is an MP4 file type box followed by zeros.
type fakeVideo struct{}

func (fakeVideo) Read(p []byte) (int, error) {
	clear(p)
	copy(p, "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	return len(p), nil
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

var listening = regexp.MustCompile(`url=(http://[0-9.:]+)`)

func waitListening(out io.Reader) (string, error) {
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(60 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", errors.New("the app did not start")
}

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`)

func csrfToken(c *http.Client, base string) (string, error) {
	resp, err := c.Get(base + "/settings")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfMeta.FindSubmatch(b)
	if m == nil {
		return "", errors.New("no CSRF token on the page")
	}
	return string(m[1]), nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "GiB"):
		mult, s = 1<<30, strings.TrimSuffix(s, "GiB")
	case strings.HasSuffix(s, "MiB"):
		mult, s = 1<<20, strings.TrimSuffix(s, "MiB")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}
