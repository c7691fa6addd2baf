package cli

import (
	"log"
	"os"

	"golang.org/x/sys/unix"
)

// OwnStreams gives the process its own descriptors for fds 1 and 2: dups,
// close-on-exec, on the same open files, as os.Stdout, os.Stderr, the log
// package's output and e's streams. Go's runtime kills a program whose
// write to fd 1 or 2 fails with EPIPE unless it has signal.Notify'd
// SIGPIPE; on any other descriptor the write just fails. So a reader that
// goes away (`statpost --tee | head -1`, `runwrap ... | head -1`) leaves the
// tool alive to post what it read, or to send the fail ping, without
// notifying SIGPIPE (each notified signal costs start-up time:
// docs/benchmarks.md, runwrap) and without ignoring it (an ignored signal is
// inherited by a command the tool runs). A command the tool runs with these
// streams gets the same open files as fds 1 and 2.
func OwnStreams(e *Env) *Env {
	os.Stdout = dupFile(1, "/dev/stdout", os.Stdout)
	os.Stderr = dupFile(2, "/dev/stderr", os.Stderr)
	log.SetOutput(os.Stderr) // the log package took os.Stderr before main
	e.Stdout, e.Stderr = os.Stdout, os.Stderr
	return e
}

func dupFile(fd int, name string, orig *os.File) *os.File {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return orig // not open: writes fail as they would have
	}
	return os.NewFile(uintptr(nfd), name)
}
