package runner

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// procAttr: the command's own process group, and Pdeathsig: if runwrap is
// SIGKILLed, the kernel kills the command too.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// watchParent has nothing to do on Linux: Pdeathsig does it in the kernel.
func watchParent(int) (release func()) { return func() {} }

// growPipe enlarges a pipe's kernel buffer (Linux F_SETPIPE_SZ; the default
// is 64 KiB). exec hands ReadFrom its pipe wrapped in a type that still has
// SyscallConn. Anything else, or a failure (a lower pipe-max-size), is
// ignored: it is only an optimisation.
func growPipe(x any) {
	sc, ok := x.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if sz, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && sz < pipeSize {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize)
		}
	})
}

// sameDescription reports two fds of this process on one open file
// description (kcmp(2) KCMP_FILE; false where kcmp is not available).
func sameDescription(a, b uintptr) bool {
	const kcmpFile = 0
	pid := uintptr(unix.Getpid())
	r, _, errno := unix.Syscall6(unix.SYS_KCMP, pid, pid, kcmpFile, a, b, 0)
	return errno == 0 && r == 0
}

// awaitExit returns once process pid has exited, without reaping it. It
// waits in the runtime's network poller on a pidfd (readable when the
// process exits) instead of a blocking waitid: os/exec's Wait holds its
// thread, and with runwrap's one P that thread holds the P too, until sysmon
// takes it back (20 µs to 10 ms later). Meanwhile the start ping's answer
// waited: 0.5-1 ms a run of `-- true` (docs/benchmarks.md, runwrap). false:
// no pollable pidfd here (Linux before 5.3, a seccomp filter), and the
// caller's blocking wait does the waiting.
func awaitExit(pid int) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false
	}
	// Non-blocking, so that os.NewFile registers it with the poller.
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return false
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	// Exited when poll says readable; otherwise (the first call, a spurious
	// wake-up) wait for the poller again.
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	err = rc.Read(func(uintptr) bool {
		n, err := unix.Poll(fds, 0)
		return err != nil || n > 0
	})
	return err == nil
}
