// Package oneproc gives runwrap one P (GOMAXPROCS 1) from one of the first
// package initialisers, unless the user's GOMAXPROCS says otherwise.
// runwrap waits on a child and the network, never on the CPU: one P spares
// it the second P's spinning threads and their wake-ups. Set here rather
// than in main, the stop-the-world that changes it comes before the other
// initialisers have filled the second P's caches and started threads for
// it: on a quiet machine 0.4 ms CPU and 100 page faults less a run than the
// same call first thing in main (docs/benchmarks.md, runwrap). It imports
// only runtime and syscall, so that it initialises early (Go initialises a
// package as soon as its imports are, the first by import path first).
package oneproc

import (
	"runtime"
	"syscall"
)

func init() {
	if v, _ := syscall.Getenv("GOMAXPROCS"); v == "" {
		runtime.GOMAXPROCS(1)
	}
}
