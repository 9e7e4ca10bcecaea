package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/handlers"
	"glimpse/internal/testwait"
)

func TestParseConfig(t *testing.T) {
	idle := 30 * time.Second
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, config{addr: "127.0.0.1:8080", dataDir: "./data", baseURL: "https://api.twelvelabs.io/v1.3", maxUploadMB: 2048, logLevel: "info", bodyIdle: idle}},
		{"env", nil, map[string]string{"TWELVELABS_API_KEY": "k", "TWELVELABS_BASE_URL": "http://x/v1.3", "GLIMPSE_ADDR": ":9", "GLIMPSE_DATA": "/d", "GLIMPSE_SESSION_KEYS": "s"},
			config{addr: ":9", dataDir: "/d", apiKey: "k", baseURL: "http://x/v1.3", sessionKeys: "s", maxUploadMB: 2048, logLevel: "info", bodyIdle: idle}},
		{"flags win over env", []string{"-addr", ":7", "-data", "/e", "-base-url", "http://y/v1.3"}, map[string]string{"GLIMPSE_ADDR": ":9", "TWELVELABS_BASE_URL": "http://x/v1.3"},
			config{addr: ":7", dataDir: "/e", baseURL: "http://y/v1.3", maxUploadMB: 2048, logLevel: "info", bodyIdle: idle}},
		{"hosts and login", []string{"-body-idle", "5s"}, map[string]string{"GLIMPSE_ALLOWED_HOSTS": " glimpse.lan, media.example ,", "GLIMPSE_BASIC_AUTH": "ann:correct horse"},
			config{addr: "127.0.0.1:8080", dataDir: "./data", baseURL: "https://api.twelvelabs.io/v1.3", maxUploadMB: 2048, logLevel: "info", bodyIdle: 5 * time.Second,
				allowedHosts: []string{"glimpse.lan", "media.example"}, basicAuth: &handlers.Credentials{User: "ann", Password: "correct horse"}}},
		{"behind proxies", nil, map[string]string{"GLIMPSE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"},
			config{addr: "127.0.0.1:8080", dataDir: "./data", baseURL: "https://api.twelvelabs.io/v1.3", maxUploadMB: 2048, logLevel: "info", bodyIdle: idle,
				trustedProxies: []string{"10.0.0.0/8", "192.0.2.7"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig(tc.args, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
	refused := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"stray argument", []string{"extra"}, nil},
		{"login without a password", nil, map[string]string{"GLIMPSE_BASIC_AUTH": "ann"}},
		{"short password", nil, map[string]string{"GLIMPSE_BASIC_AUTH": "ann:1234"}},
		{"a proxy that is no address", nil, map[string]string{"GLIMPSE_TRUSTED_PROXIES": "nginx"}},
	}
	for _, tc := range refused {
		if _, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// Off loopback the embedded engine would be anyone's library: run refuses
// to listen there unless a login or a cloud key is configured.
func TestRunRefusesOpenListenWithoutLogin(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "0.0.0.0:0", "-data", t.TempDir()}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GLIMPSE_BASIC_AUTH") {
		t.Fatalf("run on 0.0.0.0 without login: %v", err)
	}
}

// syncBuffer is a log sink the test reads while run writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenURL = regexp.MustCompile(`url=(http://[0-9.:]+)`)

// startRun runs the command and returns its URL and a stop function that
// sends the shutdown and returns run's error.
func startRun(t *testing.T, env map[string]string, extraArgs ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	data := filepath.Join(t.TempDir(), "data")
	done := make(chan error, 1)
	go func() {
		args := append([]string{"-addr", "127.0.0.1:0", "-data", data}, extraArgs...)
		done <- run(ctx, args, func(k string) string { return env[k] }, logs)
	}()
	deadline := time.Now().Add(testwait.Bound(t))
	for {
		if m := listenURL.FindStringSubmatch(logs.String()); m != nil {
			stop := func() error {
				cancel()
				select {
				case err := <-done:
					return err
				case <-time.After(testwait.Bound(t)):
					t.Fatal("no graceful shutdown")
					return nil
				}
			}
			t.Cleanup(func() { cancel() })
			return m[1], logs, stop
		}
		select {
		case err := <-done:
			t.Fatalf("run ended: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not listening:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunWithEmbeddedEngine(t *testing.T) {
	url, logs, stop := startRun(t, nil)
	if status, body := get(t, url+"/healthz"); status != 200 || body != "ok" {
		t.Errorf("healthz: %d %q", status, body)
	}
	if status, body := get(t, url+"/"); status != 200 || !strings.Contains(body, "Local engine") {
		t.Errorf("home: %d", status)
	}
	// The engine lives on the app's own origin but answers only the app:
	// neither no key nor a guessed one reads the library.
	for _, key := range []string{"", "any", "local"} {
		req, _ := http.NewRequest("GET", url+"/engine/v1.3/indexes", nil)
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("engine read with key %q: %d, want 401", key, resp.StatusCode)
		}
	}
	// An open SSE stream does not hold up the shutdown.
	if err := stop(); err != nil {
		t.Errorf("run: %v", err)
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Error("no shutdown log line")
	}
}

func TestRunWithServerKeyUsesTheCloudAndNeverLogsIt(t *testing.T) {
	const key = "tlk_SERVERKEY_should_not_be_logged"
	// The base URL points nowhere: no real cloud is called.
	url, logs, stop := startRun(t, map[string]string{"TWELVELABS_API_KEY": key, "TWELVELABS_BASE_URL": "http://127.0.0.1:1/v1.3"})
	status, body := get(t, url+"/")
	if !strings.Contains(body, "TwelveLabs cloud") || strings.Contains(body, key) {
		t.Errorf("home (%d) does not name the cloud backend, or shows the key", status)
	}
	if status, _ := get(t, url+"/engine/v1.3/indexes"); status != http.StatusNotFound {
		t.Errorf("engine mounted though a key was given: %d", status)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
	if strings.Contains(logs.String(), key) {
		t.Error("the API key is in the log")
	}
}

func TestSessionKeyIsKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{dataDir: dir, apiKey: "k", baseURL: "http://127.0.0.1:1/v1.3"}
	a, err := newApp(cfg, "http://127.0.0.1:1", discard())
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	fi, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session.key mode %v", fi.Mode().Perm())
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
