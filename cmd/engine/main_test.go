package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

// syncBuffer is a log sink shared by the server goroutine and the test.
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

func TestRefusesNonLoopbackWithoutKey(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8788"} {
		err := run(t.Context(), []string{"-addr", addr, "-data", t.TempDir()}, func(string) string { return "" }, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestServesWithKeyAndShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const key = "s3cret-engine-key"
	getenv := func(name string) string {
		if name == "ENGINE_API_KEY" {
			return key
		}
		return ""
	}
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-data", t.TempDir()}, getenv, logs) }()

	status := func(k string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1.3/indexes", nil)
		req.Header.Set("x-api-key", k)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(testwait.Bound(t))
	for status(key) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("engine did not come up; logs:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := status("other"); got != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(testwait.Bound(t)):
		t.Fatal("no graceful shutdown")
	}
	out := logs.String()
	if !strings.Contains(out, "engine listening") || !strings.Contains(out, "shutting down") || strings.Contains(out, key) {
		t.Errorf("logs:\n%s", out)
	}
}

// TestUsageHidesKey: a bad flag prints the usage, which must not show the
// key taken from the environment as a flag default.
func TestUsageHidesKey(t *testing.T) {
	const key = "s3cret-engine-key"
	getenv := func(name string) string {
		if name == "ENGINE_API_KEY" {
			return key
		}
		return ""
	}
	for _, args := range [][]string{{"-h"}, {"-no-such-flag"}, {"-workers", "many"}} {
		var out bytes.Buffer
		err := run(t.Context(), args, getenv, &out)
		if err == nil || !strings.Contains(out.String(), "-api-key") || strings.Contains(out.String(), key) {
			t.Errorf("%v: %v\n%s", args, err, out.String())
		}
	}
}
