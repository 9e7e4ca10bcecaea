package media

import (
	"os"
	"syscall"
)

// childProcAttr puts the child in a process group of its own and has the
// kernel SIGKILL it when the engine dies. (Pdeathsig follows the OS thread
// that started the child; Go keeps its threads for the life of the process
// unless a goroutine locked to one exits, which the engine never does.)
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the child's whole process group.
func killGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil {
		if err == syscall.ESRCH {
			return os.ErrProcessDone
		}
		return err
	}
	return nil
}
