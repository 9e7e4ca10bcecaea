package proc

import (
	"os"
	"runtime"
	"testing"
)

func TestStatus(t *testing.T) {
	// Hold some memory so that this process's RSS is surely above it.
	ballast := make([]byte, 8<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	tests := []struct {
		name    string
		pid     int
		field   string
		atLeast int64 // bytes; 0 means the answer must be 0
	}{
		{"resident set of this process", os.Getpid(), "VmRSS", 8 << 20},
		{"high-water mark of this process", os.Getpid(), "VmHWM", 8 << 20},
		{"a field that is not there", os.Getpid(), "NoSuchField", 0},
		{"a prefix of a field is not the field", os.Getpid(), "VmRS", 0},
		{"no such process", -1, "VmRSS", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Status(tc.pid, tc.field)
			if tc.atLeast == 0 && got != 0 {
				t.Errorf("Status(%d, %q) = %d, want 0", tc.pid, tc.field, got)
			}
			if tc.atLeast > 0 && (got < tc.atLeast || got%1024 != 0) {
				t.Errorf("Status(%d, %q) = %d, want a whole number of KiB ≥ %d", tc.pid, tc.field, got, tc.atLeast)
			}
		})
	}
	runtime.KeepAlive(ballast)
}
