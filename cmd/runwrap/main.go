// Command runwrap: wrap a cron command with Healthchecks pings, output capture, timeouts and locking.
package main

import (
	"os"

	_ "github.com/cronkit/cronkit/cmd/runwrap/internal/oneproc"
	"github.com/cronkit/cronkit/lib/cli"
)

func main() {
	os.Exit(run())
}

// run is main without the exit, for testscript: the whole process, which
// exits when it returns (processExits). Its one P (GOMAXPROCS 1, unless the
// user's GOMAXPROCS says otherwise) is set by package oneproc's initialiser.
func run() int {
	processExits = true
	r := newRoot(cli.OwnStreams(cli.OSEnv()))
	return cli.Execute(r, rootArgs(r, os.Args[1:]))
}

// processExits: the signal.Notify is left in place, as signal.Stop would
// disable each of its seven signals in turn, a round trip to the runtime's
// signal thread each (0.5 ms CPU and 18 context switches a run), for nothing.
var processExits bool
