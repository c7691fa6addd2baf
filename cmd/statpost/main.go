// Command statpost: post counts and values to stat APIs (StatHat, StatsD, Pushgateway, InfluxDB, Graphite).
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
	// A closed stdout (`statpost --tee | head -1`) must give EPIPE, not kill
	// statpost with records still in memory (cli.OwnStreams).
	return cli.Execute(newRoot(cli.OwnStreams(cli.OSEnv())), os.Args[1:])
}
