// Package proc reads a process's memory figures from Linux's /proc, for the
// bench commands that watch a server they started.
package proc

import (
	"os"
	"strconv"
	"strings"
)

// Status is a size field of /proc/<pid>/status (VmRSS, VmHWM, ...) in
// bytes, or 0 when the process or the field is gone: a sampler polling a
// process that has just exited gets nothing rather than an error.
func Status(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			// "VmRSS:	   12345 kB"
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
