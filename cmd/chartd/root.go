package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds chartd's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:  "chartd",
		Short: "Render SVG and PNG charts from chartd.co-style query strings",
		Long: `chartd renders line and step charts from a chartd.co-style query string or from numbers
and metric records on stdin, as a command or as an HTTP server for <img> tags.

This build has no subcommands yet beyond completion: the tool is being built
(see the README). It does nothing else so far.`,
	})
	return r
}
