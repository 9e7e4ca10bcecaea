package media

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"time"
)

// childWaitDelay bounds how long Wait waits, once the child is killed or has
// exited, for its output pipes to close (a grandchild may hold them).
const childWaitDelay = 10 * time.Second

// Command is exec.CommandContext for every child the engine runs (ffmpeg,
// ffprobe, tesseract, pocketsphinx). The child gets its own process group,
// so a cancelled context kills it and anything it started, and on Linux it
// is killed when the engine dies, even by kill -9: a child left running
// would keep burning CPU on a video no one waits for.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = childProcAttr()
	cmd.Cancel = func() error {
		err := killGroup(cmd.Process)
		if errors.Is(err, os.ErrProcessDone) {
			return os.ErrProcessDone
		}
		return err
	}
	cmd.WaitDelay = childWaitDelay
	return cmd
}
