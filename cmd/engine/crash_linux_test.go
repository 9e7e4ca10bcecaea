package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

// TestKilledEngineLeavesNoChildren kills the real engine binary with
// SIGKILL while it indexes, with tesseract or pocketsphinx running, and
// checks that none of its children outlives it; then starts it again on the
// same data and checks that search holds exactly the ready videos.
func TestKilledEngineLeavesNoChildren(t *testing.T) {
	// As the children's subreaper, this process inherits whatever the
	// engine leaves behind, alive or dead: that is what is checked.
	if err := setChildSubreaper(); err != nil {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", err)
	}
	bin := buildEngine(t)
	media := t.TempDir()
	short := filepath.Join(media, "short.mp4")
	long := filepath.Join(media, "long.mp4")
	makeCaptionedClip(t, short, 8)
	makeCaptionedClip(t, long, 150)

	data := t.TempDir()
	e := startEngineBinary(t, bin, data)
	indexID := e.createIndex(t)
	var tasks []string
	for _, f := range []string{short, short, long} {
		tasks = append(tasks, e.upload(t, indexID, f))
	}
	// Kill it once the short videos are ready and the long one's speech is
	// being recognised: pocketsphinx writes to files, not to the engine, so
	// nothing but a parent-death signal would stop it for a minute or more.
	var decoders []proc
	waitFor(t, "short videos ready and pocketsphinx on the long one", func() bool {
		if e.taskStatus(t, tasks[0]) != "ready" || e.taskStatus(t, tasks[1]) != "ready" {
			return false
		}
		decoders = nil
		for _, p := range childrenOf(e.cmd.Process.Pid) {
			if strings.HasPrefix(p.comm, "pocketsphinx") {
				decoders = append(decoders, p)
			}
		}
		return len(decoders) > 0
	})
	readyBefore := e.readyVideos(t, indexID)
	running := childrenOf(e.cmd.Process.Pid)
	if err := e.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-e.exited
	t.Logf("killed the engine with children %v", running)

	// Pdeathsig works within milliseconds; without it pocketsphinx runs on
	// and is reaped later having exited by itself, which the status shows.
	left, ends := reapOrphans(t)
	if len(left) > 0 {
		t.Fatalf("%.0f s after the kill, children of the engine still run: %v", time.Since(killed).Seconds(), left)
	}
	// Had it finished its work, or failed, it would have exited: it was
	// killed, and by the kernel, the engine being gone.
	for _, p := range decoders {
		if ws, ok := ends[p.pid]; !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("%v outlived the engine: reaped %v, status %#x", p, ok, ws)
		}
	}

	e = startEngineBinary(t, bin, data)
	ready, found := e.readyAndFound(t, indexID)
	if !slices.Equal(ready, found) {
		t.Errorf("after the restart the ready videos are %v but search finds %v", ready, found)
	}
	for _, id := range readyBefore {
		if !slices.Contains(ready, id) {
			t.Errorf("video %s was ready before the kill and is not after (ready: %v)", id, ready)
		}
	}
	if len(readyBefore) < 2 {
		t.Errorf("ready before the kill: %v, want the two short videos", readyBefore)
	}

	// A graceful stop, in the middle of redoing the long video, leaves
	// nothing running either.
	e.stop()
	if left, _ := reapOrphans(t); len(left) > 0 {
		t.Errorf("after a graceful stop, children of the engine still run: %v", left)
	}
}

// proc is one process as /proc/N/stat shows it.
type proc struct {
	pid, ppid, pgrp int
	comm            string
	state           byte
}

func (p proc) String() string { return fmt.Sprintf("%d:%s(%c)", p.pid, p.comm, p.state) }

func processes() []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		s := string(b)
		open, shut := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || shut < open {
			continue
		}
		f := strings.Fields(s[shut+1:])
		if len(f) < 3 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgrp, _ := strconv.Atoi(f[2])
		out = append(out, proc{pid: pid, ppid: ppid, pgrp: pgrp, comm: s[open+1 : shut], state: f[0][0]})
	}
	return out
}

func childrenOf(pid int) []proc {
	var out []proc
	for _, p := range processes() {
		if p.ppid == pid {
			out = append(out, p)
		}
	}
	return out
}

// reapOrphans waits for every process adopted from the engine
// to die, reaping the dead; it returns those still alive and how the
// others ended, by pid.
func reapOrphans(t *testing.T) ([]proc, map[int]syscall.WaitStatus) {
	t.Helper()
	deadline := time.Now().Add(testwait.Bound(t))
	ends := map[int]syscall.WaitStatus{}
	for {
		// A zombie not yet reaped counts too: the kernel may not have
		// handed it over yet.
		var left, alive []proc
		for _, p := range childrenOf(os.Getpid()) {
			if p.state != 'Z' {
				alive = append(alive, p)
				left = append(left, p)
				continue
			}
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil); err == nil && pid == p.pid {
				ends[pid] = ws
				t.Logf("reaped %v: signaled %v (%v), exit %d", p, ws.Signaled(), ws.Signal(), ws.ExitStatus())
				continue
			}
			left = append(left, p)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return alive, ends
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func setChildSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return errno
	}
	return nil
}

