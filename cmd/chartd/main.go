// Command chartd: render SVG and PNG charts from chartd.co-style query strings.
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
