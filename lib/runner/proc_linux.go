package runner

import (
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
