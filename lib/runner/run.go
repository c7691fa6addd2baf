package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes runwrap uses for its own outcomes (the timeout(1)/env(1) convention).
const (
	ExitTimedOut      = 124
	ExitBeforeRunning = 125
	ExitNotExecutable = 126
	ExitNotFound      = 127
)

// Spec is one command to run.
type Spec struct {
	Args []string // argv; Args[0] is looked up in PATH when it has no slash
	Env  []string // nil: runwrap's own environment
	Dir  string

	Stdin  io.Reader // nil: /dev/null
	Stdout io.Writer // nil: discarded
	Stderr io.Writer // nil: discarded
	// Capture, when set, also receives everything the command writes on
	// stdout and stderr (in arrival order).
	Capture io.Writer
	// CaptureStdout: whether stdout goes to Capture (false for runitor's -quiet).
	CaptureStdout bool

	// Timeout ends the command: SIGTERM to its process group, then SIGKILL
	// after KillAfter if it is still there. 0: no timeout.
	Timeout   time.Duration
	KillAfter time.Duration

	// Signals received by runwrap are forwarded to the command's process
	// group. A terminating one (INT, TERM, HUP, QUIT) also arms the
	// KillAfter escalation, so the command cannot outlive runwrap.
	Signals <-chan os.Signal

	// IODelay bounds how long output is still read after the command exited
	// while something it started keeps the pipes open. Default 2s.
	IODelay time.Duration
}

// Result says how a run ended.
type Result struct {
	ExitCode int            // what runwrap exits with
	Signal   syscall.Signal // the signal that killed the command, if any
	TimedOut bool
	ExecErr  error     // the command could not be started
	Received os.Signal // first terminating signal runwrap forwarded, if any
	Start    time.Time
	Duration time.Duration
}

// OK reports a run that exited 0.
func (r Result) OK() bool { return r.ExecErr == nil && r.ExitCode == 0 && !r.TimedOut }

// Status describes the outcome in one line, as written into the ping body.
func (r Result) Status(timeout time.Duration) string {
	var s string
	switch {
	case r.ExecErr != nil:
		s = r.ExecErr.Error()
	case r.TimedOut:
		s = fmt.Sprintf("timed out after %s", timeout)
		if r.Signal != 0 {
			s += fmt.Sprintf(", killed by signal %d (%s)", int(r.Signal), SignalName(r.Signal))
		} else {
			s += fmt.Sprintf(", exit status %d", r.ExitCode)
		}
	case r.Signal != 0:
		s = fmt.Sprintf("killed by signal %d (%s)", int(r.Signal), SignalName(r.Signal))
	default:
		s = fmt.Sprintf("exit status %d", r.ExitCode)
	}
	if r.Received != nil && r.ExecErr == nil {
		s += fmt.Sprintf("; runwrap received %s and forwarded it", SignalName(r.Received))
	}
	return s
}

// SignalName returns "SIGTERM" for syscall.SIGTERM.
func SignalName(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		for name, v := range signalNames {
			if v == n {
				return name
			}
		}
		return fmt.Sprintf("signal %d", int(n))
	}
	return s.String()
}

var signalNames = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT, "SIGQUIT": syscall.SIGQUIT,
	"SIGILL": syscall.SIGILL, "SIGTRAP": syscall.SIGTRAP, "SIGABRT": syscall.SIGABRT,
	"SIGBUS": syscall.SIGBUS, "SIGFPE": syscall.SIGFPE, "SIGKILL": syscall.SIGKILL,
	"SIGUSR1": syscall.SIGUSR1, "SIGSEGV": syscall.SIGSEGV, "SIGUSR2": syscall.SIGUSR2,
	"SIGPIPE": syscall.SIGPIPE, "SIGALRM": syscall.SIGALRM, "SIGTERM": syscall.SIGTERM,
	"SIGXCPU": syscall.SIGXCPU, "SIGXFSZ": syscall.SIGXFSZ,
}

// Terminating reports the signals after which runwrap must not outlive the command.
func Terminating(s os.Signal) bool {
	return s == syscall.SIGINT || s == syscall.SIGTERM || s == syscall.SIGHUP || s == syscall.SIGQUIT
}

