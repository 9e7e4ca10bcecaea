// Package testmedia finds what `make testdata` puts in the test cache: the
// official SDK, its example media and ONNX Runtime. Tests share it so that
// every one of them looks in the same place and fails the same way.
package testmedia

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir is the test cache: $GLIMPSE_TESTDATA (the Makefile exports it), else
// <repo root>/.cache. It does not check that the cache exists; callers
// fail with their own message naming what is missing.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("GLIMPSE_TESTDATA"); dir != "" {
		return dir
	}
	// This file is internal/testmedia/testmedia.go: the root is two up.
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository: set GLIMPSE_TESTDATA (make testdata)")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", ".cache")
}

// Path is the SDK's example media file name (example.mp4, search_sample.png,
// audio_sample.mp3) in the cache's media folder. Missing media fails the
// test rather than letting it pass without looking.
func Path(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Dir(t), "media", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test media %s is missing: run `make testdata` (%v)", p, err)
	}
	return p
}
