// Command runwrap: wrap a cron command with Healthchecks pings, output capture, timeouts and locking.
package main

import (
	"os"

	"github.com/cronkit/cronkit/lib/cli"
)

func main() {
	os.Exit(run())
}

// run is main without the exit, for testscript.
func run() int {
	processExits = true
	r := newRoot(cli.OSEnv())
	return cli.Execute(r, rootArgs(r, os.Args[1:]))
}

// processExits: run() is the whole process (main, testscript's runwrap), which
// exits when it returns. runWrap then leaves its signal.Notify in place:
// signal.Stop would disable each of its seven signals in turn, a round trip
// to the runtime's signal thread each (0.5 ms CPU and 18 context switches of
// a 6 ms run, docs/benchmarks.md), for nothing.
var processExits bool
