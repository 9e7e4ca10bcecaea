// Package testredis runs a real redis-server for a test.
package testredis

import (
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

// Start runs redis-server on a unix socket of its own (no port to race
// for), saving nothing to disk, until the test ends, and returns its URL.
// Without redis-server installed the test is skipped.
func Start(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (scripts/deps.sh test)")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command("redis-server", "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(testwait.Bound(t))
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return "unix://" + sock
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server not listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
