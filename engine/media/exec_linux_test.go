package media

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

// TestCommandCancelKillsGroup: cancelling the context kills what the child
// started too, and Wait returns without waiting for the grandchild's
// pipes.
func TestCommandCancelKillsGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cmd := Command(ctx, "sh", "-c", "sleep 600 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	grandchild, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("pid %q: %v", line, err)
	}
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Error("a killed command reported success")
	}
	// The grandchild is the init process's to reap: gone or a zombie.
	deadline := time.Now().Add(testwait.Bound(t))
	for running(grandchild) {
		if time.Now().After(deadline) {
			t.Fatalf("the child's own child %d still runs after the cancel", grandchild)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}
