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
	return cli.Execute(newRoot(cli.OSEnv()), os.Args[1:])
}
