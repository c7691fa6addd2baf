//go:build !linux

package runner

import "syscall"

// procAttr: the command's own process group. There is no Pdeathsig outside
// Linux; watchParent stands in for it.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// watchParent starts the watchdog that SIGKILLs the command if runwrap dies
// without releasing it (see startWatchdog). If the watchdog cannot start,
// the run goes on without it: like Pdeathsig, it only guards against runwrap
// itself being killed with SIGKILL.
func watchParent(pid int) (release func()) {
	w, err := startWatchdog(pid)
	if err != nil {
		return func() {}
	}
	return w.release
}

// growPipe does nothing: F_SETPIPE_SZ is Linux-only. The BSDs and macOS grow
// a pipe's buffer on their own (up to 64 KiB) when writes are large.
func growPipe(any) {}

// sameDescription cannot tell without kcmp: two opens of one regular file
// keep their own pipes.
func sameDescription(a, b uintptr) bool { return false }

// awaitExit has no pollable process handle here: the caller's blocking wait
// does the waiting.
func awaitExit(int) bool { return false }