// Run runs the command and waits for it. It never returns an error: a command
// that cannot start is a Result with ExecErr and exit code 126/127. Cancelling
// ctx acts like a terminating signal (SIGTERM).
func Run(ctx context.Context, s Spec) Result {
	res := Result{Start: time.Now()}
	if len(s.Args) == 0 {
		res.ExecErr = errors.New("no command given")
		res.ExitCode = ExitBeforeRunning
		return res
	}
	cmd := exec.Command(s.Args[0], s.Args[1:]...)
	cmd.Env = s.Env
	cmd.Dir = s.Dir
	cmd.Stdin = s.Stdin
	// Own process group: signals reach the whole job, and a terminal's
	// Ctrl-C reaches runwrap, which forwards it. If runwrap is SIGKILLed,
	// the command is killed too (no orphan): see procAttr and watchParent.
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = s.IODelay
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = 2 * time.Second
	}
	cmd.Stdout, cmd.Stderr = outputs(s)

	if err := cmd.Start(); err != nil {
		res.ExecErr = startErr(s.Args[0], err)
		res.ExitCode = execCode(err)
		res.Duration = time.Since(res.Start)
		return res
	}
	pgid := cmd.Process.Pid
	release := watchParent(pgid)
	defer release()
	done := make(chan error, 1)
	go func() {
		awaitExit(pgid) // in the poller, so Wait below does not block a thread
		done <- cmd.Wait()
	}()

	var timeoutC, killC <-chan time.Time
	if s.Timeout > 0 {
		t := time.NewTimer(s.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	armKill := func() {
		if killC == nil && s.KillAfter > 0 {
			killC = time.After(s.KillAfter)
		}
	}
	ctxDone := ctx.Done()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-done:
			release()
			break loop
		case sig := <-s.Signals:
			_ = syscall.Kill(-pgid, sig.(syscall.Signal))
			if Terminating(sig) {
				if res.Received == nil {
					res.Received = sig
				}
				armKill()
			}
		case <-ctxDone:
			ctxDone = nil
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			armKill()
		case <-timeoutC:
			timeoutC = nil
			res.TimedOut = true
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			armKill()
		case <-killC:
			killC = nil
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}
	res.Duration = time.Since(res.Start)
	if res.TimedOut || res.Received != nil || ctx.Err() != nil {
		// The leader is gone; whatever it left in its group goes too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	if cmd.ProcessState == nil {
		res.ExecErr = waitErr
		res.ExitCode = ExitBeforeRunning
		return res
	}
	st, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case st.Signaled():
		res.Signal = st.Signal()
		res.ExitCode = 128 + int(res.Signal)
	default:
		res.ExitCode = st.ExitStatus()
	}
	if res.TimedOut {
		res.ExitCode = ExitTimedOut
	}
	return res
}

// outputs gives the command's stdout and stderr. When both would reach the
// same place (one writer, or two files on one open file: /dev/null twice,
// one terminal, cron's one mail pipe, >log 2>&1) and both are captured, the
// command gets ONE pipe for both, as without runwrap: the output and the
// capture keep the exact order it wrote in, and runwrap copies with one
// goroutine instead of two (exec.Cmd shares the pipe when Stdout == Stderr).
func outputs(s Spec) (stdout, stderr io.Writer) {
	// Without a capture, files go to the command as they are (no pipe at
	// all), and one writer for both streams is given once (one pipe).
	if s.Capture == nil && s.Stdout == s.Stderr {
		return s.Stdout, s.Stderr
	}
	if s.Capture != nil && s.CaptureStdout && s.Stdout != nil &&
		(s.Stdout == s.Stderr || sameOpenFile(s.Stdout, s.Stderr)) {
		t := &tee{dst: s.Stdout, capture: s.Capture, mu: new(sync.Mutex)}
		return t, t
	}
	var mu sync.Mutex // one capture, two streams
	var dstMu *sync.Mutex
	if s.Stdout != nil && s.Stdout == s.Stderr {
		dstMu = new(sync.Mutex) // one writer for both streams: keep its writes whole
	}
	return output(s.Stdout, s.Capture, s.CaptureStdout, &mu, dstMu), output(s.Stderr, s.Capture, true, &mu, dstMu)
}

// sameOpenFile reports two *os.File on the same open file: the same device
// and inode, and for a regular file the same open file description (two
// opens of one log file have their own offsets: writing both streams through
// one of them would change what the file gets).
func sameOpenFile(a, b io.Writer) bool {
	fa, ok := a.(*os.File)
	if !ok {
		return false
	}
	fb, ok := b.(*os.File)
	if !ok {
		return false
	}
	var same bool
	// Control, not Fd: Fd would put a pollable file in blocking mode.
	_ = withFd(fa, func(x uintptr) error {
		return withFd(fb, func(y uintptr) error {
			var sa, sb syscall.Stat_t
			if syscall.Fstat(int(x), &sa) != nil || syscall.Fstat(int(y), &sb) != nil {
				return nil
			}
			same = sa.Dev == sb.Dev && sa.Ino == sb.Ino &&
				(sa.Mode&syscall.S_IFMT != syscall.S_IFREG || sameDescription(x, y))
			return nil
		})
	})
	return same
}

func withFd(f *os.File, fn func(fd uintptr) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(fd) }); err != nil {
		return err
	}
	return ferr
}

func output(dst, capture io.Writer, captured bool, mu, dstMu *sync.Mutex) io.Writer {
	if capture == nil || !captured {
		if dstMu != nil {
			return &tee{dst: dst, dstMu: dstMu}
		}
		return dst // nil: exec opens /dev/null; *os.File: passed as is
	}
	return &tee{dst: dst, capture: capture, mu: mu, dstMu: dstMu}
}

func startErr(name string, err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		switch {
		case errors.Is(ee.Err, exec.ErrNotFound):
			return fmt.Errorf("%s: command not found", name)
		case errors.Is(ee.Err, fs.ErrPermission):
			return fmt.Errorf("%s: permission denied", name)
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", name, pe.Err)
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "exec: "))
}

// execCode follows the shell: 127 not found, 126 found but not runnable.
func execCode(err error) int {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return ExitNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.ENOEXEC), errors.Is(err, syscall.EISDIR),
		errors.Is(err, syscall.ETXTBSY):
		return ExitNotExecutable
	}
	return ExitBeforeRunning
}
