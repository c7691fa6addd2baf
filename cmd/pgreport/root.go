package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds pgreport's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:  "pgreport",
		Short: "Collect PostgreSQL metrics as JSON, a text report or metric lines",
		Long: `pgreport connects to a PostgreSQL server and reports its state: a text report for people,
one JSON document (pgmetrics field names), or metric records for statpost and chartd.

This build has no subcommands yet beyond completion: the tool is being built
(see the README). It does nothing else so far.`,
	})
	return r
}
