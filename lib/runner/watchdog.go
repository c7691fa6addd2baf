package runner

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// watchdog is the portable stand-in for Linux's Pdeathsig (used on macOS and
// the BSDs, tested everywhere): a small /bin/sh process that reads a pipe
// whose only writer is runwrap. runwrap writes "done" once the command has
// exited; end of file without it means runwrap died (SIGKILL, a crash), and
// the watchdog SIGKILLs the command as the Linux kernel would. Like
// Pdeathsig it kills the command runwrap started, not the rest of its group.
type watchdog struct {
	cmd  *exec.Cmd
	w    *os.File
	once sync.Once
}

// watchdogScript ignores the signals a terminal or a group kill sends, so
// that only the pipe decides; $1 is the pid to kill.
const watchdogScript = `trap '' HUP INT QUIT TERM PIPE
read -r word
[ "$word" = done ] || kill -s KILL "$1" 2>/dev/null
exit 0`

func startWatchdog(pid int) (*watchdog, error) {
	r, w, err := os.Pipe() // close-on-exec: the command never holds the writer
	if err != nil {
		return nil, fmt.Errorf("watchdog pipe: %w", err)
	}
	defer r.Close() // the watchdog has its own copy
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "runwrap-watchdog", strconv.Itoa(pid))
	cmd.Stdin = r
	// Its own group: a signal to runwrap's group does not reach it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("watchdog: %w", err)
	}
	return &watchdog{cmd: cmd, w: w}, nil
}

// release tells the watchdog the command is gone and reaps it. Safe to call
// more than once.
func (d *watchdog) release() {
	d.once.Do(func() {
		_, _ = d.w.WriteString("done\n")
		_ = d.w.Close()
		_ = d.cmd.Wait()
	})
}