// buildEngine builds this command, as it is shipped.
func buildEngine(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "engine")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// makeCaptionedClip writes a clip of the given length with a caption on
// screen and a LibriVox reading (looped) as its sound.
func makeCaptionedClip(t *testing.T, path string, seconds int) {
	t.Helper()
	wav := "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav"
	if _, err := os.Stat(wav); err != nil {
		t.Fatalf("pocketsphinx-testdata missing (scripts/deps.sh test): %v", err)
	}
	d := strconv.Itoa(seconds)
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x203050:s=640x360:r=25:d="+d,
		"-stream_loop", "-1", "-i", wav,
		"-vf", "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='Residents told to drink bottled water':fontsize=28:fontcolor=white:x=30:y=290",
		"-t", d, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", path).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
}

// waitFor polls cond until it holds: what is waited for is the event, not
// a time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	bound := testwait.Bound(t)
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", bound, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// engineBinary is a running engine process.
type engineBinary struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd is waited for
	base   string
	logs   *syncBuffer
}

func startEngineBinary(t *testing.T, bin, data string) *engineBinary {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e := &engineBinary{base: "http://" + addr + "/v1.3", logs: &syncBuffer{}, exited: make(chan struct{})}
	e.cmd = exec.Command(bin, "-addr", addr, "-data", data, "-workers", "1")
	e.cmd.Stdout, e.cmd.Stderr = e.logs, e.logs
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { e.cmd.Wait(); close(e.exited) }()
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("engine logs:\n%s", e.logs.String())
		}
	})
	waitFor(t, "the engine to serve", func() bool {
		select {
		case <-e.exited:
			t.Fatalf("engine exited: %s", e.logs.String())
		default:
		}
		resp, err := http.Get(e.base + "/indexes")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return e
}

// stop shuts the engine down as SIGTERM does and waits for it.
func (e *engineBinary) stop() {
	e.cmd.Process.Signal(syscall.SIGTERM)
	<-e.exited
}

func (e *engineBinary) do(t *testing.T, method, path, contentType string, body io.Reader, into any) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
}

func (e *engineBinary) createIndex(t *testing.T) string {
	t.Helper()
	var idx struct {
		ID string `json:"_id"`
	}
	e.do(t, "POST", "/indexes", "application/json", strings.NewReader(
		`{"index_name":"crash","models":[{"model_name":"marengo2.7","model_options":["visual","audio"]}]}`), &idx)
	return idx.ID
}

// multipart posts fields (and a file, if named) to path.
func (e *engineBinary) multipart(t *testing.T, path string, fields [][2]string, file string, into any) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != "" {
		fw, _ := w.CreateFormFile("video_file", filepath.Base(file))
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	e.do(t, "POST", path, w.FormDataContentType(), &b, into)
}

func (e *engineBinary) upload(t *testing.T, indexID, file string) string {
	t.Helper()
	var task struct {
		ID string `json:"_id"`
	}
	e.multipart(t, "/tasks", [][2]string{{"index_id", indexID}}, file, &task)
	return task.ID
}

func (e *engineBinary) taskStatus(t *testing.T, id string) string {
	t.Helper()
	var task struct {
		Status string `json:"status"`
	}
	e.do(t, "GET", "/tasks/"+id, "", nil, &task)
	if task.Status == "failed" {
		t.Fatalf("task %s failed", id)
	}
	return task.Status
}

// readyVideos lists the index's ready videos, sorted.
func (e *engineBinary) readyVideos(t *testing.T, indexID string) []string {
	t.Helper()
	var list struct {
		Data []struct {
			ID string `json:"_id"`
		} `json:"data"`
	}
	e.do(t, "GET", "/indexes/"+indexID+"/videos?page_limit=50", "", nil, &list)
	var ids []string
	for _, v := range list.Data {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

// foundVideos is every video search finds by the caption all of them show.
func (e *engineBinary) foundVideos(t *testing.T, indexID string) []string {
	t.Helper()
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	e.multipart(t, "/search", [][2]string{{"index_id", indexID}, {"query_text", "bottled water"},
		{"search_options", "visual"}, {"group_by", "video"}, {"page_limit", "50"}}, "", &page)
	var ids []string
	for _, v := range page.Data {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

// readyAndFound reads the ready videos and what search finds, retrying
// until the ready list did not change in between (indexing goes on).
func (e *engineBinary) readyAndFound(t *testing.T, indexID string) (ready, found []string) {
	t.Helper()
	waitFor(t, "a ready list that holds still across a search", func() bool {
		ready = e.readyVideos(t, indexID)
		found = e.foundVideos(t, indexID)
		return slices.Equal(ready, e.readyVideos(t, indexID))
	})
	return ready, found
}
