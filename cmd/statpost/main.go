// Command statpost: post counts and values to stat APIs (StatHat, StatsD, Pushgateway, InfluxDB, Graphite).
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/cronkit/cronkit/lib/cli"
)

func main() {
	os.Exit(run())
}

// run is main without the exit, for testscript.
func run() int {
	// A closed stdout (`statpost --tee | head -1`) must give EPIPE, not kill
	// statpost with records still in memory. Notify rather than Ignore: a
	// caught signal is reset for `statpost time`'s command, an ignored one
	// would be inherited.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	return cli.Execute(newRoot(cli.OSEnv()), os.Args[1:])
}
