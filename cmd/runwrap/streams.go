package main

import (
	"log"
	"os"

	"github.com/cronkit/cronkit/lib/cli"
	"golang.org/x/sys/unix"
)

// ownStreams gives runwrap its own descriptors for fds 1 and 2: dups,
// close-on-exec, on the same open files, as os.Stdout, os.Stderr, the log
// package's output and the command's streams. Go's runtime kills a program
// whose write to fd 1 or 2 fails with EPIPE unless it has signal.Notify'd
// SIGPIPE; on any other descriptor the write just fails. So a reader that
// goes away (`runwrap ... | head -1`) leaves runwrap alive to send the fail
// ping and exit with the command's code, without notifying SIGPIPE: each
// notified signal costs start-up time (docs/benchmarks.md, runwrap). The
// command's fds 1 and 2 are the same open files as before.
func ownStreams(e *cli.Env) *cli.Env {
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
