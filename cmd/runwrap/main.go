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
	r := newRoot(cli.OSEnv())
	return cli.Execute(r, rootArgs(r, os.Args[1:]))
}
