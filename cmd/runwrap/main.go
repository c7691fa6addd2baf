// Command runwrap: wrap a cron command with Healthchecks pings, output capture, timeouts and locking.
package main

import (
	"os"
	"runtime"

	"github.com/cronkit/cronkit/lib/cli"
)

func main() {
	os.Exit(run())
}

// run is main without the exit, for testscript: the whole process, which
// exits when it returns (processExits). runwrap waits on a child and the
// network, never on the CPU: one P spares it the second P's spinning threads
// and their wake-ups (-0.5 ms CPU, -28 faults a run, docs/benchmarks.md),
// unless the user's GOMAXPROCS says otherwise.
func run() int {
	processExits = true
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	r := newRoot(cli.OSEnv())
	return cli.Execute(r, rootArgs(r, os.Args[1:]))
}

// processExits: the signal.Notify is left in place, as signal.Stop would
// disable each of its seven signals in turn, a round trip to the runtime's
// signal thread each (0.5 ms CPU and 18 context switches a run), for nothing.
var processExits bool
