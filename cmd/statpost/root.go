package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds statpost's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:  "statpost",
		Short: "Post counts and values to stat APIs (StatHat, StatsD, Pushgateway, InfluxDB, Graphite)",
		Long: `statpost posts counts and values to stat services from arguments or from metric lines on stdin,
batched, retried and never silently dropped.

This build has no subcommands yet beyond completion: the tool is being built
(see the README). It does nothing else so far.`,
	})
	return r
}
