package testmedia

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{name: "env wins", env: "/somewhere/cache", want: "/somewhere/cache"},
		{name: "repo root fallback", env: "", want: repoCache(t)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GLIMPSE_TESTDATA", tc.env)
			if got := filepath.Clean(Dir(t)); got != tc.want {
				t.Errorf("Dir = %q, want %q", got, tc.want)
			}
		})
	}
}

// repoCache is <dir holding go.mod>/.cache, found by walking up from here.
func repoCache(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".cache")
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = filepath.Dir(dir)
	}
}

func TestPath(t *testing.T) {
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	present := filepath.Join(cache, "media", "example.mp4")
	if err := os.WriteFile(present, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GLIMPSE_TESTDATA", cache)

	if got := Path(t, "example.mp4"); got != present {
		t.Errorf("Path = %q, want %q", got, present)
	}

	// A missing file must fail the test with a message naming the fix.
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine with runtime.Goexit.
		defer close(done)
		Path(rec, "no_such.mp4")
	}()
	<-done
	if !rec.failed || !strings.Contains(rec.msg, "make testdata") || !strings.Contains(rec.msg, "no_such.mp4") {
		t.Errorf("missing media: failed=%v message %q, want a failure naming the file and `make testdata`", rec.failed, rec.msg)
	}
}

// recorder catches a Fatalf instead of failing the real test.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
