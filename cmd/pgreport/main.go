// Command pgreport: collect PostgreSQL metrics as JSON, a text report or metric lines.
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
