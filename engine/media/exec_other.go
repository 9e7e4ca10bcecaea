//go:build !linux

package media

import (
	"os"
	"syscall"
)

// Outside Linux there is no parent-death signal: children are killed on
// cancel only.
func childProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) error { return p.Kill() }
